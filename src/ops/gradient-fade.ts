import type { Raster } from '../pixels/raster';

/** Alpha times (distance from `edge` / depth)^power within `depth` pixels of it (and of the opposite edge when symmetric); in place. */
export function gradientFade(r: Raster, edge: 'top' | 'bottom' | 'left' | 'right', depth: number, power: number, symmetric: boolean): Raster {
  const { width: w, height: h, data: d } = r;
  const vertical = edge === 'top' || edge === 'bottom';
  const n = vertical ? h : w;
  const ramp = new Float32Array(n).fill(1);
  const fade = (dist: number) => Math.min(1, (dist + 0.5) / Math.max(1, depth)) ** power;
  for (let t = 0; t < n; t++) {
    const fromStart = edge === 'top' || edge === 'left';
    ramp[t] = fade(fromStart ? t : n - 1 - t);
    if (symmetric) ramp[t] = Math.min(ramp[t], fade(fromStart ? n - 1 - t : t));
  }
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4 + 3;
      d[i] = Math.round(d[i] * ramp[vertical ? y : x]);
    }
  return { ...r, opaque: false };
}
