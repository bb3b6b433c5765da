import type { Raster } from '../pixels/raster';

/** Multiplies alpha by percent/100 (clamped to 0..100), in place. */
export function opacity(r: Raster, percent: number): Raster {
  const f = Math.min(100, Math.max(0, percent)) / 100;
  if (f === 1) return r;
  const d = r.data;
  for (let i = 3; i < d.length; i += 4) d[i] = Math.round(d[i] * f);
  r.opaque = false;
  return r;
}
