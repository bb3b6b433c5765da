/**
 * b_auto: the padding's colour picked from the image (breadth §3 "b_auto"). The predominant colour
 * is the most frequent of the sampled pixels quantised to 4 bits per channel (returned as the mean
 * of that bin's pixels, so a flat colour comes back exact); `border` samples a frame of 2% of the
 * shorter side (at least one pixel), `predominant` the whole image (every pixel up to 256k, a grid
 * above). Pixels under half alpha vote for transparent. With a palette each pixel votes for its
 * nearest palette colour. `_contrast`: the colour farthest from the predominant one: from the
 * palette, or else each channel at the opposite end of its range (the RGB cube's farthest corner);
 * what Cloudinary computes for it is not documented [unconfirmed]. `*_gradient`: the top 2 colours
 * (by votes, each its bin's mean; `_contrast`: each one's contrast) from one side to the other along
 * the direction (horizontal: left to right; vertical: top to bottom; diagonal_desc: top-left to
 * bottom-right; diagonal_asc: bottom-left to top-right), or the top 4 at the corners (top-left,
 * top-right, bottom-right, bottom-left, in order of votes) mixed bilinearly; linear in sRGB values.
 */
import type { AutoFill } from '../plan/steps';
import type { Raster, Rgba } from '../pixels/raster';
import { pad } from './pad';

export function padAuto(r: Raster, width: number, height: number, x: number, y: number, fill: AutoFill): Raster {
  if (!fill.gradient) return pad(r, width, height, x, y, autoColor(r, fill));
  const colors = ranked(r, fill).slice(0, fill.gradient.colors);
  while (colors.length < fill.gradient.colors) colors.push(colors[colors.length - 1] ?? [0, 0, 0, 0]);
  const ends = fill.contrast ? colors.map((c) => contrastOf(c, fill)) : colors;
  const out = pad(r, width, height, x, y, [0, 0, 0, 0]);
  paintGradient(out, ends, fill.gradient.direction, { x: Math.round(x), y: Math.round(y), width: r.width, height: r.height });
  out.opaque = r.opaque && ends.every((c) => c[3] === 255);
  return out;
}

/** Fills the canvas outside `keep` (where the image was pasted) with the gradient. */
function paintGradient(
  out: Raster,
  c: Rgba[],
  direction: NonNullable<AutoFill['gradient']>['direction'],
  keep: { x: number; y: number; width: number; height: number },
): void {
  const { width: W, height: H, data } = out;
  const mix = (u: number, v: number, ch: number): number => {
    if (c.length === 4) {
      const top = c[0][ch] * (1 - u) + c[1][ch] * u;
      const bottom = c[3][ch] * (1 - u) + c[2][ch] * u;
      return top * (1 - v) + bottom * v;
    }
    const t = direction === 'horizontal' ? u : direction === 'vertical' ? v : direction === 'diagonal_desc' ? (u + v) / 2 : (u + 1 - v) / 2;
    return c[0][ch] * (1 - t) + c[1][ch] * t;
  };
  for (let y = 0; y < H; y++) {
    const v = H > 1 ? y / (H - 1) : 0;
    const inside = y >= keep.y && y < keep.y + keep.height;
    for (let x = 0; x < W; x++) {
      if (inside && x >= keep.x && x < keep.x + keep.width) continue;
      const u = W > 1 ? x / (W - 1) : 0;
      const i = (y * W + x) * 4;
      for (let ch = 0; ch < 4; ch++) data[i + ch] = Math.round(mix(u, v, ch));
    }
  }
}

export function autoColor(r: Raster, fill: AutoFill): Rgba {
  const winner = predominant(r, fill);
  if (!fill.contrast) return winner;
  return contrastOf(winner, fill);
}

function contrastOf(winner: Rgba, fill: AutoFill): Rgba {
  if (fill.palette?.length) {
    let best = fill.palette[0];
    let far = -1;
    for (const p of fill.palette) {
      const d = distance(p, winner);
      if (d > far) {
        far = d;
        best = p;
      }
    }
    return best;
  }
  return [winner[0] > 127 ? 0 : 255, winner[1] > 127 ? 0 : 255, winner[2] > 127 ? 0 : 255, 255];
}

const SAMPLES = 256 * 1024;
const TRANSPARENT = 4096;

function predominant(r: Raster, fill: AutoFill): Rgba {
  return ranked(r, fill)[0];
}

/** The voted colours, most votes first (at least one: transparent when nothing voted). */
function ranked(r: Raster, fill: AutoFill): Rgba[] {
  const { width: W, height: H, data } = r;
  const palette = fill.palette?.length ? fill.palette : undefined;
  const bins = palette ? palette.length + 1 : TRANSPARENT + 1;
  const count = new Float64Array(bins);
  const sums = new Float64Array(bins * 3);
  const vote = (x: number, y: number) => {
    const i = (y * W + x) * 4;
    let b: number;
    if (data[i + 3] < 128) b = bins - 1;
    else if (palette) b = nearest(palette, data, i);
    else b = ((data[i] >> 4) << 8) | ((data[i + 1] >> 4) << 4) | (data[i + 2] >> 4);
    count[b]++;
    sums[b * 3] += data[i];
    sums[b * 3 + 1] += data[i + 1];
    sums[b * 3 + 2] += data[i + 2];
  };
  if (fill.from === 'border') {
    const t = Math.max(1, Math.round(Math.min(W, H) * 0.02));
    for (let y = 0; y < H; y++) {
      const edgeRow = y < t || y >= H - t;
      if (edgeRow) for (let x = 0; x < W; x++) vote(x, y);
      else
        for (let x = 0; x < Math.min(t, W); x++) {
          vote(x, y);
          if (W - 1 - x >= t) vote(W - 1 - x, y);
        }
    }
  } else {
    const step = Math.max(1, Math.ceil(Math.sqrt((W * H) / SAMPLES)));
    for (let y = 0; y < H; y += step) for (let x = 0; x < W; x += step) vote(x, y);
  }
  const order: number[] = [];
  for (let b = 0; b < bins; b++) if (count[b] > 0) order.push(b);
  // Most votes first; ties to the lower bin, as a single pick always did.
  order.sort((a, b) => count[b] - count[a] || a - b);
  const colorOf = (b: number): Rgba => {
    if (b === bins - 1) return [0, 0, 0, 0];
    if (palette) return palette[b];
    const n = count[b] || 1;
    return [Math.round(sums[b * 3] / n), Math.round(sums[b * 3 + 1] / n), Math.round(sums[b * 3 + 2] / n), 255];
  };
  return order.length ? order.slice(0, 4).map(colorOf) : [colorOf(0)];
}

function nearest(palette: readonly Rgba[], d: Uint8Array, i: number): number {
  let best = 0;
  let bestD = Infinity;
  for (let p = 0; p < palette.length; p++) {
    const c = palette[p];
    const dist = (c[0] - d[i]) ** 2 + (c[1] - d[i + 1]) ** 2 + (c[2] - d[i + 2]) ** 2;
    if (dist < bestD) {
      bestD = dist;
      best = p;
    }
  }
  return best;
}

function distance(a: Rgba, b: Rgba): number {
  return (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2 + (a[2] - b[2]) ** 2;
}
