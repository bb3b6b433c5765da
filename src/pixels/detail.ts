import { gaussianBlur } from './blur';
import type { Raster } from './raster';

/**
 * Unsharp mask on R, G, B clamped to the range of each pixel's 3x3 neighbourhood (per channel):
 * edges get steeper but never overshoot their surroundings, so no halos (premium downscaling).
 */
export function detailBoost(r: Raster, sigma: number, amount: number): Raster {
  const { width: w, height: h, data: src } = r;
  const blurred = gaussianBlur({ ...r, opaque: true }, sigma).data; // colour only: no premultiply
  // 3-wide running min/max along rows, then along columns.
  const rowMin = new Uint8Array(src.length), rowMax = new Uint8Array(src.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4, l = x > 0 ? i - 4 : i, rt = x < w - 1 ? i + 4 : i;
      for (let c = 0; c < 3; c++) {
        const a = src[l + c], b = src[i + c], d = src[rt + c];
        rowMin[i + c] = a < b ? (a < d ? a : d) : b < d ? b : d;
        rowMax[i + c] = a > b ? (a > d ? a : d) : b > d ? b : d;
      }
    }
  }
  const out = new Uint8Array(src.length);
  const stride = w * 4;
  for (let y = 0; y < h; y++) {
    const up = y > 0 ? -stride : 0, down = y < h - 1 ? stride : 0;
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      for (let c = 0; c < 3; c++) {
        const j = i + c;
        const lo = Math.min(rowMin[j + up], rowMin[j], rowMin[j + down]);
        const hi = Math.max(rowMax[j + up], rowMax[j], rowMax[j + down]);
        const v = src[j] + amount * (src[j] - blurred[j]);
        out[j] = v <= lo ? lo : v >= hi ? hi : v + 0.5;
      }
      out[i + 3] = src[i + 3];
    }
  }
  return { width: w, height: h, data: out, opaque: r.opaque };
}
