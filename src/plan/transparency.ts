/**
 * Whether a transformation can make an opaque original transparent: the one predicate for the
 * planner's JPEG flatten, f_auto's choice of format and the AI jobs' alpha handling.
 */
import { isColor } from '../url/background';
import type { Component } from '../url/params';
import { stepSpec } from './ops';
import type { Step } from './steps';

/** A step whose output may have alpha below 255 where its input was opaque (plan/ops.ts `addsAlpha`). */
export function stepAddsAlpha(step: Step): boolean {
  return stepSpec(step.op).addsAlpha?.(step as never) ?? false;
}

/** Before planning (f_auto picks a format that keeps alpha): a component that may add transparency. */
export function componentMayAddAlpha(c: Component): boolean {
  return (
    c.r !== undefined ||
    c.l !== undefined ||
    c.u !== undefined ||
    (c.o !== undefined && c.o < 100) ||
    (isColor(c.b) && c.b[3] < 255) ||
    (c.bo !== undefined && c.bo.color[3] < 255) ||
    // An arbitrary angle uncovers corners, transparent unless an opaque b_ fills them.
    (c.a !== undefined && c.a.degrees % 90 !== 0 && !(isColor(c.b) && c.b[3] === 255))
  );
}
