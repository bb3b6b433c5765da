/**
 * Separable filter engine shared by resize and blur. A filter along one axis is a table of taps:
 * for each output sample, `size` weights starting at input index start[o] (edges clamped, weights
 * normalised to 1). One pass reads rows and writes its result TRANSPOSED, so running two passes
 * filters x then y and leaves the image upright again; every pass is a cache-friendly row pass.
 * Pixels are RGBA; the float intermediate is optionally alpha-premultiplied.
 */
export interface Taps {
  outSize: number;
  /** Taps per output sample (fixed; unused trailing weights are 0). */
  size: number;
  start: Int32Array;
  weights: Float32Array;
}

/**
 * Taps mapping inSize samples to outSize, for `kernel` with the given support radius (in units
 * of kernel space), stretched by `stretch` in input space (stretch > 1 when downscaling, for
 * antialiasing). Sample centres: input x = (o + 0.5) * inSize / outSize - 0.5.
 */
export function buildTaps(inSize: number, outSize: number, kernel: (x: number) => number, support: number, stretch: number): Taps {
  const scale = inSize / outSize;
  const reach = support * stretch;
  const size = Math.min(inSize, Math.ceil(reach) * 2 + 1);
  const start = new Int32Array(outSize);
  const weights = new Float32Array(outSize * size);
  const tmp = new Float64Array(size);
  for (let o = 0; o < outSize; o++) {
    const center = (o + 0.5) * scale - 0.5;
    let lo = Math.ceil(center - reach);
    let hi = Math.floor(center + reach);
    // Keep the window within [0, inSize) and `size` long; out-of-range taps fold onto the edge.
    let s = Math.round(center) - (size >> 1);
    if (s < 0) s = 0;
    if (s + size > inSize) s = inSize - size;
    tmp.fill(0);
    let sum = 0;
    if (hi < lo) lo = hi = Math.round(center);
    for (let j = lo; j <= hi; j++) {
      const w = kernel((j - center) / stretch);
      if (w === 0) continue;
      let k = j < 0 ? 0 : j >= inSize ? inSize - 1 : j;
      k -= s;
      if (k < 0) k = 0;
      else if (k >= size) k = size - 1;
      tmp[k] += w;
      sum += w;
    }
    start[o] = s;
    const base = o * size;
    if (sum === 0) {
      const k = Math.min(size - 1, Math.max(0, Math.round(center) - s));
      weights[base + k] = 1;
    } else for (let k = 0; k < size; k++) weights[base + k] = tmp[k] / sum;
  }
  return { outSize, size, start, weights };
}

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
      let r = 0, g = 0, b = 0, a = 0;
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
      let r = 0, g = 0, b = 0, a = 0;
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

/** Lanczos windowed sinc with a = 3 (support 3). */
export function lanczos3(x: number): number {
  if (x === 0) return 1;
  if (x <= -3 || x >= 3) return 0;
  const px = Math.PI * x;
  return (3 * Math.sin(px) * Math.sin(px / 3)) / (px * px);
}
