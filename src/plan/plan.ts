/**
 * The planner: pure. Resolved transformation + source header → ordered steps with exact pixel
 * sizes and the request's peak memory, checked against the budget before any pixel is decoded.
 */
import { chooseShrink, decodeCost, encodeCost, filterCost, resizeTaps } from './cost/model';
import type { ImageHeader } from '../codecs/header';
import type { Rgba } from '../pixels/raster';
import { amountFor, dprScales, sigmaFor } from '../url/effects';
import { CldError } from '../url/errors';
import type { Component } from '../url/params';
import { geometrySteps } from './geometry';
import { premiumDownscaling } from './premium';
import { streaming } from './stream';
import { chainDpr } from './hints';
import { isLayer, layerBytes, layerSteps, withLayers } from './layers';
import { settleFormat } from './output';
import { stepAddsAlpha } from './transparency';
import { checkComponentCount, checkSize } from './limits';
import { estimateWork, WORK_BUDGET_NS } from './cost/work';
import type { Plan, PlanInput, Size, Step } from './steps';

export type { OutputSpec, Plan, PlanInput } from './steps';

/** Peak bytes one request may need: the isolate has 128 MB for everything, concurrent requests included. */
export const MEMORY_BUDGET = 100 * 1024 * 1024;

const WHITE: Rgba = [255, 255, 255, 255];

export function buildPlan({ components, header, inputBytes, output: asked, extraBytes, layers, premium }: PlanInput): Plan {
  checkComponentCount(components.length);
  const dpr = chainDpr(components);
  const autoOrient = header.orientation > 1 && !components.some((c) => c.a?.ignore);
  const swaps = autoOrient && header.orientation >= 5;
  const oriented: Size = swaps ? { width: header.height, height: header.width } : { width: header.width, height: header.height };

  // The transformation at full resolution, in logical (oriented) coordinates.
  let chain: Step[] = [];
  let size = oriented;
  let n = 0;
  for (const c of withLayers(components)) {
    n++;
    for (const step of isLayer(c) ? layerSteps(c, size, dpr, layers, buildPlan) : componentSteps(c, size, dpr)) {
      // Before it is the next step's input: sizes stay finite integers within the limits.
      checkSize(step, `the ${step.op} of ${isLayer(c) ? `layer ${c.publicId}` : `component ${n}`}`);
      chain.push(step);
      size = { width: step.width, height: step.height };
    }
  }

  if (premium || components.some((c) => c.fl?.includes('premium_downscaling'))) chain = premiumDownscaling(chain, oriented);

  // Shrink-on-load: decode a JPEG at 1/2, 1/4 or 1/8 when the chain starts by resizing to a size that still fits.
  const first = chain[0];
  const shrink = first?.op === 'resize' ? chooseShrink(header, swaps ? first.height : first.width, swaps ? first.width : first.height) : 1;
  const decoded: Size = { width: Math.ceil(header.width / shrink), height: Math.ceil(header.height / shrink) };
  const steps: Step[] = [{ op: 'decode', shrink, ...decoded }];
  if (header.icc || header.iccDeflated) steps.push({ op: 'icc', ...decoded });
  if (autoOrient) steps.push({ op: 'orient', orientation: header.orientation, ...(swaps ? { width: decoded.height, height: decoded.width } : decoded) });
  const loaded = steps[steps.length - 1];
  // Shrink-on-load may already have produced the first resize's exact size.
  if (first?.op === 'resize' && first.width === loaded.width && first.height === loaded.height) chain.shift();
  steps.push(...chain);
  let { output, fallback } = settleFormat(asked, size.width, size.height);
  const transparent =
    header.hasAlpha || chain.some(stepAddsAlpha);
  if (output.format === 'jpg' && transparent) steps.push({ op: 'flatten', background: lastBackground(components), ...size });
  steps.push({ op: 'encode', ...output, ...size });

  const extra = () => (extraBytes?.(decoded) ?? 0) + layerBytes(steps);
  let peakBytes = estimatePeak(steps, header, inputBytes) + extra();
  // Written so that NaN is refused too.
  if (!(peakBytes <= MEMORY_BUDGET) && output.format === 'avif') {
    // AVIF's encoder needs more memory than WebP's: deliver WebP rather than refuse.
    output = { ...output, format: 'webp' };
    fallback = `avif->webp (memory: ${mb(peakBytes)} MB over ${mb(MEMORY_BUDGET)} MB)`;
    steps[steps.length - 1] = { op: 'encode', ...output, ...size };
    peakBytes = estimatePeak(steps, header, inputBytes) + extra();
  }
  if (!(peakBytes <= MEMORY_BUDGET)) {
    throw new CldError(
      400,
      `Image too large to process: ${header.width}x${header.height} ${header.format}${header.progressive ? ' (progressive)' : ''} to ${size.width}x${size.height} needs about ${mb(peakBytes)} MB, over the ${mb(MEMORY_BUDGET)} MB limit`,
    );
  }
  const work = estimateWork(steps, header);
  if (!(work <= WORK_BUDGET_NS)) {
    throw new CldError(
      400,
      `Transformation too expensive: ${header.width}x${header.height} ${header.format} to ${size.width}x${size.height} needs about ${seconds(work)} s of processing, over the ${seconds(WORK_BUDGET_NS)} s limit`,
    );
  }
  return { steps, width: size.width, height: size.height, peakBytes, work, output, ...(fallback ? { formatFallback: fallback } : {}) };
}

