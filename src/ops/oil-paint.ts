import type { Raster } from '../pixels/raster';

/**
 * The classic oil-paint filter (as ImageMagick's -paint): for each pixel, the intensities within
 * `radius` are binned into `levels`; the pixel takes the mean colour of the most frequent bin.
 */
export function oilPaint(r: Raster, radius: number, levels: number): Raster {
  const { width: w, height: h, data: d } = r;
  const out = new Uint8Array(d.length);
  const bin = new Uint8Array(w * h);
  for (let p = 0, i = 0; p < w * h; p++, i += 4) bin[p] = Math.min(levels - 1, Math.floor((((d[i] + d[i + 1] + d[i + 2]) / 3) * levels) / 256));
  const count = new Int32Array(levels),
    sr = new Int32Array(levels),
    sg = new Int32Array(levels),
    sb = new Int32Array(levels);
  for (let y = 0; y < h; y++) {
    const y0 = Math.max(0, y - radius),
      y1 = Math.min(h - 1, y + radius);
    for (let x = 0; x < w; x++) {
      const x0 = Math.max(0, x - radius),
        x1 = Math.min(w - 1, x + radius);
      count.fill(0);
      sr.fill(0);
      sg.fill(0);
      sb.fill(0);
      for (let yy = y0; yy <= y1; yy++)
        for (let xx = x0; xx <= x1; xx++) {
          const p = yy * w + xx,
            i = p * 4,
            b = bin[p];
          count[b]++;
          sr[b] += d[i];
          sg[b] += d[i + 1];
          sb[b] += d[i + 2];
        }
      let best = 0;
      for (let b = 1; b < levels; b++) if (count[b] > count[best]) best = b;
      const o = (y * w + x) * 4;
      out[o] = Math.round(sr[best] / count[best]);
      out[o + 1] = Math.round(sg[best] / count[best]);
      out[o + 2] = Math.round(sb[best] / count[best]);
      out[o + 3] = d[o + 3];
    }
  }
  return { width: w, height: h, data: out, opaque: r.opaque };
}
