/**
 * c_fill_pad,g_auto: like c_fill, but padding instead of cutting off content the saliency says
 * must stay (breadth §3 "c_fill_pad"; Cloudinary's decision rule is [unconfirmed]). The salient box
 * is the span holding the central 90% of the edge energy on each axis (ops/crop-auto.ts's grid).
 * The scale is the largest between fit (everything visible, padded) and fill (covering, cropped)
 * at which that box still fits the canvas; along an axis where the scaled image is larger than the
 * canvas it is cropped around the box, where it is smaller it is centred and padded with `fill`.
 */
import type { PadFill } from '../plan/steps';
import type { Raster } from '../pixels/raster';
import { crop } from './crop';
import { energyGrid } from './crop-auto';
import { pad } from './pad';
import { padAuto } from './pad-auto';
import { padBlurred } from './pad-blurred';
import { resize } from './resize';

/** Share of the edge energy the salient box keeps on each axis. */
const KEEP = 0.9;

export function fillPad(r: Raster, width: number, height: number, fill: PadFill): Raster {
  const { width: W, height: H } = r;
  const box = salientBox(r);
  const fit = Math.min(width / W, height / H);
  const cover = Math.max(width / W, height / H);
  const s = Math.max(fit, Math.min(cover, width / Math.max(1, box.x1 - box.x0), height / Math.max(1, box.y1 - box.y0)));
  // At most c_fill's resized size (the planner's memory bound).
  const sw = s === cover ? Math.max(width, Math.round(W * s)) : Math.max(1, Math.round(W * s));
  const sh = s === cover ? Math.max(height, Math.round(H * s)) : Math.max(1, Math.round(H * s));
  const scaled = resize(r, sw, sh);
  // Crop each axis that overflows around the box's centre; the others are kept whole.
  const cw = Math.min(sw, width);
  const ch = Math.min(sh, height);
  const cx = clamp(Math.round(((box.x0 + box.x1) / 2) * (sw / W) - cw / 2), 0, sw - cw);
  const cy = clamp(Math.round(((box.y0 + box.y1) / 2) * (sh / H) - ch / 2), 0, sh - ch);
  const kept = cw === sw && ch === sh ? scaled : crop(scaled, cx, cy, cw, ch);
  if (cw === width && ch === height) return kept;
  const x = Math.floor((width - cw) / 2);
  const y = Math.floor((height - ch) / 2);
  if (fill.kind === 'color') return pad(kept, width, height, x, y, fill.color);
  return fill.kind === 'auto' ? padAuto(kept, width, height, x, y, fill) : padBlurred(kept, width, height, x, y, fill);
}

/** The box, in input pixels, holding the central KEEP of the edge energy on each axis (the centre point when the image is flat). */
export function salientBox(r: Raster): { x0: number; y0: number; x1: number; y1: number } {
  const { cols, rows, energy } = energyGrid(r);
  const colSum = new Float64Array(cols);
  const rowSum = new Float64Array(rows);
  for (let y = 0; y < rows; y++)
    for (let x = 0; x < cols; x++) {
      colSum[x] += energy[y * cols + x];
      rowSum[y] += energy[y * cols + x];
    }
  const [x0, x1] = span(colSum, r.width);
  const [y0, y1] = span(rowSum, r.height);
  return { x0, y0, x1, y1 };
}

/** The interval of [0, size) between the (1 - KEEP) / 2 and (1 + KEEP) / 2 quantiles of the mass, in pixels. */
function span(mass: Float64Array, size: number): [number, number] {
  const total = mass.reduce((a, b) => a + b, 0);
  if (!(total > 0)) return [size / 2, size / 2];
  const cell = size / mass.length;
  const quantile = (q: number): number => {
    let acc = 0;
    for (let i = 0; i < mass.length; i++) {
      if (acc + mass[i] >= q * total) return (i + (mass[i] > 0 ? (q * total - acc) / mass[i] : 0)) * cell;
      acc += mass[i];
    }
    return size;
  };
  return [quantile((1 - KEEP) / 2), quantile((1 + KEEP) / 2)];
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), Math.max(lo, hi));
}
