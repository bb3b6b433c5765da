/**
 * Which steps of a plan run as a row stream (pixels/rows.ts): the decode and the streaming steps
 * right after it (plan/ops.ts `streams`), and the encode too when it is a baseline JPEG at a fixed
 * quality (q_auto searches on the whole raster), a PNG (no search: its rows are filtered as they
 * come; fl_png8 quantises the whole raster first) or a WebP over WEBP_LOW_MEMORY_PIXELS at a fixed
 * quality (its rows are written into the fresh encoder's heap: codecs/webp/encode.ts). The planner stores the answer in the plan
 * (`Plan.streamed`), so that its memory estimate and the executor follow one rule.
 */
import { WEBP_LOW_MEMORY_PIXELS } from './cost/model';
import { stepSpec } from './ops';
import type { Step, Streaming } from './steps';

export type { Streaming } from './steps';

export function streaming(steps: readonly Step[]): Streaming {
  let n = steps[0]?.op === 'decode' ? 1 : 0;
  if (n === 0) return { steps: 0, encode: false };
  while (n < steps.length && stepSpec(steps[n].op).streams) n++;
  const last = steps[n];
  const encode =
    n === steps.length - 1 &&
    last.op === 'encode' &&
    ((last.format === 'jpg' && !last.progressive && !last.auto) ||
      (last.format === 'png' && !last.png8) ||
      (last.format === 'webp' && !last.auto && !last.frames && last.width * last.height > WEBP_LOW_MEMORY_PIXELS));
  return { steps: n, encode };
}
