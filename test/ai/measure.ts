// Shared by the memory tests: one model run on a single tile of the largest size a tile plan
// can produce (core + 2 * halo on each axis), and a tiled run over a photo crop.
import { inferImage } from '../../src/ai/infer';
import { AI_MODELS, type AiModelName } from '../../src/ai/models';
import { aiWasmMemory } from '../../src/ai/ort';
import { crop } from '../../src/ops/crop';
import type { Raster } from '../../src/pixels/raster';
import { load } from '../pixels/util';

export const MB = 2 ** 20;

/**
 * Runs `model` once on the largest ORT input that `tile` produces (an interior tile: core plus the
 * halo on both sides) and reports the ORT wasm memory after it (a high-water mark) and the
 * compute rate of the tile alone (best of two runs).
 */
export async function maxTile(model: AiModelName, tile: number, photo: Raster): Promise<{ line: string; memory: number; sPerMp: number }> {
  const { halo } = AI_MODELS[model];
  const side = tile + 2 * halo;
  const src = crop(photo, 0, 0, side, side);
  if (src.width !== side || src.height !== side) throw new Error(`photo too small for a ${side}-px tile`);
  // One tile, exactly side x side; the faster of two runs (a new shape's first run is slower).
  let best = Infinity;
  for (let i = 0; i < 2; i++) {
    const t0 = performance.now();
    await inferImage(model, src, { tile: side });
    best = Math.min(best, performance.now() - t0);
  }
  const sPerMp = best / 1000 / ((side * side) / 1e6);
  const memory = aiWasmMemory();
  const overhead = (side * side) / (tile * tile);
  const line =
    `${model.padEnd(11)} tile ${String(tile).padStart(3)}${tile === AI_MODELS[model].tile ? ' (default)' : '          '} ` +
    `ORT input ${side}x${side}: ORT wasm memory ${(memory / MB).toFixed(1)} MB, ${sPerMp.toFixed(2)} s/MP for the tile, ` +
    `x${overhead.toFixed(2)} halo overhead on large images -> ~${(sPerMp * overhead).toFixed(1)} s/input MP`;
  return { line, memory, sPerMp };
}

/** Seconds per input megapixel of a tiled run (default tile) over a w x h crop, halos included. */
export async function tiledRate(model: AiModelName, photo: Raster, w: number, h: number): Promise<string> {
  const src = crop(photo, 0, 0, w, h);
  const t0 = performance.now();
  await inferImage(model, src);
  const s = (performance.now() - t0) / 1000;
  return `${model.padEnd(11)} default tile ${AI_MODELS[model].tile}, whole ${w}x${h} image: ${(s / ((w * h) / 1e6)).toFixed(2)} s/input MP (${s.toFixed(2)} s)`;
}

// Each fixture is fetched and decoded once per file, and fetched again once if the connection to
// the FIXTURES service drops (seen under a fully loaded 2-core machine while ORT loads in parallel
// test files: "Network connection lost"). Tests load their fixtures before loading ORT.
const loaded = new Map<string, Promise<Raster>>();
export function loadCached(name: string): Promise<Raster> {
  let p = loaded.get(name);
  if (!p) {
    p = load(name).catch(() => load(name));
    loaded.set(name, p);
    p.catch(() => loaded.delete(name));
  }
  return p;
}
