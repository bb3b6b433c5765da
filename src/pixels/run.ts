/**
 * Runs a plan: one executor per step (OPS, keyed by the step op like the planner's table in
 * plan/ops.ts, so a step without its executor does not compile), each taking the previous raster
 * and returning the next, so only the current step's input and output are alive at any time. The
 * leading steps the plan marks as streamed run on the row stream instead (rows.ts).
 */
import type { AfterTrim, LayerPlan, LayerSource, Plan, Step } from '../plan/steps';
import { chooseQuality } from '../codecs/quality/auto-quality';
import { blur, blurRegion } from '../ops/blur';
import { gradientFade } from '../ops/gradient-fade';
import { makeTransparent } from '../ops/make-transparent';
import { replaceColor } from '../ops/replace-color';
import { noise } from '../ops/noise';
import { oilPaint } from '../ops/oil-paint';
import { pixelate } from '../ops/pixelate';
import { trim } from '../ops/trim';
import { dither } from '../ops/dither';
import { colorblindStripes } from '../ops/colorblind-stripes';
import { vignette } from '../ops/vignette';
import { autoTone } from '../ops/auto-tone';
import { shadow } from '../ops/shadow';
import { outline } from '../ops/outline';
import { cartoonify } from '../ops/cartoonify';
import { cropAuto } from '../ops/crop-auto';
import { crop } from '../ops/crop';
import { decode } from '../codecs/decode';
import { frameAt, openFrames } from '../codecs/animation';
import { GifWriter } from '../codecs/gif/encode';
import { WebpAnimationWriter } from '../codecs/webp/animation';
import { gifFrameBytes, webpFrameBytes } from '../plan/cost/model';
import { ImageError } from './errors';
import { jpegRows } from '../codecs/jpeg/decode';
import { encodeViaPlanes, planarChain } from './ycc';
import { encodeJpegRows } from '../codecs/jpeg/encode';
import { encodePngRows } from '../codecs/png/encode';
import { cropRows, collectRows, rasterRows, type Rows } from './rows';
import { encode, encodeWebpRows, gifLossyTolerance } from '../codecs/encode';
import { flatten } from '../ops/flatten';
import { grayscale } from '../ops/grayscale';
import { color, colorRows } from '../ops/color';
import { composite } from '../ops/composite';
import { drawText } from '../ops/text';
import type { ImageHeader } from '../codecs/header';
import { opacity } from '../ops/opacity';
import { orient } from '../ops/orient';
import { pad } from '../ops/pad';
import { roundCorners } from '../ops/round-corners';
import type { Raster } from './raster';
import { resize, resizeRows } from '../ops/resize';
import { flip } from '../ops/flip';
import { rotate } from '../ops/rotate';
import { rotateAny } from '../ops/rotate-any';
import { border } from '../ops/border';
import { padAuto } from '../ops/pad-auto';
import { padBlurred } from '../ops/pad-blurred';
import { fillPad } from '../ops/fill-pad';
import { sharpen } from '../ops/sharpen';
import { detail } from '../ops/detail';
import { headerProfile, iccTransform, toSrgbRows } from '../ops/icc';

/** `afterDecode` adjusts the decoded raster before the other steps (the alpha of an AI result). */
export type AfterDecode = (r: Raster) => Raster;

/** Milliseconds spent per step kind, summed (the `Server-Timing` of diagnostics). */
export type StepTimes = Partial<Record<Step['op'], number>>;

export async function runPlan(bytes: Uint8Array, header: ImageHeader, plan: Plan, afterDecode?: AfterDecode, times?: StepTimes): Promise<Uint8Array> {
  return (await renderAndEncode(bytes, header, plan, afterDecode, times)).bytes;
}

export interface Encoded {
  bytes: Uint8Array;
  /** The quality the encoder got (q_auto: the one the search chose); undefined for PNG. */
  quality?: number;
  /** q_auto: milliseconds the quality search took. */
  searchMs?: number;
}

/**
 * runPlan, telling which quality was used: q_auto searches it on the rendered raster
 * (auto-quality.ts). A baseline JPEG at a fixed quality and a PNG are encoded straight from the row stream.
 */
