import type { Raster } from '../pixels/raster';

/** Mirror: 'horizontal' swaps left and right, 'vertical' swaps top and bottom. */
export function flip(r: Raster, axis: 'horizontal' | 'vertical'): Raster {
  const { width: w, height: h } = r;
  const out = new Uint8Array(w * h * 4);
  if (axis === 'vertical') {
    for (let y = 0; y < h; y++) out.set(r.data.subarray(y * w * 4, (y + 1) * w * 4), (h - 1 - y) * w * 4);
  } else {
    const src = new Uint32Array(r.data.buffer, r.data.byteOffset, w * h);
    const dst = new Uint32Array(out.buffer);
    for (let y = 0; y < h; y++) {
      const row = y * w;
      for (let x = 0; x < w; x++) dst[row + w - 1 - x] = src[row + x];
    }
  }
  return { width: w, height: h, data: out, opaque: r.opaque };
}
