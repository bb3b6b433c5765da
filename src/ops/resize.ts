import type { Raster } from '../pixels/raster';
import { lanczosTaps } from './taps';
import { filterRows } from '../kernels/resample';
import { collectRows, rasterRows, type Rows } from '../pixels/rows';

/**
 * Lanczos3 resize to width x height (any aspect change). When downscaling, the kernel is
 * stretched by the scale factor (proper antialiasing, like libvips/sharp); images with alpha are
 * filtered premultiplied so transparent pixels do not bleed colour.
 */
export function resize(r: Raster, width: number, height: number, widen = 1): Raster {
  width = Math.max(1, Math.round(width));
  height = Math.max(1, Math.round(height));
  if (width === r.width && height === r.height) return { ...r, data: r.data.slice() };
  return collectRows(resizeRows(rasterRows(r), width, height, widen));
}

/**
 * resize() on streamed rows: output bands come as the taps' source rows arrive. `widen` > 1
 * stretches the kernel beyond the downscale factor (a softer prefilter: less aliasing).
 */
export function resizeRows(src: Rows, width: number, height: number, widen = 1): Rows {
  const tx = lanczosTaps(src.width, width, Math.max(1, src.width / width) * widen);
  const ty = lanczosTaps(src.height, height, Math.max(1, src.height / height) * widen);
  const rows = filterRows(src, tx, ty, !src.opaque);
  if (!src.opaque) return rows;
  // The filter leaves alpha as filtered (255 for opaque input, up to rounding): pin it.
  return {
    width: rows.width,
    height: rows.height,
    opaque: true,
    next() {
      const band = rows.next();
      for (let i = 3; i < band.length; i += 4) band[i] = 255;
      return band;
    },
    close: () => rows.close(),
  };
}
