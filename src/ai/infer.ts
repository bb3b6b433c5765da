// Tiled inference of the AI models on a Raster, one tile row at a time, with a halo around each
// tile so that the cores join without seams, and ORT's wasm memory bounded by the tile size.
import type { Raster } from '../pixels/raster';
import { resize } from '../ops/resize';
import { aiModel, type AiModel, type AiModelName } from './models';
import { runTile } from './ort';
import { planTiles, type Tile, type TileRow } from './tiles';

export interface InferOptions {
  /** Core tile side in input pixels (default: the model's); a tile >= the image runs it whole. */
  tile?: number;
  /** First tile row to compute (resume after row startRow - 1; the bytes are the same). */
  startRow?: number;
}

export interface InferredRows {
  /** Index of this tile row and the number of tile rows in the plan. */
  row: number;
  rows: number;
  /** Output rows y .. y + height - 1, full output width, RGBA 8-bit. */
  y: number;
  height: number;
  width: number;
  data: Uint8Array;
}

/** The tile plan inferRows follows for this model, image and options (for progress and resumption). */
export function planInference(model: AiModelName, width: number, height: number, opts: InferOptions = {}): TileRow[] {
  const m = aiModel(model);
  const align = m.evenSides ? 2 : 1;
  return planTiles(width, height, tileSize(m, opts.tile), m.halo, m.scale, align, lcm(align, STRIP_ALIGN / gcd(STRIP_ALIGN, m.scale)));
}

/** Output strips start on multiples of 16 rows: whole MCU rows for the streamed JPEG (encode-jpeg-stream.ts). */
const STRIP_ALIGN = 16;
const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);
const lcm = (a: number, b: number) => (a / gcd(a, b)) * b;

function tileSize(m: AiModel, tile: number | undefined): number {
  const t = tile ?? m.tile;
  if (!(Number.isInteger(t) && t >= 1)) throw new RangeError(`bad tile size ${t}`);
  return t;
}

/**
 * Runs the model over src tile row by tile row and yields each finished output strip (full
 * output width, src.width * scale). Output alpha: 255 for opaque input; otherwise the alpha
 * channel upscaled with Lanczos3 (x4) or copied (x1). The yielded data is the caller's.
 */
export async function* inferRows(model: AiModelName, src: Raster, opts: InferOptions = {}): AsyncGenerator<InferredRows> {
  const m = aiModel(model);
  if (src.data.length !== src.width * src.height * 4) throw new RangeError(`raster data is ${src.data.length} bytes for ${src.width}x${src.height} RGBA`);
  const plan = planInference(model, src.width, src.height, opts);
  const start = opts.startRow ?? 0;
  if (!(Number.isInteger(start) && start >= 0 && start <= plan.length)) throw new RangeError(`bad startRow ${start} (${plan.length} rows)`);
  const outWidth = src.width * m.scale;
  for (let r = start; r < plan.length; r++) {
    const row = plan[r];
    const data = new Uint8Array(outWidth * row.outHeight * 4);
    for (const tile of row.tiles) {
      await inferTile(m, src, tile, data, outWidth);
      if (!src.opaque) alphaTile(m, src, tile, data, outWidth);
    }
    yield { row: r, rows: plan.length, y: row.outY, height: row.outHeight, width: outWidth, data };
  }
}

/** The whole output Raster (src.width * scale x src.height * scale), for small images and tests. */
export async function inferImage(model: AiModelName, src: Raster, opts: Omit<InferOptions, 'startRow'> = {}): Promise<Raster> {
  const m = aiModel(model);
  const width = src.width * m.scale;
  const out: Raster = { width, height: src.height * m.scale, data: new Uint8Array(width * src.height * m.scale * 4), opaque: src.opaque };
  for await (const strip of inferRows(model, src, opts)) out.data.set(strip.data, strip.y * width * 4);
  return out;
}

