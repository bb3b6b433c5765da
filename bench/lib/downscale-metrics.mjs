// Measures of a downscaled image against its full-resolution source, on luma (BT.601 weights):
//   detail    mean local contrast (standard deviation over 3x3 windows) of the output, divided by
//             that of the exact area average of the source at the same size (1 = as soft as a box).
//   overshoot mean amount (levels) by which output pixels leave the range [min, max] of the source
//             under their footprint widened by one output pixel: halos and ringing; never 0 for
//             Lanczos, 0 for any convex combination of source pixels.
//   aliasing  on a zone plate (zonePlate()), RMS deviation from mid-grey where the plate's local
//             frequency is above 1.25x the output's Nyquist: what should be flat grey but shows pattern.

/** Luma planes as Float64Array. `rgb`: interleaved 8-bit with `channels` per pixel. */
export function luma(rgb, width, height, channels) {
  const y = new Float64Array(width * height);
  for (let i = 0; i < y.length; i++) y[i] = 0.299 * rgb[i * channels] + 0.587 * rgb[i * channels + 1] + 0.114 * rgb[i * channels + 2];
  return y;
}

/** Exact area average (fractional coverage) of a W x H plane to w x h. */
export function areaAverage(src, W, H, w, h) {
  const cols = coverage(W, w);
  const rows = coverage(H, h);
  const tmp = new Float64Array(w * H);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (const [i, c] of cols[x]) s += src[y * W + i] * c;
      tmp[y * w + x] = s;
    }
  const out = new Float64Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (const [j, c] of rows[y]) s += tmp[j * w + x] * c;
      out[y * w + x] = s;
    }
  return out;
}

/** For each output sample, [input index, weight] pairs of its footprint (weights sum to 1). */
function coverage(N, n) {
  const scale = N / n;
  return Array.from({ length: n }, (_, o) => {
    const a = o * scale,
      b = (o + 1) * scale;
    const out = [];
    for (let i = Math.floor(a); i < Math.ceil(b); i++) {
      const c = Math.min(b, i + 1) - Math.max(a, i);
      if (c > 1e-9) out.push([i, c / scale]);
    }
    return out;
  });
}

/** Mean 3x3 standard deviation of a plane (interior pixels). */
export function localContrast(p, w, h) {
  let sum = 0,
    n = 0;
  for (let y = 1; y < h - 1; y++)
    for (let x = 1; x < w - 1; x++) {
      let s = 0,
        s2 = 0;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const v = p[(y + dy) * w + x + dx];
          s += v;
          s2 += v * v;
        }
      sum += Math.sqrt(Math.max(0, s2 / 9 - (s / 9) ** 2));
      n++;
    }
  return sum / n;
}

/** Mean overshoot of `out` (w x h) beyond the source's range under each widened footprint. */
export function overshoot(src, W, H, out, w, h) {
  const sx = W / w,
    sy = H / h;
  // Row-wise then column-wise running min/max would be faster; sizes here are small.
  let total = 0;
  for (let y = 0; y < h; y++) {
    const y0 = Math.max(0, Math.floor((y - 1) * sy)),
      y1 = Math.min(H, Math.ceil((y + 2) * sy));
    for (let x = 0; x < w; x++) {
      const x0 = Math.max(0, Math.floor((x - 1) * sx)),
        x1 = Math.min(W, Math.ceil((x + 2) * sx));
      let lo = Infinity,
        hi = -Infinity;
      for (let j = y0; j < y1; j++)
        for (let i = x0; i < x1; i++) {
          const v = src[j * W + i];
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
      const v = out[y * w + x];
      total += v > hi ? v - hi : v < lo ? lo - v : 0;
    }
  }
  return total / (w * h);
}

/** A size x size 8-bit grey zone plate: 127.5 + 127.5 cos(pi r^2 / size); local frequency r / size cycles per pixel. */
export function zonePlate(size) {
  const out = Buffer.alloc(size * size);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const r2 = (x - size / 2) ** 2 + (y - size / 2) ** 2;
      out[y * size + x] = Math.round(127.5 + 127.5 * Math.cos((Math.PI * r2) / size));
    }
  return out;
}

/** RMS deviation from 127.5 of a zone plate of `size` downscaled to n x n, where its frequency exceeds 1.25x the output's Nyquist. */
export function aliasing(plane, size, n) {
  const nyquist = 0.5 * (n / size); // cycles per source pixel
  let se = 0,
    count = 0;
  for (let y = 0; y < n; y++)
    for (let x = 0; x < n; x++) {
      const cx = ((x + 0.5) * size) / n - size / 2,
        cy = ((y + 0.5) * size) / n - size / 2;
      const freq = Math.hypot(cx, cy) / size;
      if (freq > 1.25 * nyquist && freq < 0.5) {
        se += (plane[y * n + x] - 127.5) ** 2;
        count++;
      }
    }
  return Math.sqrt(se / count);
}
