import type { Raster } from '../pixels/raster';
import type { Rgba } from '../plan/steps';

/** Pixels within `tolerance` (0..1 of the largest RGB distance) of `color`, or of the top-left pixel's colour, get alpha 0; in place. */
export function makeTransparent(r: Raster, tolerance: number, color?: Rgba): Raster {
  const d = r.data;
  const [tr, tg, tb] = color ?? [d[0], d[1], d[2]];
  const limit = (tolerance * Math.sqrt(3 * 255 * 255)) ** 2;
  let opaque = true;
  for (let i = 0; i < d.length; i += 4) {
    if ((d[i] - tr) ** 2 + (d[i + 1] - tg) ** 2 + (d[i + 2] - tb) ** 2 <= limit) d[i + 3] = 0;
    if (d[i + 3] < 255) opaque = false;
  }
  return { ...r, opaque };
}
