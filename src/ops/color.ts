/**
 * Colour transforms: one affine 3x4 matrix on R, G and B (0-255; alpha kept), the executor of
 * every colour effect the planner turns into a `color` step (plan/effects.ts). Per pixel, so it
 * runs on the row stream as well as on a raster.
 */
import type { Raster } from '../pixels/raster';
import { mapRows, type Rows } from '../pixels/rows';
import type { ColorMatrix } from '../plan/steps';

export function applyColorMatrix(data: Uint8Array, m: ColorMatrix): void {
  const [r0, r1, r2, r3, g0, g1, g2, g3, b0, b1, b2, b3] = m;
  for (let i = 0; i < data.length; i += 4) {
    const r = data[i],
      g = data[i + 1],
      b = data[i + 2];
    // Uint8Array stores clamp nothing: clamp, then round (Math.round of a value in [0, 255]).
    data[i] = Math.round(Math.min(255, Math.max(0, r0 * r + r1 * g + r2 * b + r3)));
    data[i + 1] = Math.round(Math.min(255, Math.max(0, g0 * r + g1 * g + g2 * b + g3)));
    data[i + 2] = Math.round(Math.min(255, Math.max(0, b0 * r + b1 * g + b2 * b + b3)));
  }
}

export function color(r: Raster, m: ColorMatrix): Raster {
  applyColorMatrix(r.data, m);
  return r;
}

export function colorRows(src: Rows, m: ColorMatrix): Rows {
  return mapRows(src, (band) => applyColorMatrix(band, m));
}
