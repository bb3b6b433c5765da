import type { Raster } from '../pixels/raster';

/** BT.601 luma (0.299 R + 0.587 G + 0.114 B) into R, G and B, in place; alpha kept. */
export function grayscale(r: Raster): Raster {
  const d = r.data;
  for (let i = 0; i < d.length; i += 4) {
    // Fixed point: weights * 65536 (19595 + 38470 + 7471 = 65536).
    const y = (19595 * d[i] + 38470 * d[i + 1] + 7471 * d[i + 2] + 32768) >> 16;
    d[i] = d[i + 1] = d[i + 2] = y;
  }
  return r;
}
