/**
 * Which steps of a plan run as a row stream (pixels/rows.ts): the decode and the resizes and crops
 * right after it, and the encode too when it is a baseline JPEG at a fixed quality (q_auto searches
 * on the whole raster). Shared by the
 * runner and the planner's memory estimate, so that both follow one rule.
 */
import type { Step } from './steps';

export interface Streaming {
  /** Leading steps (the decode included) that stream. */
  steps: number;
  /** The encode consumes the stream: no image-sized raster at all. */
  encode: boolean;
}

const STREAMABLE: ReadonlySet<Step['op']> = new Set(['icc', 'resize', 'crop']);

export function streaming(steps: readonly Step[]): Streaming {
  let n = steps[0]?.op === 'decode' ? 1 : 0;
  if (n === 0) return { steps: 0, encode: false };
  while (n < steps.length && STREAMABLE.has(steps[n].op)) n++;
  const last = steps[n];
  const encode = n === steps.length - 1 && last.op === 'encode' && last.format === 'jpg' && !last.progressive && !last.auto;
  return { steps: n, encode };
}
