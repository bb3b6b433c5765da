/**
 * Whether a transformation can make an opaque original transparent: the one predicate for the
 * planner's JPEG flatten, f_auto's choice of format (plan.ts mayBeTransparent) and the AI jobs'
 * alpha handling.
 */
import { stepSpec } from './ops';
import type { Step } from './steps';

/** A step whose output may have alpha below 255 where its input was opaque (plan/ops.ts `addsAlpha`). */
export function stepAddsAlpha(step: Step): boolean {
  return stepSpec(step.op).addsAlpha?.(step as never) ?? false;
}
