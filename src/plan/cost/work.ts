/**
 * The work budget, beside the memory budget: a plan's CPU time estimated from its step sizes
 * (plan/cost/model.ts WORK_NS), checked before anything is decoded. The isolate runs one request's
 * pixels at a time, so a plan that computes for seconds stalls every other request of the
 * isolate: it is refused instead.
 */
import { blurWork, decodeWork, encodeWork, resizeWork, WORK_NS } from './model';
import type { ImageHeader } from '../../codecs/header';
import type { Size, Step } from '../steps';

/**
 * Largest estimated work of one request: 2 s. The benchmark cases (bench/delivery.mjs: 12, 24 and
 * 50 MP JPEG to web sizes) are estimated at 0.02-0.3 s (they take 10-140 ms); the largest AVIF
 * dprox encodes (2 MP, plan/output.ts) with q_auto's search at 1.4 s; one e_blur:2000 on 3 MP at
 * 0.7 s.
 */
export const WORK_BUDGET_NS = 2e9;

/** Estimated nanoseconds of each step of `steps` (decode first), layers' own steps included in their composite. */
export function stepWork(steps: readonly Step[], header: ImageHeader): number[] {
  let prev: Size = { width: 0, height: 0 };
  return steps.map((step) => {
    const input = prev;
    prev = step;
    const px = step.width * step.height;
    switch (step.op) {
      case 'decode':
        return decodeWork(header, step.shrink);
      case 'resize':
        return resizeWork(input.width, input.height, step.width, step.height, step.widen);
      case 'crop-auto':
        return input.width * input.height * WORK_NS.saliency + px * WORK_NS.move;
      case 'blur':
        return blurWork(step.width, step.height, step.sigma);
      case 'sharpen':
      case 'detail':
        return blurWork(step.width, step.height, step.sigma) + px * WORK_NS.sharpenCombine;
      case 'round-corners':
        return px * WORK_NS.roundCorners;
      case 'composite':
        return estimateWork(step.layer.steps, step.layer.source.header) + px * WORK_NS.composite;
      case 'encode':
        return encodeWork(step.format, step.width, step.height, step.progressive, step.auto !== undefined);
      default:
        return Math.max(px, input.width * input.height) * WORK_NS.move;
    }
  });
}

export function estimateWork(steps: readonly Step[], header: ImageHeader): number {
  return stepWork(steps, header).reduce((a, b) => a + b, 0);
}
