/**
 * The work budget, beside the memory budget: a plan's CPU time estimated from its step sizes
 * (plan/ops.ts `work`, with plan/cost/model.ts WORK_NS), checked before anything is decoded. The
 * isolate runs one request's pixels at a time, so a plan that computes for seconds stalls every
 * other request of the isolate: it is refused instead.
 */
import { stepSpec } from '../ops';
import type { ImageHeader, Size, Step } from '../steps';

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
    return stepSpec(step.op).work(step as never, input, { header, inputBytes: 0 });
  });
}

export function estimateWork(steps: readonly Step[], header: ImageHeader): number {
  return stepWork(steps, header).reduce((a, b) => a + b, 0);
}
