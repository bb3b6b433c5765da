import type { Raster } from '../pixels/raster';

/** Uniform noise of +-amount (0-255 scale) on R, G and B, one value per pixel (mulberry32 seeded by `seed`); in place. */
export function noise(r: Raster, amount: number, seed: number): Raster {
  const d = r.data;
  let t = seed >>> 0;
  const random = () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let z = Math.imul(t ^ (t >>> 15), 1 | t);
    z = (z + Math.imul(z ^ (z >>> 7), 61 | z)) ^ z;
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
  const clamp = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));
  for (let i = 0; i < d.length; i += 4) {
    const n = (random() * 2 - 1) * amount;
    d[i] = clamp(d[i] + n);
    d[i + 1] = clamp(d[i + 1] + n);
    d[i + 2] = clamp(d[i + 2] + n);
  }
  return r;
}
