/**
 * g_auto: a cheap saliency choice. Edge energy (luma gradient magnitude) is summed over a small
 * grid; the crop window is slid over the grid and the position with the most energy wins,
 * with a slight pull to the centre so flat images crop like g_center.
 */
import type { Raster } from '../pixels/raster';
import { crop } from './crop';

const GRID = 64;

export function findSalientWindow(r: Raster, width: number, height: number): { x: number; y: number } {
  const { width: W, height: H } = r;
  if (width >= W && height >= H) return { x: 0, y: 0 };
  const { cols, rows, energy } = energyGrid(r);
  // Summed-area table for O(1) window sums.
  const sat = new Float64Array((cols + 1) * (rows + 1));
  for (let y = 0; y < rows; y++)
    for (let x = 0; x < cols; x++)
      sat[(y + 1) * (cols + 1) + x + 1] = energy[y * cols + x] + sat[y * (cols + 1) + x + 1] + sat[(y + 1) * (cols + 1) + x] - sat[y * (cols + 1) + x];
  const ww = Math.max(1, Math.round((width / W) * cols));
  const wh = Math.max(1, Math.round((height / H) * rows));
  let best = -Infinity;
  let bx = 0;
  let by = 0;
  const total = sat[rows * (cols + 1) + cols] || 1;
  for (let y = 0; y + wh <= rows; y++) {
    for (let x = 0; x + ww <= cols; x++) {
      const sum = sat[(y + wh) * (cols + 1) + x + ww] - sat[y * (cols + 1) + x + ww] - sat[(y + wh) * (cols + 1) + x] + sat[y * (cols + 1) + x];
      const cx = (x + ww / 2) / cols - 0.5;
      const cy = (y + wh / 2) / rows - 0.5;
      const score = sum / total - 0.05 * (cx * cx + cy * cy);
      if (score > best) {
        best = score;
        bx = x;
        by = y;
      }
    }
  }
  const x = Math.round((bx / cols) * W);
  const y = Math.round((by / rows) * H);
  return { x: Math.min(Math.max(0, x), W - width), y: Math.min(Math.max(0, y), H - height) };
}

/** Edge energy (luma gradient magnitude) summed over a grid of at most GRID x GRID cells, row-major. */
export function energyGrid(r: Raster): { cols: number; rows: number; energy: Float64Array } {
  const { width: W, height: H, data } = r;
  const cols = Math.min(GRID, W);
  const rows = Math.min(GRID, H);
  const energy = new Float64Array(cols * rows);
  const step = Math.max(1, Math.floor(Math.min(W, H) / 256));
  for (let y = step; y < H - step; y += step) {
    const gy = Math.min(rows - 1, Math.floor((y * rows) / H));
    for (let x = step; x < W - step; x += step) {
      const i = (y * W + x) * 4;
      const dx = luma(data, i + 4 * step) - luma(data, i - 4 * step);
      const dy = luma(data, i + 4 * W * step) - luma(data, i - 4 * W * step);
      energy[gy * cols + Math.min(cols - 1, Math.floor((x * cols) / W))] += Math.abs(dx) + Math.abs(dy);
    }
  }
  return { cols, rows, energy };
}

function luma(d: Uint8Array, i: number): number {
  return 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
}

/** The crop-auto step: the window of the planned size where the saliency is highest. */
export function cropAuto(r: Raster, width: number, height: number): Raster {
  const { x, y } = findSalientWindow(r, width, height);
  return crop(r, x, y, width, height);
}