export async function renderAndEncode(bytes: Uint8Array, header: ImageHeader, plan: Plan, afterDecode?: AfterDecode, times?: StepTimes): Promise<Encoded> {
  const step = plan.steps[plan.steps.length - 1];
  if (step.op !== 'encode') throw new Error('plan has no encode step');
  const how = plan.streamed;
  const t0 = performance.now();
  if (step.frames) return renderAnimation(bytes, header, plan, step, times);
  // A 4:2:0 JPEG resized (and oriented, cropped) to a JPEG: in its YCbCr planes (pixels/ycc.ts).
  const icc = plan.steps.some((s) => s.op === 'icc');
  const planar = afterDecode ? null : planarChain(header, plan.steps, icc && iccTransform(await headerProfile(header)) === null);
  const viaPlanes = planar && encodeViaPlanes(bytes, planar);
  if (viaPlanes) {
    if (times) for (const [op, ms] of Object.entries(viaPlanes.ms) as [keyof StepTimes, number][]) times[op] = (times[op] ?? 0) + ms;
    return { bytes: viaPlanes.bytes, quality: step.quality };
  }
  if (how.encode) {
    const { rows, timers } = await openStream(bytes, header, plan.steps.slice(0, how.steps), afterDecode);
    const out =
      step.format === 'png'
        ? encodePngRows(rows)
        : step.format === 'webp'
          ? await encodeWebpRows(rows, step.quality)
          : encodeJpegRows(rows, step.quality, step.chroma444 === true);
    if (times) record(times, plan.steps, timers, performance.now() - t0, 'encode');
    return { bytes: out, quality: step.format === 'png' ? undefined : step.quality };
  }
  const raster = await renderPlan(bytes, header, plan, afterDecode, times);
  let quality = step.quality;
  let searchMs: number | undefined;
  if (step.auto && step.format !== 'png' && step.format !== 'gif') {
    const started = performance.now();
    quality = (await chooseQuality(raster, step.format, step.auto, step.progressive)).quality;
    searchMs = performance.now() - started;
  }
  const t1 = performance.now();
  const out = await encode(raster, step.format, {
    quality,
    progressive: step.progressive,
    chroma444: step.chroma444 === true,
    png8: step.png8,
    lossy: step.lossy,
  });
  if (times) times.encode = (times.encode ?? 0) + performance.now() - t1;
  return { bytes: out, quality: step.format === 'png' || (step.format === 'gif' && !step.lossy) ? undefined : quality, searchMs };
}

/**
 * Every frame of an animated original through the same steps, one frame at a time, each encoded
 * and appended as it is done (GIF, or animated WebP of still WebP frames): alive at once are the
 * decoder's canvas, one frame's rasters and the frames written so far, as the plan counted them.
 */
async function renderAnimation(bytes: Uint8Array, header: ImageHeader, plan: Plan, step: Extract<Step, { op: 'encode' }>, times?: StepTimes): Promise<Encoded> {
  const frames = step.frames ?? 1;
  const source = openFrames(bytes, header);
  const loops = step.loops ?? source.loops;
  const gif = step.format === 'gif' ? new GifWriter(step.width, step.height, loops) : null;
  const webp = step.format === 'webp' ? new WebpAnimationWriter(step.width, step.height, loops) : null;
  if (!gif && !webp) throw new Error(`animated ${step.format} output`);
  const limit = frames * (gif ? gifFrameBytes(step.width * step.height) : webpFrameBytes(step.width * step.height));
  const tolerance = step.lossy ? gifLossyTolerance(step.quality) : 0;
  for (let i = 0; i < frames; i++) {
    const t = performance.now();
    const frame = await source.next();
    if (!frame) break;
    if (times) times.decode = (times.decode ?? 0) + performance.now() - t;
    const raster = await renderPlan(bytes, header, plan, undefined, times, frame.raster);
    const t1 = performance.now();
    if (gif) gif.addFrame(raster, frame.delayMs, tolerance);
    else webp?.addFrame(await encode(raster, 'webp', { quality: step.quality }), frame.delayMs);
    if (times) times.encode = (times.encode ?? 0) + performance.now() - t1;
    const size = gif ? gif.size : (webp?.size ?? 0);
    if (size > limit) throw new ImageError(`Animated ${step.format} output over the ${Math.ceil(limit / 1048576)} MB its plan allows at frame ${i + 1}`, 400);
  }
  const out = gif ? gif.finish() : (webp as WebpAnimationWriter).finish();
  return { bytes: out, quality: step.format === 'gif' && !step.lossy ? undefined : step.quality };
}

