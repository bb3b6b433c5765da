/**
 * SSIM (Wang et al. 2004) on luma: 11x11 Gaussian window (sigma 1.5), K1 = 0.01, K2 = 0.03,
 * L = 255, mean of the SSIM map over every window that fits inside the image (no padding), as in
 * the reference implementation. Luma is BT.601 of the image composited over white, so that
 * transparent pixels whose hidden colour an encoder changed do not count.
 * bench/q-auto.mjs has the same algorithm in plain JS for Node; keep the two in step.
 */
import type { Raster } from '../../pixels/raster';

const C1 = (0.01 * 255) ** 2;
const C2 = (0.03 * 255) ** 2;
const RADIUS = 5;
const KERNEL = (() => {
  const k = new Float32Array(2 * RADIUS + 1);
  let sum = 0;
  for (let i = -RADIUS; i <= RADIUS; i++) sum += k[i + RADIUS] = Math.exp(-(i * i) / (2 * 1.5 * 1.5));
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  return k;
})();

/** BT.601 luma (0..255) of an RGBA raster composited over white. */
export function luma(r: Raster): Float32Array {
  const n = r.width * r.height;
  const out = new Float32Array(n);
  const d = r.data;
  for (let i = 0, p = 0; i < n; i++, p += 4) {
    const y = 0.299 * d[p] + 0.587 * d[p + 1] + 0.114 * d[p + 2];
    const a = d[p + 3];
    out[i] = a === 255 ? y : (y * a + 255 * (255 - a)) / 255;
  }
  return out;
}

/** Mean SSIM of two rasters of the same size (1 = identical). */
export function ssim(a: Raster, b: Raster): number {
  if (a.width !== b.width || a.height !== b.height) throw new Error(`ssim: ${a.width}x${a.height} vs ${b.width}x${b.height}`);
  return ssimLuma(luma(a), luma(b), a.width, a.height);
}

/** Mean SSIM of two luma planes. Images smaller than the window are compared as one window. */
export function ssimLuma(x: Float32Array, y: Float32Array, width: number, height: number): number {
  return ssimAgainst(reference(x, width, height), y);
}

/** A reference plane with its local means and squares filtered once, for many comparisons. */
export interface SsimReference {
  x: Float32Array;
  width: number;
  height: number;
  mx?: Float32Array;
  sxx?: Float32Array;
}

export function reference(x: Float32Array, width: number, height: number): SsimReference {
  const win = 2 * RADIUS + 1;
  if (width < win || height < win) return { x, width, height };
  const xx = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) xx[i] = x[i] * x[i];
  return { x, width, height, mx: filterValid(x, width, height), sxx: filterValid(xx, width, height) };
}

/** Mean SSIM of a luma plane against a prepared reference of the same size. */
export function ssimAgainst(ref: SsimReference, y: Float32Array): number {
  const { x, width, height, mx, sxx } = ref;
  if (y.length !== x.length) throw new Error('ssim: planes differ in size');
  if (!mx || !sxx) return globalSsim(x, y);
  const n = width * height;
  const yy = new Float32Array(n);
  const xy = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    yy[i] = y[i] * y[i];
    xy[i] = x[i] * y[i];
  }
  const my = filterValid(y, width, height);
  const syy = filterValid(yy, width, height);
  const sxy = filterValid(xy, width, height);
  let total = 0;
  for (let i = 0; i < mx.length; i++) {
    const ux = mx[i],
      uy = my[i];
    const vx = sxx[i] - ux * ux,
      vy = syy[i] - uy * uy,
      cxy = sxy[i] - ux * uy;
    total += ((2 * ux * uy + C1) * (2 * cxy + C2)) / ((ux * ux + uy * uy + C1) * (vx + vy + C2));
  }
  return total / mx.length;
}

/** Separable Gaussian over the windows that fit: output (width - 10) x (height - 10). */
function filterValid(src: Float32Array, width: number, height: number): Float32Array {
  const ow = width - 2 * RADIUS;
  const oh = height - 2 * RADIUS;
  const rows = new Float32Array(ow * height);
  for (let yv = 0; yv < height; yv++) {
    const s = yv * width;
    const o = yv * ow;
    for (let xv = 0; xv < ow; xv++) {
      let acc = 0;
      for (let k = 0; k < KERNEL.length; k++) acc += KERNEL[k] * src[s + xv + k];
      rows[o + xv] = acc;
    }
  }
  const out = new Float32Array(ow * oh);
  for (let yv = 0; yv < oh; yv++) {
    for (let xv = 0; xv < ow; xv++) {
      let acc = 0;
      for (let k = 0; k < KERNEL.length; k++) acc += KERNEL[k] * rows[(yv + k) * ow + xv];
      out[yv * ow + xv] = acc;
    }
  }
  return out;
}

function globalSsim(x: Float32Array, y: Float32Array): number {
  const n = x.length;
  let ux = 0,
    uy = 0;
  for (let i = 0; i < n; i++) {
    ux += x[i];
    uy += y[i];
  }
  ux /= n;
  uy /= n;
  let vx = 0,
    vy = 0,
    cxy = 0;
  for (let i = 0; i < n; i++) {
    vx += (x[i] - ux) ** 2;
    vy += (y[i] - uy) ** 2;
    cxy += (x[i] - ux) * (y[i] - uy);
  }
  vx /= n;
  vy /= n;
  cxy /= n;
  return ((2 * ux * uy + C1) * (2 * cxy + C2)) / ((ux * ux + uy * uy + C1) * (vx + vy + C2));
}
