import type { Raster } from '../pixels/raster';

/** Ordered dither: each of R, G, B to 255 where its value (0..1) is over the tiled map's threshold, else 0; alpha kept. */
export function dither(r: Raster, map: readonly number[], size: number): Raster {
  const { width, height, data } = r;
  const out = new Uint8Array(data.length);
  const thresholds = Uint8Array.from(map, (t) => Math.min(255, Math.floor(t * 255)));
  for (let y = 0; y < height; y++) {
    const row = (y % size) * size;
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const t = thresholds[row + (x % size)];
      out[i] = data[i] > t ? 255 : 0;
      out[i + 1] = data[i + 1] > t ? 255 : 0;
      out[i + 2] = data[i + 2] > t ? 255 : 0;
      out[i + 3] = data[i + 3];
    }
  }
  return { width, height, data: out, opaque: r.opaque };
}