/** Every step but the encode: the raster a plan produces (the input of an AI job). */
export async function renderPlan(
  bytes: Uint8Array,
  header: ImageHeader,
  plan: Pick<Plan, 'steps' | 'streamed' | 'afterTrim'>,
  afterDecode?: AfterDecode,
  times?: StepTimes,
  /** An animation's frame, decoded already: the steps after the decode run on it. */
  frame?: Raster,
): Promise<Raster> {
  const how = plan.streamed;
  const t0 = performance.now();
  const { rows, timers } = await openStream(bytes, header, plan.steps.slice(0, how.steps), afterDecode, frame);
  const raster = collectRows(rows);
  if (times) record(times, plan.steps, timers, performance.now() - t0, 'collect');
  return runSteps(raster, plan.steps.slice(how.steps), times, plan.afterTrim);
}

/** The raster steps after the stream, in order; after an e_trim, the rest as planned again on the trimmed size. */
async function runSteps(input: Raster, planned: readonly Step[], times?: StepTimes, afterTrim?: AfterTrim): Promise<Raster> {
  let raster = input;
  let steps = planned;
  let next = afterTrim;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    if (step.op === 'trim' && next) {
      raster = OPS.trim(raster, step);
      ({ steps, afterTrim: next } = next(raster));
      i = -1;
      continue;
    }
    if (step.op === 'encode') break;
    if (step.op === 'decode' || step.op === 'text') throw new Error(`${step.op} comes first`);
    const t = performance.now();
    if (step.op === 'composite') raster = composite(raster, await renderLayer(step.layer), step);
    else raster = (OPS[step.op] as Executor<typeof step.op>)(raster, step);
    if (times) times[step.op] = (times[step.op] ?? 0) + performance.now() - t;
  }
  return raster;
}

/** A layer's raster: its original decoded by its own plan, or its text drawn and then its steps. */
async function renderLayer(layer: LayerPlan): Promise<Raster> {
  if (layer.source) return renderPlan(await layerSourceBytes(layer.source), layer.source.header, layer);
  const [first, ...rest] = layer.steps;
  if (first?.op !== 'text') throw new Error('a layer without an original starts with its text');
  return runSteps(drawText(first), rest);
}

/** The streamed steps (decode first) as one row source, with an inclusive timer per step. */
async function openStream(bytes: Uint8Array, header: ImageHeader, steps: Step[], afterDecode?: AfterDecode, frame?: Raster) {
  const decodeStep = steps[0];
  if (decodeStep?.op !== 'decode') throw new Error('plan does not start with a decode');
  const icc = steps.some((s) => s.op === 'icc') ? iccTransform(await headerProfile(header)) : null;
  const timers: number[] = [];
  const timed = (src: Rows): Rows => {
    const i = timers.push(0) - 1;
    return {
      width: src.width,
      height: src.height,
      opaque: src.opaque,
      next() {
        const t = performance.now();
        try {
          return src.next();
        } finally {
          timers[i] += performance.now() - t;
        }
      },
      close: () => src.close(),
    };
  };
  let rows: Rows;
  if (header.format === 'jpg' && !afterDecode) {
    rows = timed(jpegRows(bytes, decodeStep.shrink, header.icc));
  } else {
    const t = performance.now();
    let raster =
      frame ?? (decodeStep.frames ? await frameAt(bytes, header, decodeStep.frames - 1) : await decode(bytes, header, decodeStep.shrink, decodeStep));
    if (afterDecode) raster = afterDecode(raster);
    const decodeMs = performance.now() - t;
    rows = timed(rasterRows(raster));
    timers[0] += decodeMs;
  }
  try {
    for (const step of steps.slice(1)) {
      if (step.op === 'icc') rows = timed(toSrgbRows(rows, icc));
      else if (step.op === 'resize') rows = timed(resizeRows(rows, step.width, step.height, step.widen));
      else if (step.op === 'crop') rows = timed(cropRows(rows, step.x, step.y, step.width, step.height));
      else if (step.op === 'color') rows = timed(colorRows(rows, step.stages));
      else throw new Error(`step ${step.op} does not stream`);
    }
  } catch (e) {
    rows.close();
    throw e;
  }
  return { rows, timers };
}

