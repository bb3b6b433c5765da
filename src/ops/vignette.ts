import type { Raster } from '../pixels/raster';

/** Darkens towards the corners: each pixel times 1 - strength * (distance from the centre / half diagonal)^2; in place. */
export function vignette(r: Raster, strength: number): Raster {
  const d = r.data;
  const cx = (r.width - 1) / 2,
    cy = (r.height - 1) / 2;
  const half = cx * cx + cy * cy || 1;
  for (let y = 0; y < r.height; y++) {
    const dy = (y - cy) ** 2;
    for (let x = 0; x < r.width; x++) {
      const k = 1 - (strength * ((x - cx) ** 2 + dy)) / half;
      const i = (y * r.width + x) * 4;
      d[i] = Math.round(d[i] * k);
      d[i + 1] = Math.round(d[i + 1] * k);
      d[i + 2] = Math.round(d[i + 2] * k);
    }
  }
  return r;
}