/** One component: angle first, then crop/resize, effect, rounded corners, opacity. */
function componentSteps(c: Component, input: Size, dpr: number): Step[] {
  const steps: Step[] = [];
  let size = input;
  const push = (s: Step) => {
    steps.push(s);
    size = { width: s.width, height: s.height };
  };
  if (c.a) {
    if (c.a.degrees) {
      const swap = c.a.degrees !== 180;
      push({ op: 'rotate', degrees: c.a.degrees as 90 | 180 | 270, ...(swap ? { width: size.height, height: size.width } : size) });
    }
    if (c.a.hflip) push({ op: 'flip', axis: 'horizontal', ...size });
    if (c.a.vflip) push({ op: 'flip', axis: 'vertical', ...size });
  }
  for (const s of geometrySteps(c, size, dpr)) push(s);
  if (c.e) {
    const scale = dprScales(c.e) ? dpr : 1;
    switch (c.e.name) {
      case 'grayscale':
        push({ op: 'grayscale', ...size });
        break;
      case 'blur':
        push({ op: 'blur', sigma: sigmaFor(c.e) * scale, ...size });
        break;
      case 'sharpen':
      case 'unsharp_mask':
        push({ op: 'sharpen', sigma: sigmaFor(c.e) * scale, amount: amountFor(c.e), ...size });
        break;
    }
  }
  if (c.r) {
    const radii = c.r.kind === 'max' ? 'max' : (c.r.corners.map((v) => Math.round(v * dpr)) as unknown as [number, number, number, number]);
    push({ op: 'round-corners', radii, ...size });
  }
  if (c.o !== undefined && c.o < 100) push({ op: 'opacity', percent: c.o, ...size });
  return steps;
}

function lastBackground(components: readonly Component[]): Rgba {
  let bg: Rgba = WHITE;
  for (const c of components) if (c.b && c.b[3] > 0) bg = c.b;
  return [bg[0], bg[1], bg[2], 255];
}

const rgbaBytes = (s: Size) => s.width * s.height * 4;

/**
 * Peak memory: the original's bytes for the whole request, plus what decoding leaves in WASM memory
 * (it never shrinks), plus the largest JS working set of any later step, plus the encoder's memory.
 * Streamed steps (stream.ts) hold no image-sized raster: the decoder's rows, the filter's ring and
 * bands; the raster they produce appears only where the stream ends.
 */
function estimatePeak(steps: Step[], header: ImageHeader, inputBytes: number): number {
  const how = streaming(steps);
  let prev: Size = { width: 0, height: 0 };
  let decode = 0;
  let stream = 0;
  let encode = 0;
  let working = 0;
  steps.forEach((step, i) => {
    const streamed = i < how.steps || (step.op === 'encode' && how.encode);
    const out = rgbaBytes(step);
    const input = rgbaBytes(prev);
    switch (step.op) {
      case 'decode':
        decode = decodeCost(header, step.shrink, inputBytes, streamed && header.format === 'jpg');
        break;
      case 'encode':
        encode = encodeCost(step.format, step.width, step.height, step.progressive, step.auto !== undefined);
        if (!streamed) working = Math.max(working, input);
        break;
      case 'resize': {
        const taps = resizeTaps(prev.height, step.height, step.widen);
        const filter = filterCost(prev.width, step.width, step.height, taps);
        if (streamed) stream += filter + BAND_BYTES(step);
        else working = Math.max(working, input + out + filter);
        break;
      }
      case 'crop':
        if (streamed) stream += BAND_BYTES(step);
        else working = Math.max(working, input + out);
        break;
      case 'icc': // converts the decoder's bands in place (its LUTs are a few KiB)
        if (!streamed) working = Math.max(working, input + out);
        break;
      case 'blur': // the raster, its copy in the filter kernel with the kernel's result, the JS result
        working = Math.max(working, input * 2 + out * 2);
        break;
      case 'sharpen':
      case 'detail': // the same for the blur, then the sharpened result beside it
        working = Math.max(working, input * 2 + out * 3);
        break;
      default:
        working = Math.max(working, input + out);
    }
    // Where a stream ends without its encode, it is collected into a raster.
    if (i === how.steps - 1 && !how.encode) working = Math.max(working, out);
    prev = step;
  });
  return inputBytes + decode + stream + working + encode;
}

/** A band of 16 rows. */
const BAND_BYTES = (s: Size) => s.width * 4 * 16;

function seconds(ns: number): string {
  return (ns / 1e9).toFixed(1);
}

function mb(bytes: number): number {
  return Math.ceil(bytes / (1024 * 1024));
}
