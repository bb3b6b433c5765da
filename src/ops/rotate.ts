import type { Raster } from '../pixels/raster';

/** Clockwise rotation by a right angle. */
export function rotate(r: Raster, degrees: 90 | 180 | 270): Raster {
  const { width: w, height: h } = r;
  const src = new Uint32Array(r.data.buffer, r.data.byteOffset, w * h);
  const out = new Uint8Array(w * h * 4);
  const dst = new Uint32Array(out.buffer);
  if (degrees === 180) {
    for (let i = 0, n = w * h; i < n; i++) dst[n - 1 - i] = src[i];
    return { width: w, height: h, data: out, opaque: r.opaque };
  }
  // 90 clockwise: source (x, y) -> (h - 1 - y, x) in a h-wide image; 270: (y, w - 1 - x).
  for (let y = 0; y < h; y++) {
    const row = y * w;
    if (degrees === 90) for (let x = 0; x < w; x++) dst[x * h + (h - 1 - y)] = src[row + x];
    else for (let x = 0; x < w; x++) dst[(w - 1 - x) * h + y] = src[row + x];
  }
  return { width: h, height: w, data: out, opaque: r.opaque };
}
