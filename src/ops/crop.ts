import { ImageError } from '../pixels/errors';
import type { Raster } from '../pixels/raster';

/** The width x height region at (x, y); the region is clipped to the image (never empty). */
export function crop(r: Raster, x: number, y: number, width: number, height: number): Raster {
  x = Math.max(0, Math.floor(x));
  y = Math.max(0, Math.floor(y));
  width = Math.min(Math.floor(width), r.width - x);
  height = Math.min(Math.floor(height), r.height - y);
  if (!(width > 0 && height > 0)) throw new ImageError('Crop region is outside the image');
  const out = new Uint8Array(width * height * 4);
  for (let row = 0; row < height; row++) {
    const s = ((y + row) * r.width + x) * 4;
    out.set(r.data.subarray(s, s + width * 4), row * width * 4);
  }
  return { width, height, data: out, opaque: r.opaque };
}
