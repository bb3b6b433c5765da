/**
 * Palette quantisation for GIF and PNG8: median cut over a 5-bit-per-channel histogram of the
 * opaque pixels, each box's colour the mean of its pixels; pixels with alpha under 128 take one
 * extra transparent index. Memory: the histogram (32 K bins, 5 words each) and one index per pixel.
 */
import type { Raster } from '../pixels/raster';

export interface Quantized {
  /** RGB triples; with a transparent index its entry is black. */
  palette: Uint8Array;
  /** One palette index per pixel. */
  indices: Uint8Array;
  /** The index of fully transparent pixels, or -1. */
  transparent: number;
}

const BINS = 1 << 15;
const binOf = (r: number, g: number, b: number) => ((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3);

/** At most `maxColors` (2-256) entries, the transparent one included. */
export function quantize(r: Raster, maxColors = 256): Quantized {
  const { data } = r;
  const n = r.width * r.height;
  const count = new Uint32Array(BINS);
  const sums = new Float64Array(BINS * 3);
  let clear = false;
  for (let i = 0, o = 0; i < n; i++, o += 4) {
    if (data[o + 3] < 128) {
      clear = true;
      continue;
    }
    const bin = binOf(data[o], data[o + 1], data[o + 2]);
    count[bin]++;
    sums[bin * 3] += data[o];
    sums[bin * 3 + 1] += data[o + 1];
    sums[bin * 3 + 2] += data[o + 2];
  }
  const used: number[] = [];
  for (let bin = 0; bin < BINS; bin++) if (count[bin]) used.push(bin);
  const colours = Math.max(1, maxColors - (clear ? 1 : 0));
  const boxes = medianCut(used, count, colours);
  const palette = new Uint8Array((boxes.length + (clear ? 1 : 0)) * 3 || 3);
  const binIndex = new Int16Array(BINS).fill(-1);
  boxes.forEach((box, i) => {
    let total = 0,
      sr = 0,
      sg = 0,
      sb = 0;
    for (const bin of box) {
      total += count[bin];
      sr += sums[bin * 3];
      sg += sums[bin * 3 + 1];
      sb += sums[bin * 3 + 2];
    }
    palette[i * 3] = Math.round(sr / total);
    palette[i * 3 + 1] = Math.round(sg / total);
    palette[i * 3 + 2] = Math.round(sb / total);
  });
  // Each bin to its own box's colour: a search of the nearest palette colour per bin would cost up to
  // 32 K x 256 distances per frame, for a fraction of a dB.
  boxes.forEach((box, i) => {
    for (const bin of box) binIndex[bin] = i;
  });
  const transparent = clear ? boxes.length : -1;
  const indices = new Uint8Array(n);
  for (let i = 0, o = 0; i < n; i++, o += 4) indices[i] = data[o + 3] < 128 ? transparent : binIndex[binOf(data[o], data[o + 1], data[o + 2])];
  return { palette, indices, transparent };
}

/** Splits the box with the most pixels times its widest channel range, at its pixel median along that channel. */
function medianCut(used: number[], count: Uint32Array, colours: number): number[][] {
  if (used.length === 0) return [];
  const channel = (bin: number, c: number) => (bin >> (10 - 5 * c)) & 31;
  interface Box {
    bins: number[];
    pixels: number;
    axis: number;
    score: number;
  }
  const measure = (bins: number[]): Box => {
    let pixels = 0;
    let lo0 = 31,
      lo1 = 31,
      lo2 = 31,
      hi0 = 0,
      hi1 = 0,
      hi2 = 0;
    for (const bin of bins) {
      pixels += count[bin];
      const r = bin >> 10,
        g = (bin >> 5) & 31,
        b = bin & 31;
      if (r < lo0) lo0 = r;
      if (r > hi0) hi0 = r;
      if (g < lo1) lo1 = g;
      if (g > hi1) hi1 = g;
      if (b < lo2) lo2 = b;
      if (b > hi2) hi2 = b;
    }
    const ranges = [(hi0 - lo0) * 2, (hi1 - lo1) * 4, (hi2 - lo2) * 3];
    const axis = ranges.indexOf(Math.max(...ranges));
    return { bins, pixels, axis, score: bins.length < 2 ? 0 : pixels * (ranges[axis] + 1) };
  };
  const boxes: Box[] = [measure(used)];
  while (boxes.length < colours) {
    let pick = -1;
    let best = 0;
    for (let i = 0; i < boxes.length; i++)
      if (boxes[i].score > best) {
        best = boxes[i].score;
        pick = i;
      }
    if (pick < 0) break;
    const { bins, pixels, axis } = boxes[pick];
    bins.sort((a, b) => channel(a, axis) - channel(b, axis));
    let acc = 0;
    let cut = 1;
    for (let i = 0; i < bins.length - 1; i++) {
      acc += count[bins[i]];
      cut = i + 1;
      if (acc * 2 >= pixels) break;
    }
    boxes.splice(pick, 1, measure(bins.slice(0, cut)), measure(bins.slice(cut)));
  }
  return boxes.map((b) => b.bins);
}
