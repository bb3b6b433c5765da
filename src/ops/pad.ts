import type { Raster, Rgba } from '../pixels/raster';

/**
 * A width x height canvas filled with background, with r pasted with its top-left corner at
 * (x, y); x, y may be negative and r may stick out: the overlap is clipped. r's pixels replace
 * the background (no compositing).
 */
export function pad(r: Raster, width: number, height: number, x: number, y: number, background: Rgba): Raster {
  width = Math.max(1, Math.round(width));
  height = Math.max(1, Math.round(height));
  x = Math.round(x);
  y = Math.round(y);
  const out = new Uint8Array(width * height * 4);
  const bg = new Uint32Array(new Uint8Array([background[0], background[1], background[2], background[3]]).buffer)[0];
  new Uint32Array(out.buffer).fill(bg);
  const x0 = Math.max(0, x),
    x1 = Math.min(width, x + r.width);
  const y0 = Math.max(0, y),
    y1 = Math.min(height, y + r.height);
  if (x1 > x0)
    for (let oy = y0; oy < y1; oy++) {
      const s = ((oy - y) * r.width + (x0 - x)) * 4;
      out.set(r.data.subarray(s, s + (x1 - x0) * 4), (oy * width + x0) * 4);
    }
  const covers = x <= 0 && y <= 0 && x + r.width >= width && y + r.height >= height;
  return { width, height, data: out, opaque: r.opaque && (covers || background[3] === 255) };
}
