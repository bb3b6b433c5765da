/**
 * The separable filter in plain TypeScript (the engine before the WASM kernel), kept as the test
 * reference: each pass reads rows and writes its result transposed, so two passes filter x then y.
 */
import type { Taps } from '../../src/ops/taps';

/**
 * Pass over 8-bit RGBA rows (width x height) -> float RGBA, transposed: result has outSize rows
 * of `height` pixels. With premultiply, colour channels are multiplied by alpha/255 first.
 */
export function passFromBytes(src: Uint8Array, width: number, height: number, taps: Taps, premultiply: boolean): Float32Array {
  const { outSize, size, start, weights } = taps;
  const dst = new Float32Array(outSize * height * 4);
  for (let y = 0; y < height; y++) {
    const row = y * width * 4;
    for (let o = 0; o < outSize; o++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      let p = row + start[o] * 4;
      const wb = o * size;
      if (premultiply) {
        for (let k = 0; k < size; k++, p += 4) {
          const w = weights[wb + k];
          const wa = (w * src[p + 3]) / 255;
          r += wa * src[p];
          g += wa * src[p + 1];
          b += wa * src[p + 2];
          a += w * src[p + 3];
        }
      } else {
        for (let k = 0; k < size; k++, p += 4) {
          const w = weights[wb + k];
          r += w * src[p];
          g += w * src[p + 1];
          b += w * src[p + 2];
          a += w * src[p + 3];
        }
      }
      const d = (o * height + y) * 4;
      dst[d] = r;
      dst[d + 1] = g;
      dst[d + 2] = b;
      dst[d + 3] = a;
    }
  }
  return dst;
}

/**
 * Pass over float RGBA rows (rows x rowLen) -> 8-bit RGBA transposed (outSize rows of `rows`
 * pixels), rounding and clamping; with unpremultiply, colour is divided by alpha/255.
 */
export function passToBytes(src: Float32Array, rowLen: number, rows: number, taps: Taps, unpremultiply: boolean): Uint8Array {
  const { outSize, size, start, weights } = taps;
  const dst = new Uint8Array(outSize * rows * 4);
  for (let y = 0; y < rows; y++) {
    const row = y * rowLen * 4;
    for (let o = 0; o < outSize; o++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      let p = row + start[o] * 4;
      const wb = o * size;
      for (let k = 0; k < size; k++, p += 4) {
        const w = weights[wb + k];
        r += w * src[p];
        g += w * src[p + 1];
        b += w * src[p + 2];
        a += w * src[p + 3];
      }
      if (unpremultiply) {
        if (a > 0.5) {
          const f = 255 / a;
          r *= f;
          g *= f;
          b *= f;
        } else r = g = b = 0;
      }
      const d = (o * rows + y) * 4;
      // Uint8Array stores truncate: add 0.5 and clamp for rounding.
      dst[d] = r <= 0 ? 0 : r >= 255 ? 255 : r + 0.5;
      dst[d + 1] = g <= 0 ? 0 : g >= 255 ? 255 : g + 0.5;
      dst[d + 2] = b <= 0 ? 0 : b >= 255 ? 255 : b + 0.5;
      dst[d + 3] = a <= 0 ? 0 : a >= 255 ? 255 : a + 0.5;
    }
  }
  return dst;
}
