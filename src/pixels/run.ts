/**
 * Runs a plan: one executor per step, each taking the previous raster and returning the next,
 * so only the current step's input and output are alive at any time.
 */
import type { Plan } from '../plan/plan';
import type { Step } from '../plan/steps';
import { chooseQuality } from './auto-quality';
import { gaussianBlur } from './blur';
import { findSalientWindow } from './saliency';
import { crop } from './crop';
import { decode } from './decode';
import { encode } from './encode';
import { flatten } from './flatten';
import { grayscale } from './grayscale';
import type { ImageHeader } from './header';
import { setOpacity } from './opacity';
import { applyOrientation } from './orient';
import { pad } from './pad';
import { roundCorners } from './radius';
import type { Raster } from './raster';
import { resize } from './resize';
import { flip, rotate } from './rotate';
import { unsharpMask } from './sharpen';

/** `afterDecode` adjusts the decoded raster before the other steps (the alpha of an AI result). */
export type AfterDecode = (r: Raster) => Raster;

export async function runPlan(bytes: Uint8Array, header: ImageHeader, plan: Plan, afterDecode?: AfterDecode): Promise<Uint8Array> {
  return (await renderAndEncode(bytes, header, plan, afterDecode)).bytes;
}

export interface Encoded {
  bytes: Uint8Array;
  /** The quality the encoder got (q_auto: the one the search chose); undefined for PNG. */
  quality?: number;
  /** q_auto: milliseconds the quality search took. */
  searchMs?: number;
}

/** runPlan, telling which quality was used: q_auto searches it on the rendered raster (auto-quality.ts). */
export async function renderAndEncode(bytes: Uint8Array, header: ImageHeader, plan: Plan, afterDecode?: AfterDecode): Promise<Encoded> {
  const step = plan.steps[plan.steps.length - 1];
  if (step.op !== 'encode') throw new Error('plan has no encode step');
  const raster = await renderPlan(bytes, header, plan, afterDecode);
  let quality = step.quality;
  let searchMs: number | undefined;
  if (step.auto && step.format !== 'png') {
    const started = Date.now();
    quality = (await chooseQuality(raster, step.format, step.auto, step.progressive)).quality;
    searchMs = Date.now() - started;
  }
  const out = await encode(raster, step.format, { quality, progressive: step.progressive });
  return { bytes: out, quality: step.format === 'png' ? undefined : quality, searchMs };
}

/** Every step but the encode: the raster a plan produces (the input of an AI job). */
export async function renderPlan(bytes: Uint8Array, header: ImageHeader, plan: Plan, afterDecode?: AfterDecode): Promise<Raster> {
  let raster: Raster | undefined;
  for (const step of plan.steps) {
    if (step.op === 'decode') {
      raster = await decode(bytes, header, step.shrink);
      if (afterDecode) raster = afterDecode(raster);
    }
    else if (step.op !== 'encode') raster = apply(raster!, step);
  }
  return raster!;
}

function apply(r: Raster, step: Exclude<Step, { op: 'decode' | 'encode' }>): Raster {
  switch (step.op) {
    case 'orient':
      return applyOrientation(r, step.orientation);
    case 'resize':
      return resize(r, step.width, step.height);
    case 'crop':
      return crop(r, step.x, step.y, step.width, step.height);
    case 'crop-auto': {
      const { x, y } = findSalientWindow(r, step.width, step.height);
      return crop(r, x, y, step.width, step.height);
    }
    case 'pad':
      return pad(r, step.width, step.height, step.x, step.y, step.background);
    case 'rotate':
      return rotate(r, step.degrees);
    case 'flip':
      return flip(r, step.axis);
    case 'grayscale':
      return grayscale(r);
    case 'blur':
      return gaussianBlur(r, step.sigma);
    case 'sharpen':
      return unsharpMask(r, step.sigma, step.amount);
    case 'round-corners':
      return roundCorners(r, step.radii === 'max' ? 'max' : step.radii);
    case 'opacity':
      return setOpacity(r, step.percent);
    case 'flatten':
      return r.opaque ? r : flatten(r, step.background);
  }
}
