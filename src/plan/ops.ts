/**
 * THE step table: every op a plan can contain, with what the planner must know about it before
 * any pixel is decoded: the memory it holds, the CPU work it costs, whether it runs on the row
 * stream, and whether it can make an opaque image transparent. Keyed by `Step['op']`, so a step
 * without its row does not compile; the executors (pixels/run.ts OPS) are keyed the same way.
 */
import {
  blurWork,
  decodeCost,
  decodeWork,
  encodeCost,
  encodeWork,
  filterCost,
  framesDecodeCost,
  framesDecodeWork,
  gifFrameBytes,
  QUANTIZE_BYTES,
  resizeTaps,
  resizeWork,
  webpFrameBytes,
  WORK_NS,
} from './cost/model';
import { AUTO_MAX_QUALITY } from './quality';
import type { ImageHeader, PadFill, Size, Step } from './steps';

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

/** Pixels b_auto's colour search reads at most (ops/pad-auto.ts SAMPLES). */
const AUTO_SAMPLES = 256 * 1024;

/** c_fill's resized size of `input` for `canvas`: the largest image fill-pad scales to. */
function fillSize(input: Size, canvas: Size): Size {
  const s = Math.max(canvas.width / input.width, canvas.height / input.height);
  return { width: Math.max(canvas.width, Math.round(input.width * s)), height: Math.max(canvas.height, Math.round(input.height * s)) };
}

/**
 * b_blurred's background for a `canvas` from an `image` (ops/pad-blurred.ts): the image resized to
 * cover the canvas (its filter's WASM memory held), that cover, its crop to the canvas, the blur's
 * copies (as the blur step: two in, two out) and the blur's and resize's work.
 */
function blurredCost(image: Size, canvas: Size, sigma: number): { held: number; working: number; work: number } {
  const cover = fillSize(image, canvas);
  const taps = resizeTaps(image.height, cover.height);
  return {
    held: filterCost(image.width, cover.width, cover.height, taps),
    working: rgba(cover) + rgba(canvas) * 5,
    work: resizeWork(image.width, image.height, cover.width, cover.height) + blurWork(canvas.width, canvas.height, sigma) + px(canvas) * WORK_NS.move,
  };
}

/** What a fill adds to a pad of `canvas` around `image`. */
function fillCost(fill: PadFill, image: Size, canvas: Size): { held: number; working: number; work: number } {
  if (fill.kind === 'blurred') return blurredCost(image, canvas, fill.sigma);
  // A gradient mixes up to four colours per padding pixel.
  if (fill.kind === 'auto')
    return { held: 0, working: 0, work: Math.min(px(image), AUTO_SAMPLES) * WORK_NS.move + (fill.gradient ? px(canvas) * WORK_NS.move * 2 : 0) };
  return { held: 0, working: 0, work: 0 };
}

const fillAddsAlpha = (fill: PadFill): boolean =>
  fill.kind === 'color' ? fill.color[3] < 255 : fill.kind === 'auto' ? (fill.palette?.some((c) => c[3] < 255) ?? false) : false;

/** An SVG is rendered at its decode step's size (plan.ts), which its costs are counted at. */
const renderedHeader = (header: ImageHeader, s: Size): ImageHeader => (header.format === 'svg' ? { ...header, width: s.width, height: s.height } : header);

