import type { Raster } from '../pixels/raster';

/**
 * e_cartoonify: colours posterised to `levels` per channel with a saturation boost (or gray for
 * black and white), and dark lines where the luma gradient (Sobel) exceeds `edge`, thickened to
 * `lineWidth` pixels. In place.
 */
export function cartoonify(r: Raster, edge: number, lineWidth: number, levels: number, bw: boolean): Raster {
  const { width: w, height: h, data: d } = r;
  const luma = new Float32Array(w * h);
  for (let p = 0; p < w * h; p++) luma[p] = 0.2126 * d[p * 4] + 0.7152 * d[p * 4 + 1] + 0.0722 * d[p * 4 + 2];
  const at = (x: number, y: number) => luma[Math.min(h - 1, Math.max(0, y)) * w + Math.min(w - 1, Math.max(0, x))];
  const line = new Uint8Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const gx = at(x + 1, y - 1) + 2 * at(x + 1, y) + at(x + 1, y + 1) - at(x - 1, y - 1) - 2 * at(x - 1, y) - at(x - 1, y + 1);
      const gy = at(x - 1, y + 1) + 2 * at(x, y + 1) + at(x + 1, y + 1) - at(x - 1, y - 1) - 2 * at(x, y - 1) - at(x + 1, y - 1);
      if (Math.hypot(gx, gy) > edge) line[y * w + x] = 1;
    }
  const reach = Math.max(0, Math.floor((lineWidth - 1) / 2));
  const step = 255 / (levels - 1);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      let dark = false;
      for (let yy = Math.max(0, y - reach); yy <= Math.min(h - 1, y + reach) && !dark; yy++)
        for (let xx = Math.max(0, x - reach); xx <= Math.min(w - 1, x + reach); xx++) if (line[yy * w + xx]) dark = true;
      if (dark) {
        d[i] = d[i + 1] = d[i + 2] = 20;
        continue;
      }
      if (bw) {
        const v = Math.round(Math.round(luma[y * w + x] / step) * step);
        d[i] = d[i + 1] = d[i + 2] = v;
        continue;
      }
      const y0 = luma[y * w + x];
      for (let c = 0; c < 3; c++) {
        const boosted = y0 + (d[i + c] - y0) * 1.3;
        d[i + c] = Math.max(0, Math.min(255, Math.round(Math.round(boosted / step) * step)));
      }
    }
  return r;
}
