/**
 * Taps of the separable filter shared by resize and blur (run by resample-wasm.ts). A filter along
 * one axis is a table of taps: for each output sample, `size` weights starting at input index
 * start[o] (edges clamped, weights normalised to 1).
 */
export interface Taps {
  outSize: number;
  /** Taps per output sample (fixed; unused trailing weights are 0). */
  size: number;
  start: Int32Array;
  weights: Float32Array;
}

/** Where output sample o falls in the input: o * scale + offset (buildTaps' `at`). */
export interface TapPlacement {
  scale: number;
  offset: number;
}

/**
 * Taps mapping inSize samples to outSize, for `kernel` with the given support radius (in units
 * of kernel space), stretched by `stretch` in input space (stretch > 1 when downscaling, for
 * antialiasing). Sample centres: input x = (o + 0.5) * inSize / outSize - 0.5, unless `at` places
 * them (a window of a larger resize; chroma planes, whose samples sit between two pixels').
 */
export function buildTaps(inSize: number, outSize: number, kernel: (x: number) => number, support: number, stretch: number, at?: TapPlacement): Taps {
  const scale = at?.scale ?? inSize / outSize;
  const reach = support * stretch;
  const size = Math.min(inSize, Math.ceil(reach) * 2 + 1);
  const start = new Int32Array(outSize);
  const weights = new Float32Array(outSize * size);
  const tmp = new Float64Array(size);
  for (let o = 0; o < outSize; o++) {
    const center = at ? o * at.scale + at.offset : (o + 0.5) * scale - 0.5;
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
  return trimmed({ outSize, size, start, weights });
}

/** Below a 64th of the kernel's Q14 step: a weight the fixed-point kernel multiplies by 0 anyway. */
const NEGLIGIBLE = 2 ** -20;

/**
 * The same taps in the narrowest window that holds every output's non-zero weights: `size` is
 * 2 * ceil(reach) + 1 wherever the kernel is centred, while the window of non-zero weights is
 * shorter (Lanczos3 at 1.25x: 9 slots, at most 8 non-zero), and the kernel's cost is per slot
 * (an 8-tap window is 4 tap pairs instead of 5).
 */
function trimmed(t: Taps): Taps {
  const { outSize, size, start, weights } = t;
  const first = new Int32Array(outSize);
  let width = 1;
  for (let o = 0; o < outSize; o++) {
    let lo = 0;
    let hi = size - 1;
    while (lo < hi && Math.abs(weights[o * size + lo]) < NEGLIGIBLE) lo++;
    while (hi > lo && Math.abs(weights[o * size + hi]) < NEGLIGIBLE) hi--;
    first[o] = lo;
    width = Math.max(width, hi - lo + 1);
  }
  if (width === size) return t;
  const narrow = new Int32Array(outSize);
  const w = new Float32Array(outSize * width);
  for (let o = 0; o < outSize; o++) {
    // Inside the original window (within the input), and holding this output's non-zero weights.
    const skip = Math.min(first[o], size - width);
    narrow[o] = start[o] + skip;
    for (let k = 0; k < width; k++) w[o * width + k] = weights[o * size + skip + k];
  }
  return { outSize, size: width, start: narrow, weights: w };
}

/** Lanczos windowed sinc with a = 3 (support 3). */
/**
 * buildTaps with Lanczos3 (resize's kernel), kept for reuse: an isolate resizes the same
 * geometries again and again (a srcset's widths of same-size originals), and building the taps
 * costs about as much as filtering a small image (two sines per tap: ~0.9 ms for case 1's four
 * axes, measured). At most TAPS_KEPT sets of at most 64K weights each (256 KiB), oldest dropped
 * first. Taps are never written after they are built.
 */
export function lanczosTaps(inSize: number, outSize: number, stretch: number, at?: TapPlacement): Taps {
  const key = `${inSize} ${outSize} ${stretch} ${at ? `${at.scale} ${at.offset}` : ''}`;
  const kept = keptTaps.get(key);
  if (kept) return kept;
  const taps = buildTaps(inSize, outSize, lanczos3, 3, stretch, at);
  if (taps.weights.length <= 65536) {
    if (keptTaps.size >= TAPS_KEPT) keptTaps.delete(keptTaps.keys().next().value as string);
    keptTaps.set(key, taps);
  }
  return taps;
}

const TAPS_KEPT = 32;
const keptTaps = new Map<string, Taps>();

export function lanczos3(x: number): number {
  if (x === 0) return 1;
  if (x <= -3 || x >= 3) return 0;
  const px = Math.PI * x;
  return (3 * Math.sin(px) * Math.sin(px / 3)) / (px * px);
}
