/**
 * Whether a transformation can make an opaque original transparent: the one predicate for the
 * planner's JPEG flatten, f_auto's choice of format and the AI jobs' alpha handling.
 */
import type { Component } from '../url/params';
import type { Step } from './steps';

/** A step whose output may have alpha below 255 where its input was opaque. */
export function stepAddsAlpha(step: Step): boolean {
  switch (step.op) {
    case 'round-corners':
    case 'opacity':
    case 'composite':
      return true;
    case 'pad':
      return step.background[3] < 255;
    default:
      return false;
  }
}

/** Before planning (f_auto picks a format that keeps alpha): a component that may add transparency. */
export function componentMayAddAlpha(c: Component): boolean {
  return c.r !== undefined || c.l !== undefined || c.u !== undefined || (c.o !== undefined && c.o < 100) || (c.b !== undefined && c.b[3] < 255);
}