/** Runs one tile and writes its core's RGB (alpha 255) into the row strip. */
async function inferTile(m: AiModel, src: Raster, tile: Tile, strip: Uint8Array, outWidth: number): Promise<void> {
  const { input, core } = tile;
  // Pixel-unshuffle models need even sides: replicate the last row/column (only at odd image edges).
  const w = m.evenSides ? input.width + (input.width & 1) : input.width;
  const h = m.evenSides ? input.height + (input.height & 1) : input.height;
  const plane = w * h;
  const x = new Float32Array(3 * plane);
  const sd = src.data;
  for (let yy = 0; yy < h; yy++) {
    const sy = input.y + Math.min(yy, input.height - 1);
    const rowBase = sy * src.width;
    const o = yy * w;
    for (let xx = 0; xx < w; xx++) {
      const i = (rowBase + input.x + Math.min(xx, input.width - 1)) * 4;
      x[o + xx] = sd[i] / 255;
      x[plane + o + xx] = sd[i + 1] / 255;
      x[2 * plane + o + xx] = sd[i + 2] / 255;
    }
  }
  const s = m.scale;
  await runTile(m.name, x, h, w, (out, oh, ow) => {
    if (oh !== h * s || ow !== w * s) throw new Error(`${m.name}: output ${ow}x${oh} for a ${w}x${h} tile`);
    const oplane = oh * ow;
    const ox0 = (core.x - input.x) * s;
    const oy0 = (core.y - input.y) * s;
    const cw = core.width * s;
    const ch = core.height * s;
    const dx0 = core.x * s;
    for (let yy = 0; yy < ch; yy++) {
      const srcRow = (oy0 + yy) * ow + ox0;
      let d = (yy * outWidth + dx0) * 4;
      for (let xx = 0; xx < cw; xx++, d += 4) {
        const i = srcRow + xx;
        strip[d] = toByte(out[i]);
        strip[d + 1] = toByte(out[oplane + i]);
        strip[d + 2] = toByte(out[2 * oplane + i]);
        strip[d + 3] = 255;
      }
    }
  });
}

/** Clamp to [0, 1], scale and round (NaN -> 0). */
function toByte(v: number): number {
  const q = v * 255 + 0.5;
  return q >= 255 ? 255 : q > 0 ? q | 0 : 0;
}

/**
 * Output alpha of one tile's core: copied at x1; at x4 the tile's input alpha (with its halo,
 * wider than Lanczos3's 3-pixel reach, so the result equals resizing the whole alpha plane)
 * upscaled with src/pixels' Lanczos3 resize, run on a grey raster whose channels all hold alpha.
 */
function alphaTile(m: AiModel, src: Raster, tile: Tile, strip: Uint8Array, outWidth: number): void {
  const { input, core } = tile;
  const s = m.scale;
  const sd = src.data;
  if (s === 1) {
    for (let yy = 0; yy < core.height; yy++) {
      let i = ((core.y + yy) * src.width + core.x) * 4 + 3;
      let d = (yy * outWidth + core.x) * 4 + 3;
      for (let xx = 0; xx < core.width; xx++, i += 4, d += 4) strip[d] = sd[i];
    }
    return;
  }
  const grey = new Uint8Array(input.width * input.height * 4);
  for (let yy = 0, d = 0; yy < input.height; yy++) {
    let i = ((input.y + yy) * src.width + input.x) * 4 + 3;
    for (let xx = 0; xx < input.width; xx++, i += 4, d += 4) grey[d] = grey[d + 1] = grey[d + 2] = grey[d + 3] = sd[i];
  }
  const up = resize({ width: input.width, height: input.height, data: grey, opaque: true }, input.width * s, input.height * s);
  const uw = up.width;
  const ox0 = (core.x - input.x) * s;
  const oy0 = (core.y - input.y) * s;
  const cw = core.width * s;
  const ch = core.height * s;
  for (let yy = 0; yy < ch; yy++) {
    let i = ((oy0 + yy) * uw + ox0) * 4;
    let d = (yy * outWidth + core.x * s) * 4 + 3;
    for (let xx = 0; xx < cw; xx++, i += 4, d += 4) strip[d] = up.data[i];
  }
}
