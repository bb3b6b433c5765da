import { blur } from './blur';
import type { Raster } from '../pixels/raster';

/**
 * Unsharp mask: out = in + amount * (in - gaussian(in, sigma)) on R, G, B (alpha untouched),
 * clamped. With threshold > 0, a channel whose |in - blurred| is below it is left unchanged.
 */
export function sharpen(r: Raster, sigma: number, amount: number, threshold = 0): Raster {
  const blurred = blur({ ...r, opaque: true }, sigma).data; // colour only: no premultiply
  const src = r.data;
  // Sharpened over the blurred copy (pixel i reads only blurred[i]): one raster fewer (plan/ops.ts).
  const out = blurred;
  for (let i = 0; i < src.length; i += 4) {
    for (let c = 0; c < 3; c++) {
      const v = src[i + c];
      const d = v - blurred[i + c];
      if (d === 0 || (threshold > 0 && Math.abs(d) < threshold)) {
        out[i + c] = v;
        continue;
      }
      const s = v + amount * d;
      out[i + c] = s <= 0 ? 0 : s >= 255 ? 255 : s + 0.5;
    }
    out[i + 3] = src[i + 3];
  }
  return { width: r.width, height: r.height, data: out, opaque: r.opaque };
}
