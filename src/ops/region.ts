import type { Raster } from '../pixels/raster';
import type { Rect } from '../plan/steps';

/** The rectangle clipped to the raster, in whole pixels; null when nothing is left. */
export function clip(r: Raster, rect: Rect | undefined): Rect | null {
  if (!rect) return { x: 0, y: 0, width: r.width, height: r.height };
  const x0 = Math.max(0, Math.round(rect.x)),
    y0 = Math.max(0, Math.round(rect.y));
  const x1 = Math.min(r.width, Math.round(rect.x + rect.width)),
    y1 = Math.min(r.height, Math.round(rect.y + rect.height));
  return x1 > x0 && y1 > y0 ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } : null;
}
