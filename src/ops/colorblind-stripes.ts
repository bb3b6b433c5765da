import type { Raster } from '../pixels/raster';

/** Stripe period in pixels, and how many of them are dark. */
const PERIOD = 8;
const DARK = 3;

/**
 * e_assist_colorblind's stripes: pixels whose red and green differ get dark diagonal stripes, one
 * diagonal for the redder, the other for the greener, so red and green areas differ in texture.
 * A stripe pixel is darkened by strength x how far red and green are apart (full at a third of the range).
 */
export function colorblindStripes(r: Raster, strength: number): Raster {
  const { width, height, data } = r;
  const out = new Uint8Array(data);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const d = (data[i] - data[i + 1]) / 255;
      if (Math.abs(d) < 0.1) continue;
      const phase = d > 0 ? (x + y) % PERIOD : (((x - y) % PERIOD) + PERIOD) % PERIOD;
      if (phase >= DARK) continue;
      const k = 1 - strength * Math.min(1, Math.abs(d) * 3);
      out[i] = Math.round(data[i] * k);
      out[i + 1] = Math.round(data[i + 1] * k);
      out[i + 2] = Math.round(data[i + 2] * k);
    }
  return { width, height, data: out, opaque: r.opaque };
}