/** Inclusive timers of a stream's steps → exclusive times per step; the rest of `total` to `sink`. */
function record(times: StepTimes, steps: Step[], timers: number[], total: number, sink: 'encode' | 'collect') {
  for (let i = 0; i < timers.length; i++) {
    const op = steps[i].op;
    times[op] = (times[op] ?? 0) + timers[i] - (i ? timers[i - 1] : 0);
  }
  const rest = total - (timers[timers.length - 1] ?? 0);
  if (sink === 'encode') times.encode = (times.encode ?? 0) + rest;
}

async function layerSourceBytes(source: LayerSource): Promise<Uint8Array> {
  if (source.bytes) return source.bytes;
  if (!source.read) throw new Error('layer source without bytes');
  return source.read();
}

type RasterOp = Exclude<Step['op'], 'decode' | 'encode' | 'composite' | 'text'>;
type Executor<K extends RasterOp> = (r: Raster, step: Extract<Step, { op: K }>) => Raster;

/** The executor of every step that takes a raster and returns one (decode, text, encode and composite are run above). */
const OPS: { [K in RasterOp]: Executor<K> } = {
  icc: () => {
    throw new Error("icc converts the decoder's rows and always streams");
  },
  orient: (r, s) => orient(r, s.orientation),
  resize: (r, s) => resize(r, s.width, s.height, s.widen),
  crop: (r, s) => crop(r, s.x, s.y, s.width, s.height),
  'crop-auto': (r, s) => cropAuto(r, s.width, s.height),
  pad: (r, s) => pad(r, s.width, s.height, s.x, s.y, s.background),
  'pad-auto': (r, s) => padAuto(r, s.width, s.height, s.x, s.y, s.fill),
  'pad-blurred': (r, s) => padBlurred(r, s.width, s.height, s.x, s.y, s.fill),
  'fill-pad': (r, s) => fillPad(r, s.width, s.height, s.fill),
  rotate: (r, s) => rotate(r, s.degrees),
  'rotate-any': (r, s) => rotateAny(r, s.degrees, s.width, s.height, s.background),
  border: (r, s) => border(r, s.size, s.color, s.radii),
  flip: (r, s) => flip(r, s.axis),
  grayscale: (r) => grayscale(r),
  color: (r, s) => color(r, s.stages),
  blur: (r, s) => (s.region ? blurRegion(r, s.sigma, s.region) : blur(r, s.sigma)),
  pixelate: (r, s) => pixelate(r, s.block, s.region),
  trim: (r, s) => trim(r, s.tolerance * 100, s.color),
  dither: (r, s) => dither(r, s.map, s.size),
  'colorblind-stripes': (r, s) => colorblindStripes(r, s.strength),
  vignette: (r, s) => vignette(r, s.strength),
  'auto-tone': (r, s) => autoTone(r, s.corrections, s.blend, s.amount),
  shadow: (r, s) => shadow(r, s),
  outline: (r, s) => outline(r, s),
  cartoonify: (r, s) => cartoonify(r, s.edge, s.lineWidth, s.levels, s.bw),
  noise: (r, s) => noise(r, s.amount, s.seed),
  'oil-paint': (r, s) => oilPaint(r, s.radius, s.levels),
  'make-transparent': (r, s) => makeTransparent(r, s.tolerance, s.color),
  'replace-color': (r, s) => replaceColor(r, s.to, s.radius, s.from),
  'gradient-fade': (r, s) => gradientFade(r, s.edge, s.depth, s.power, s.symmetric),
  detail: (r, s) => detail(r, s.sigma, s.amount),
  sharpen: (r, s) => sharpen(r, s.sigma, s.amount),
  'round-corners': (r, s) => roundCorners(r, s.radii === 'max' ? 'max' : s.radii),
  opacity: (r, s) => opacity(r, s.percent),
  flatten: (r, s) => (r.opaque ? r : flatten(r, s.background)),
};
