import type { Raster, Rgba } from '../pixels/raster';

/** Composites r over an opaque background colour (its alpha is ignored); result is opaque. */
export function flatten(r: Raster, background: Rgba): Raster {
  const d = r.data;
  const out = new Uint8Array(d.length);
  const [br, bg, bb] = background;
  for (let i = 0; i < d.length; i += 4) {
    const a = d[i + 3];
    if (a === 255) {
      out[i] = d[i];
      out[i + 1] = d[i + 1];
      out[i + 2] = d[i + 2];
    } else {
      const ia = 255 - a;
      out[i] = (d[i] * a + br * ia + 127) / 255;
      out[i + 1] = (d[i + 1] * a + bg * ia + 127) / 255;
      out[i + 2] = (d[i + 2] * a + bb * ia + 127) / 255;
    }
    out[i + 3] = 255;
  }
  return { width: r.width, height: r.height, data: out, opaque: true };
}
