// Luma SSIM for the benches, as src/codecs/quality/ssim.ts measures it: BT.601 luma, an 11x11
// Gaussian window (sigma 1.5) over the valid region, the usual constants for 8-bit samples.
// bench/avif.mjs, bench/avif-build.mjs and bench/q-auto.mjs share it.

export const RADIUS = 5;
const KERNEL = (() => {
  const k = new Float64Array(2 * RADIUS + 1);
  let sum = 0;
  for (let i = -RADIUS; i <= RADIUS; i++) sum += k[i + RADIUS] = Math.exp(-(i * i) / (2 * 1.5 * 1.5));
  return k.map((v) => v / sum);
})();
const C1 = (0.01 * 255) ** 2;
const C2 = (0.03 * 255) ** 2;

/** BT.601 luma of n RGBA pixels. */
export function luma(rgba, n) {
  const y = new Float32Array(n);
  for (let i = 0, p = 0; i < n; i++, p += 4) y[i] = 0.299 * rgba[p] + 0.587 * rgba[p + 1] + 0.114 * rgba[p + 2];
  return y;
}

/** The Gaussian window over a w x h plane, valid region only ((w - 10) x (h - 10)). */
export function filterValid(src, w, h) {
  const ow = w - 2 * RADIUS;
  const oh = h - 2 * RADIUS;
  const rows = new Float32Array(ow * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < ow; x++) {
      let acc = 0;
      for (let k = 0; k < KERNEL.length; k++) acc += KERNEL[k] * src[y * w + x + k];
      rows[y * ow + x] = acc;
    }
  const out = new Float32Array(ow * oh);
  for (let y = 0; y < oh; y++)
    for (let x = 0; x < ow; x++) {
      let acc = 0;
      for (let k = 0; k < KERNEL.length; k++) acc += KERNEL[k] * rows[(y + k) * ow + x];
      out[y * ow + x] = acc;
    }
  return out;
}

/** A reference luma plane with its filtered planes, computed once per image. */
export function ssimRef(a, w, h) {
  const aa = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) aa[i] = a[i] * a[i];
  return { a, mx: filterValid(a, w, h), sxx: filterValid(aa, w, h), w, h };
}

/** Mean SSIM of luma plane b against a reference (ssimRef). */
export function ssim(ref, b) {
  const { a, mx, sxx, w, h } = ref;
  const yy = new Float32Array(b.length);
  const xy = new Float32Array(b.length);
  for (let i = 0; i < b.length; i++) {
    yy[i] = b[i] * b[i];
    xy[i] = a[i] * b[i];
  }
  const my = filterValid(b, w, h);
  const syy = filterValid(yy, w, h);
  const sxy = filterValid(xy, w, h);
  let total = 0;
  for (let i = 0; i < mx.length; i++) {
    const ux = mx[i];
    const uy = my[i];
    const vx = sxx[i] - ux * ux;
    const vy = syy[i] - uy * uy;
    const c = sxy[i] - ux * uy;
    total += ((2 * ux * uy + C1) * (2 * c + C2)) / ((ux * ux + uy * uy + C1) * (vx + vy + C2));
  }
  return total / mx.length;
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
