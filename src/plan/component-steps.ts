/**
 * One component's steps, in Cloudinary's order: the angle first, then crop and resize (geometry.ts
 * reads every `geometry` parameter), then the effect, rounded corners and opacity. Every parameter
 * whose scope is `steps` (url/params.ts) has its builder here, keyed by its URL key: a new one
 * without a builder does not compile.
 */
import { formatComponent } from '../url/component';
import { boundParams, dprScales, readsColor } from '../url/effects';
import { CldError } from '../url/errors';
import type { Component, StepParam } from '../url/params';
import { EFFECT_STEPS } from './effects';
import { geometrySteps } from './geometry';
import type { Size, Step } from './steps';

type Builder<K extends StepParam> = (value: NonNullable<Component[K]>, size: Size, dpr: number, c: Component) => Step[];

const PARAM_STEPS: { [K in StepParam]: Builder<K> } = {
  a: (a, size) => {
    const steps: Step[] = [];
    if (a.degrees) {
      const swap = a.degrees !== 180;
      steps.push({ op: 'rotate', degrees: a.degrees as 90 | 180 | 270, ...(swap ? { width: size.height, height: size.width } : size) });
    }
    const flipped = steps.at(-1) ?? size;
    const at = { width: flipped.width, height: flipped.height };
    if (a.hflip) steps.push({ op: 'flip', axis: 'horizontal', ...at });
    if (a.vflip) steps.push({ op: 'flip', axis: 'vertical', ...at });
    return steps;
  },
  e: (e, size, dpr, c) => EFFECT_STEPS[e.name](e, size, dprScales(e) ? dpr : 1, c),
  r: (r, size, dpr) => [
    {
      op: 'round-corners',
      radii: r.kind === 'max' ? 'max' : (r.corners.map((v) => Math.round(v * dpr)) as unknown as [number, number, number, number]),
      ...size,
    },
  ],
  o: (o, size) => (o < 100 ? [{ op: 'opacity', percent: o, ...size }] : []),
};

/** The builders that run after crop and resize, in order. */
const AFTER_GEOMETRY = ['e', 'r', 'o'] as const;
// Every `steps` parameter is placed: the angle before the geometry, the rest after it.
const placed: [Exclude<StepParam, 'a' | (typeof AFTER_GEOMETRY)[number]>] extends [never] ? true : never = true;
void placed;

export function componentSteps(c: Component, input: Size, dpr: number): Step[] {
  if (c.co && !readsColor(c.e)) throw new CldError(400, `co_ needs an effect that uses a colour in the same component (e_colorize), in ${formatComponent(c)}`);
  const steps: Step[] = [];
  let size = input;
  const push = (more: Step[]) => {
    for (const s of more) {
      steps.push(s);
      size = { width: s.width, height: s.height };
    }
  };
  if (c.a) push(PARAM_STEPS.a(c.a, size, dpr, c));
  // Parameters an effect reads as its region or offset are not a crop or resize.
  const bound = boundParams(c.e);
  push(geometrySteps(bound.length ? withoutKeys(c, bound) : c, size, dpr));
  for (const key of AFTER_GEOMETRY) {
    const value = c[key];
    if (value !== undefined) push((PARAM_STEPS[key] as Builder<typeof key>)(value as never, size, dpr, c));
  }
  return steps;
}

function withoutKeys(c: Component, keys: readonly string[]): Component {
  const out: Component = { ...c };
  for (const k of keys) delete (out as Record<string, unknown>)[k];
  return out;
}