const table: { [K in StepOp]: StepSpec<StepOf<K>> } = {
  decode: {
    streams: true,
    memory: (s, _in, streamed, { header, inputBytes }) => ({
      held: s.frames ? framesDecodeCost(header, inputBytes) : decodeCost(renderedHeader(header, s), s.shrink, inputBytes, streamed && header.format === 'jpg'),
    }),
    work: (s, _in, { header }) => (s.frames ? framesDecodeWork(header, s.frames) : decodeWork(renderedHeader(header, s), s.shrink)),
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
  'pad-auto': {
    addsAlpha: (s) => fillAddsAlpha(s.fill),
    memory: rasters(),
    work: (s, input) => move(s, input) + fillCost(s.fill, input, s).work,
  },
  'pad-blurred': {
    memory: (s, input) => {
      const b = blurredCost(input, s, s.fill.sigma);
      return { held: b.held, working: rgba(input) + rgba(s) + b.working };
    },
    work: (s, input) => move(s, input) + blurredCost(input, s, s.fill.sigma).work,
  },
  'fill-pad': {
    addsAlpha: (s) => fillAddsAlpha(s.fill),
    // The input, its resize (at most c_fill's size, the filter's memory held at the most taps: the
    // fit scale), the crop, the canvas, and the fill's own (the blurred cover of the kept part).
    memory: (s, input) => {
      const big = fillSize(input, s);
      const fit = Math.min(s.width / input.width, s.height / input.height);
      const taps = resizeTaps(input.height, Math.max(1, Math.round(input.height * fit)));
      const f = fillCost(s.fill, big, s);
      return { held: filterCost(input.width, big.width, big.height, taps) + f.held, working: rgba(input) + rgba(big) + rgba(s) * 2 + f.working };
    },
    work: (s, input) => {
      const big = fillSize(input, s);
      const fit = Math.min(s.width / input.width, s.height / input.height);
      const small = { width: Math.max(1, Math.round(input.width * fit)), height: Math.max(1, Math.round(input.height * fit)) };
      const resizing = Math.max(resizeWork(input.width, input.height, big.width, big.height), resizeWork(input.width, input.height, small.width, small.height));
      return px(input) * WORK_NS.saliency + resizing + px(s) * WORK_NS.move * 2 + fillCost(s.fill, big, s).work;
    },
  },
  rotate: { memory: rasters(), work: move },
  'rotate-any': { addsAlpha: (s) => s.background[3] < 255, memory: rasters(), work: (s, input) => px(s) * WORK_NS.rotateAny + px(input) * WORK_NS.move },
  border: {
    addsAlpha: (s) => s.color[3] < 255 || s.radii !== undefined,
    memory: rasters(),
    work: (s, input) => (s.radii ? px(s) * WORK_NS.roundCorners : move(s, input)),
  },
  flip: { memory: rasters(), work: move },
  grayscale: { memory: rasters(), work: move },
  // In place, on the stream's bands or the raster.
  color: { streams: true, memory: (s, input, streamed) => (streamed ? {} : rasters()(s, input)), work: move },
  // The raster, its copy in the filter kernel with the kernel's result, the JS result.
  blur: { memory: rasters(2, 2), work: (s) => blurWork(s.region?.width ?? s.width, s.region?.height ?? s.height, s.sigma) },
  pixelate: { memory: rasters(), work: move },
  // The input, and the trimmed copy (at most the input's size: the step's size is that bound).
  trim: { memory: rasters(), work: move },
  dither: { memory: rasters(), work: move },
  'colorblind-stripes': { memory: rasters(), work: move },
  vignette: { memory: rasters(), work: move },
  noise: { memory: rasters(), work: move },
  // Per pixel, a level histogram over the (2r + 1)^2 window.
  // The input, the output and a level index of a byte per pixel.
  'oil-paint': {
    memory: (s, input) => ({ working: rgba(input) + rgba(s) + px(s) }),
    work: (s) => px(s) * (2 * s.radius + 1) ** 2 * WORK_NS.oilPaintTap + px(s) * WORK_NS.move,
  },
  // A histogram pass, then tables: in place.
  'auto-tone': { memory: rasters(), work: (s) => px(s) * WORK_NS.move * 2 },
  // The silhouette, padded for the blur, its blurred copy and the canvas.
  shadow: {
    addsAlpha: () => true,
    // At most while the silhouette blurs: the input, the silhouette, its two copies in the filter kernel and the blurred result, each at most the canvas.
    memory: (s, input) => ({ working: rgba(input) + rgba(s) * 4 }),
    work: (s, input) => blurWork(input.width + 6 * s.sigma, input.height + 6 * s.sigma, s.sigma) + px(s) * WORK_NS.composite,
  },
  outline: {
    addsAlpha: () => true,
    // Per canvas pixel: two masks (2 B), two distance maps (8 B), the band (4 B), its blur's kernel copies and result (12 B) and the canvas (4 B).
    memory: (s, input) => ({ working: rgba(input) + px(s) * 30 }),
    work: (s) => px(s) * WORK_NS.outline + (s.sigma > 0 ? blurWork(s.width, s.height, s.sigma) : 0),
  },
  cartoonify: { memory: (s, input) => ({ working: rgba(input) + px(s) * 5 }), work: (s) => px(s) * (WORK_NS.cartoonify + s.lineWidth ** 2 * 2) },
  'make-transparent': { addsAlpha: () => true, memory: rasters(), work: move },
  // In place; a sampled hue histogram first when no source colour is given.
  'replace-color': { memory: rasters(), work: perPixel(WORK_NS.lab) },
  'gradient-fade': { addsAlpha: () => true, memory: rasters(), work: move },
  // The input and the blur filter's copy of it, the filter's output and its copy in JS, which the
  // sharpened result overwrites; detail's kernel writes its result over its blurred copy the same way.
  sharpen: { memory: rasters(2, 2), work: (s) => blurWork(s.width, s.height, s.sigma) + px(s) * WORK_NS.sharpenCombine },
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
    memory: (s, input, streamed, { header }) => ({
      // At the highest quality the encode may use: q_auto's search ends anywhere in its level's range.
      held:
        encodeCost(s.format, s.width, s.height, s.progressive, s.auto !== undefined, {
          quality: s.auto ? AUTO_MAX_QUALITY[s.auto] : s.quality,
          alpha: s.alpha === true,
          decoderLoaded: header.format === s.format,
          chroma444: s.chroma444 === true,
        }) +
        (s.png8 ? QUANTIZE_BYTES + px(s) : 0) +
        animationBytes(s),
      working: streamed ? 0 : rgba(input),
    }),
    work: (s) => encodeWork(s.format, s.width, s.height, s.progressive, s.auto !== undefined) + (s.png8 ? px(s) * WORK_NS.encodeGif : 0),
  },
};

/** An animation's encoded frames, all kept until the last one is written. */
function animationBytes(s: StepOf<'encode'>): number {
  if (!s.frames) return 0;
  return s.frames * (s.format === 'gif' ? gifFrameBytes(px(s)) : webpFrameBytes(px(s)));
}

export function stepSpec<K extends StepOp>(op: K): StepSpec<StepOf<K>> {
  return table[op] as StepSpec<StepOf<K>>;
}

/** Every step op, for tests that walk the table. */
export const STEP_OPS = Object.keys(table) as StepOp[];
