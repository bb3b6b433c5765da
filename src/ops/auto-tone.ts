/**
 * Automatic tone corrections (e_auto_brightness, e_auto_contrast, e_auto_color, e_improve,
 * e_fill_light): measured on the image, applied through per-channel tables, mixed with the
 * original by `blend`. ImageMagick's -auto-level (range stretch, here clipped at 0.5% on either end
 * so that a few outliers do not decide) and -auto-gamma (mean to mid grey); `equalize` (e_tint's)
 * maps luminance through its cumulative histogram, one table for the three channels.
 */
import type { Raster } from '../pixels/raster';

type Correction = 'levels' | 'channel-levels' | 'gamma' | 'shadows' | 'equalize';

/** The values at the 0.5% and 99.5% points of a histogram of n samples. */
function range(hist: Uint32Array, n: number): [number, number] {
  const cut = n * 0.005;
  let lo = 0,
    hi = 255,
    acc = 0;
  for (; lo < 255 && acc + hist[lo] <= cut; lo++) acc += hist[lo];
  acc = 0;
  for (; hi > 0 && acc + hist[hi] <= cut; hi--) acc += hist[hi];
  return hi > lo ? [lo, hi] : [0, 255];
}

function stretch(table: Uint8Array, lo: number, hi: number): void {
  for (let v = 0; v < 256; v++) table[v] = Math.max(0, Math.min(255, Math.round(((table[v] - lo) * 255) / (hi - lo))));
}

export function autoTone(r: Raster, corrections: readonly Correction[], blend: number, amount: number): Raster {
  const d = r.data;
  const n = r.width * r.height;
  // One table per channel, built correction by correction on the image as corrected so far.
  const tables = [0, 1, 2].map(() => Uint8Array.from({ length: 256 }, (_, v) => v));
  const histograms = () => {
    const h = [new Uint32Array(256), new Uint32Array(256), new Uint32Array(256), new Uint32Array(256)];
    for (let i = 0; i < d.length; i += 4) {
      const rr = tables[0][d[i]],
        gg = tables[1][d[i + 1]],
        bb = tables[2][d[i + 2]];
      h[0][rr]++;
      h[1][gg]++;
      h[2][bb]++;
      h[3][Math.round(0.2126 * rr + 0.7152 * gg + 0.0722 * bb)]++;
    }
    return h;
  };
  for (const c of corrections) {
    const h = histograms();
    if (c === 'levels') {
      const [lo, hi] = range(h[3], n);
      for (const t of tables) stretch(t, lo, hi);
    } else if (c === 'channel-levels') {
      for (let ch = 0; ch < 3; ch++) stretch(tables[ch], ...range(h[ch], n));
    } else if (c === 'equalize') {
      let below = 0;
      const first = h[3].findIndex((n) => n > 0);
      const rest = n - h[3][first];
      const map = new Uint8Array(256);
      for (let v = 0; v < 256; v++) {
        below += h[3][v];
        map[v] = rest > 0 ? Math.max(0, Math.min(255, Math.round(((below - h[3][first]) * 255) / rest))) : v;
      }
      for (const t of tables) for (let v = 0; v < 256; v++) t[v] = map[t[v]];
    } else if (c === 'gamma') {
      let sum = 0;
      for (let v = 0; v < 256; v++) sum += v * h[3][v];
      const mean = Math.min(0.95, Math.max(0.05, sum / n / 255));
      const gamma = Math.log(0.5) / Math.log(mean);
      for (const t of tables) for (let v = 0; v < 256; v++) t[v] = Math.round(255 * (t[v] / 255) ** gamma);
    } else {
      // Fill light: dark tones lifted most, highlights kept: v + amount * v * (1 - v)^2 * 4 (peak at a third).
      for (const t of tables)
        for (let v = 0; v < 256; v++) {
          const u = t[v] / 255;
          t[v] = Math.round(255 * Math.min(1, u + amount * 4 * u * (1 - u) ** 2));
        }
    }
  }
  for (let i = 0; i < d.length; i += 4) for (let ch = 0; ch < 3; ch++) d[i + ch] = Math.round(d[i + ch] * (1 - blend) + tables[ch][d[i + ch]] * blend);
  return r;
}
