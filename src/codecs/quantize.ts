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
  // Each bin to its nearest palette colour (not only its own box's: a box's mean may sit nearer another bin).
  for (const bin of used)
    binIndex[bin] = nearest(palette, boxes.length, sums[bin * 3] / count[bin], sums[bin * 3 + 1] / count[bin], sums[bin * 3 + 2] / count[bin]);
  const transparent = clear ? boxes.length : -1;
  const indices = new Uint8Array(n);
  for (let i = 0, o = 0; i < n; i++, o += 4) indices[i] = data[o + 3] < 128 ? transparent : binIndex[binOf(data[o], data[o + 1], data[o + 2])];
  return { palette, indices, transparent };
}

function nearest(palette: Uint8Array, n: number, r: number, g: number, b: number): number {
  let best = 0,
    bestD = Infinity;
  for (let i = 0; i < n; i++) {
    const dr = palette[i * 3] - r,
      dg = palette[i * 3 + 1] - g,
      db = palette[i * 3 + 2] - b;
    const d = 2 * dr * dr + 4 * dg * dg + 3 * db * db;
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}

/** Splits the box with the most pixels times its widest channel range, at its pixel median along that channel. */
function medianCut(used: number[], count: Uint32Array, colours: number): number[][] {
  if (used.length === 0) return [];
  const boxes: number[][] = [used];
  const channel = (bin: number, c: number) => (bin >> (10 - 5 * c)) & 31;
  while (boxes.length < colours) {
    let pick = -1,
      pickScore = 0,
      pickAxis = 0;
    boxes.forEach((box, i) => {
      if (box.length < 2) return;
      let pixels = 0;
      const lo = [31, 31, 31],
        hi = [0, 0, 0];
      for (const bin of box) {
        pixels += count[bin];
        for (let c = 0; c < 3; c++) {
          const v = channel(bin, c);
          if (v < lo[c]) lo[c] = v;
          if (v > hi[c]) hi[c] = v;
        }
      }
      const ranges = [(hi[0] - lo[0]) * 2, (hi[1] - lo[1]) * 4, (hi[2] - lo[2]) * 3];
      const axis = ranges.indexOf(Math.max(...ranges));
      const score = pixels * (ranges[axis] + 1);
      if (score > pickScore) {
        pickScore = score;
        pick = i;
        pickAxis = axis;
      }
    });
    if (pick < 0) break;
    const box = boxes[pick].sort((a, b) => channel(a, pickAxis) - channel(b, pickAxis));
    let total = 0;
    for (const bin of box) total += count[bin];
    let acc = 0,
      cut = 1;
    for (let i = 0; i < box.length - 1; i++) {
      acc += count[box[i]];
      cut = i + 1;
      if (acc * 2 >= total) break;
    }
    boxes.splice(pick, 1, box.slice(0, cut), box.slice(cut));
  }
  return boxes;
}
