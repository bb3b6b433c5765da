import type { Raster } from './raster';
import { buildTaps, lanczos3 } from './resample';
import { filterRgba } from './resample-wasm';

/**
 * Lanczos3 resize to width x height (any aspect change). When downscaling, the kernel is
 * stretched by the scale factor (proper antialiasing, like libvips/sharp); images with alpha are
 * filtered premultiplied so transparent pixels do not bleed colour.
 */
export function resize(r: Raster, width: number, height: number): Raster {
  width = Math.max(1, Math.round(width));
  height = Math.max(1, Math.round(height));
  if (width === r.width && height === r.height) return { ...r, data: r.data.slice() };
  const premul = !r.opaque;
  const tx = buildTaps(r.width, width, lanczos3, 3, Math.max(1, r.width / width));
  const ty = buildTaps(r.height, height, lanczos3, 3, Math.max(1, r.height / height));
  const data = filterRgba(r.data, r.width, r.height, tx, ty, premul);
  if (r.opaque) for (let i = 3; i < data.length; i += 4) data[i] = 255;
  return { width, height, data, opaque: r.opaque };
}
