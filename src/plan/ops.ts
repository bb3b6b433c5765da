/**
 * THE step table: every op a plan can contain, with what the planner must know about it before
 * any pixel is decoded: the memory it holds, the CPU work it costs, whether it runs on the row
 * stream, and whether it can make an opaque image transparent. Keyed by `Step['op']`, so a step
 * without its row does not compile; the executors (pixels/run.ts OPS) are keyed the same way.
 */
import { blurWork, decodeCost, decodeWork, encodeCost, encodeWork, filterCost, resizeTaps, resizeWork, WORK_NS } from './cost/model';
import type { ImageHeader, Size, Step } from './steps';

export type StepOp = Step['op'];
export type StepOf<K extends StepOp> = Extract<Step, { op: K }>;

export interface StepContext {
  header: ImageHeader;
  /** Size of the original's bytes. */
  inputBytes: number;
}

/**
 * Bytes a step needs. `held` stays for the rest of the request and adds up across steps (WASM
 * memory never shrinks; the row stream's rings and bands live together); `working` is the JS
 * rasters alive while the step runs, of which only the largest counts.
 */
export interface StepMemory {
  held?: number;
  working?: number;
}

export interface StepSpec<S extends Step> {
  /** Runs on the decoder's row stream (pixels/rows.ts) when every step before it does. */
  streams?: true;
  /** The output may have alpha below 255 where the input was opaque. */
  addsAlpha?: (step: S) => boolean;
  memory(step: S, input: Size, streamed: boolean, ctx: StepContext): StepMemory;
  /** Estimated nanoseconds on one core (cost/model.ts WORK_NS). */
  work(step: S, input: Size, ctx: StepContext): number;
}

const rgba = (s: Size) => s.width * s.height * 4;
const px = (s: Size) => s.width * s.height;
/** A band of 16 rows of the row stream. */
const band = (s: Size) => s.width * 4 * 16;

/** The input raster and `copies` rasters of the output size alive at once: a JS loop over pixels. */
const rasters =
  (inputs = 1, outputs = 1) =>
  (step: Size, input: Size): StepMemory => ({ working: rgba(input) * inputs + rgba(step) * outputs });
/** A JS loop over every pixel of the larger of input and output. */
const perPixel =
  (ns: number) =>
  (step: Size, input: Size): number =>
    Math.max(px(step), px(input)) * ns;
const move = perPixel(WORK_NS.move);

const table: { [K in StepOp]: StepSpec<StepOf<K>> } = {
  decode: {
    streams: true,
    memory: (s, _in, streamed, { header, inputBytes }) => ({ held: decodeCost(header, s.shrink, inputBytes, streamed && header.format === 'jpg') }),
    work: (s, _in, { header }) => decodeWork(header, s.shrink),
  },
  icc: {
    streams: true,
    // Streamed, it converts the decoder's bands in place (its LUTs are a few KiB).
    memory: (s, input, streamed) => (streamed ? {} : rasters()(s, input)),
    work: move,
  },
  orient: { memory: rasters(), work: move },
  resize: {
    streams: true,
    memory: (s, input, streamed) => {
      const filter = filterCost(input.width, s.width, s.height, resizeTaps(input.height, s.height, s.widen));
      return streamed ? { held: filter + band(s) } : { working: rgba(input) + rgba(s) + filter };
    },
    work: (s, input) => resizeWork(input.width, input.height, s.width, s.height, s.widen),
  },
  crop: {
    streams: true,
    memory: (s, input, streamed) => (streamed ? { held: band(s) } : rasters()(s, input)),
    work: move,
  },
  'crop-auto': { memory: rasters(), work: (s, input) => px(input) * WORK_NS.saliency + px(s) * WORK_NS.move },
  pad: { addsAlpha: (s) => s.background[3] < 255, memory: rasters(), work: move },
  rotate: { memory: rasters(), work: move },
  flip: { memory: rasters(), work: move },
  grayscale: { memory: rasters(), work: move },
  // In place, on the stream's bands or the raster.
  color: { streams: true, memory: (s, input, streamed) => (streamed ? {} : rasters()(s, input)), work: move },
  // The raster, its copy in the filter kernel with the kernel's result, the JS result.
  blur: { memory: rasters(2, 2), work: (s) => blurWork(s.width, s.height, s.sigma) },
  // The same for the blur, then the sharpened result beside it.
  sharpen: { memory: rasters(2, 3), work: (s) => blurWork(s.width, s.height, s.sigma) + px(s) * WORK_NS.sharpenCombine },
  detail: { memory: rasters(2, 3), work: (s) => blurWork(s.width, s.height, s.sigma) + px(s) * WORK_NS.sharpenCombine },
  'round-corners': { addsAlpha: () => true, memory: rasters(), work: perPixel(WORK_NS.roundCorners) },
  opacity: { addsAlpha: () => true, memory: rasters(), work: move },
  flatten: { memory: rasters(), work: move },
  composite: {
    addsAlpha: () => true,
    // The layer's own plan (its original's bytes, decode, working rasters) while the image it goes on is alive, and the canvas.
    memory: (s, input) => ({ held: s.layer.peakBytes + rgba(input) + rgba(s), working: rgba(input) + rgba(s) }),
    work: (s) => s.layer.work + px(s) * WORK_NS.composite,
  },
  text: {
    addsAlpha: (s) => s.background[3] < 255,
    // The RGBA box and the coverage accumulator (a float per pixel, one row more) beside it.
    memory: (s) => ({ working: rgba(s) + 4 * (px(s) + s.width + 4) }),
    work: (s) => px(s) * WORK_NS.text + s.glyphs.length * s.size * WORK_NS.textGlyphRow,
  },
  encode: {
    memory: (s, input, streamed) => ({
      held: encodeCost(s.format, s.width, s.height, s.progressive, s.auto !== undefined),
      working: streamed ? 0 : rgba(input),
    }),
    work: (s) => encodeWork(s.format, s.width, s.height, s.progressive, s.auto !== undefined),
  },
};

export function stepSpec<K extends StepOp>(op: K): StepSpec<StepOf<K>> {
  return table[op] as StepSpec<StepOf<K>>;
}

/** Every step op, for tests that walk the table. */
export const STEP_OPS = Object.keys(table) as StepOp[];
