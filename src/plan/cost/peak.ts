/**
 * Peak memory of a plan: the original's bytes for the whole request, plus what every step holds
 * (plan/ops.ts `held`: decoding's and encoding's WASM growth, which never shrinks, the row
 * stream's rings and bands, layers), plus the largest JS working set of any one step. Streamed
 * steps hold no image-sized raster; the raster they produce appears only where the stream ends.
 */
import { stepSpec, type StepContext } from '../ops';
import type { Size, Step, Streaming } from '../steps';

/** Peak bytes one request may need: the isolate has 128 MB for everything, concurrent requests included. */
export const MEMORY_BUDGET = 100 * 1024 * 1024;

export function estimatePeak(steps: readonly Step[], how: Streaming, ctx: StepContext): number {
  let prev: Size = { width: 0, height: 0 };
  let held = 0;
  let working = 0;
  steps.forEach((step, i) => {
    const streamed = i < how.steps || (step.op === 'encode' && how.encode);
    const m = stepSpec(step.op).memory(step as never, prev, streamed, ctx);
    held += m.held ?? 0;
    working = Math.max(working, m.working ?? 0);
    // Where a stream ends without its encode, it is collected into a raster.
    if (i === how.steps - 1 && !how.encode) working = Math.max(working, step.width * step.height * 4);
    prev = step;
  });
  return ctx.inputBytes + held + working;
}
