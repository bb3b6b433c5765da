/**
 * q_auto: the pure half of the perceptual quality search (no pixels here; src/codecs/quality/auto-quality.ts
 * runs it). Each level has an SSIM target and a quality range; the search picks the LOWEST quality
 * in the range whose encoded sample reaches the target (luma SSIM against the unencoded sample,
 * src/codecs/quality/ssim.ts), or the range's top when none does. Qualities are on Cloudinary's scale
 * (1..100, the number JPEG and WebP get; AVIF maps it with avifQuality).
 *
 * Targets were calibrated on the Kodak set with JPEG (bench/q-auto.mjs, README "q_auto"): q_auto:good
 * lands at q_80's mean SSIM (0.9526 vs 0.9537) and total bytes (0.995), spending fewer bytes on
 * the easy images (11 of 24) and more on the hard ones (its worst SSIM 0.944 vs q_80's 0.937).
 * The sample's SSIM tracks the full image's closely: a 0.955 target gave a 0.9551 mean.
 */
import type { AutoLevel } from '../../plan/steps';

export type { AutoLevel } from '../../plan/steps';

export interface AutoTarget {
  /** Mean luma SSIM the encoded sample must reach. */
  ssim: number;
  min: number;
  max: number;
}

export const AUTO_TARGETS: Record<AutoLevel, AutoTarget> = {
  best: { ssim: 0.975, min: 70, max: 95 },
  good: { ssim: 0.953, min: 50, max: 85 },
  eco: { ssim: 0.94, min: 40, max: 80 },
  low: { ssim: 0.92, min: 30, max: 75 },
};

export interface SearchResult {
  quality: number;
  /** Every probe, in order: the quality tried and its SSIM. */
  probes: [number, number][];
}

/**
 * Binary search for the lowest quality in [min, max] whose SSIM reaches the target, assuming
 * SSIM grows with quality. `step` coarsens the grid (2: even qualities only) to bound the probes:
 * ceil(log2((max - min) / step + 1)) of them, at most 6 for the default ranges.
 */
export async function searchQuality(target: AutoTarget, measure: (quality: number) => Promise<number>, step = 1): Promise<SearchResult> {
  const probes: [number, number][] = [];
  let lo = 0;
  let hi = Math.floor((target.max - target.min) / step); // index of the top quality: the answer when nothing reaches the target
  const q = (i: number) => Math.min(target.max, target.min + i * step);
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const s = await measure(q(mid));
    probes.push([q(mid), s]);
    if (s >= target.ssim) {
      hi = mid;
    } else lo = mid + 1;
  }
  return { quality: q(lo), probes };
}

export interface Tile {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface SampleLayout {
  /** Source rectangles, placed in the mosaic row by row, `columns` per row (the grid keeps their arrangement). */
  tiles: Tile[];
  columns: number;
  width: number;
  height: number;
}

/** Tile side: a multiple of 16 (JPEG MCU) and 64 (AV1 superblock), so tile seams fall on block edges. */
export const TILE = 128;

/**
 * Where to sample an image of the given size for the search: the whole image when it has at most
 * `maxPixels`, else a mosaic of full-resolution tiles spread over a grid (one tile at the centre
 * of each cell), so the sample has the image's real scale of detail and covers all its regions.
 */
export function sampleLayout(width: number, height: number, maxPixels: number): SampleLayout {
  if (width * height <= maxPixels) return { tiles: [{ x: 0, y: 0, width, height }], columns: 1, width, height };
  const tw = Math.min(TILE, width);
  const th = Math.min(TILE, height);
  const count = Math.max(1, Math.floor(maxPixels / (tw * th)));
  // A grid of about `count` cells with the image's aspect ratio.
  let gx = Math.max(1, Math.min(count, Math.round(Math.sqrt((count * width) / height))));
  let gy = Math.max(1, Math.floor(count / gx));
  gx = Math.min(gx, Math.floor(width / tw));
  gy = Math.min(gy, Math.floor(height / th));
  const tiles: Tile[] = [];
  for (let j = 0; j < gy; j++) {
    for (let i = 0; i < gx; i++) {
      const cx = ((i + 0.5) * width) / gx;
      const cy = ((j + 0.5) * height) / gy;
      const x = Math.max(0, Math.min(width - tw, Math.round(cx - tw / 2)));
      const y = Math.max(0, Math.min(height - th, Math.round(cy - th / 2)));
      tiles.push({ x, y, width: tw, height: th });
    }
  }
  return { tiles, columns: gx, width: gx * tw, height: gy * th };
}
