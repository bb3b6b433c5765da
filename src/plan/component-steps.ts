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
import { isColor } from '../url/background';
import { geometrySteps, requestedSize } from './geometry';
import type { Rgba, Size, Step } from './steps';

type Builder<K extends StepParam> = (value: NonNullable<Component[K]>, size: Size, dpr: number, c: Component) => Step[];

const PARAM_STEPS: { [K in StepParam]: Builder<K> } = {
  a: (a, size, dpr, c) => {
    const steps: Step[] = [];
    const push = (step: Step) => {
      steps.push(step);
      size = { width: step.width, height: step.height };
    };
    const quarter = (degrees: 90 | 180 | 270) => push({ op: 'rotate', degrees, ...(degrees !== 180 ? { width: size.height, height: size.width } : size) });
    if (a.auto) {
      // a_auto_right / a_auto_left: a quarter turn when the crop asked for is landscape and the image portrait, or the reverse (breadth §3 "a").
      const req = requestedSize(c, size, dpr);
      const aspect = req.ar ?? (req.w !== undefined && req.h !== undefined ? req.w / req.h : undefined);
      if (aspect !== undefined && aspect !== 1 && size.width !== size.height && aspect > 1 !== size.width > size.height) quarter(a.auto === 'right' ? 90 : 270);
    }
    if (a.degrees % 90 === 0) {
      if (a.degrees) quarter(a.degrees as 90 | 180 | 270);
    } else {
      // Cloudinary downscales inputs over 3000 px on either side before rotating (breadth §3 "a").
      const over = Math.max(size.width, size.height) / MAX_ROTATE_SIDE;
      if (over > 1) push({ op: 'resize', width: Math.max(1, Math.round(size.width / over)), height: Math.max(1, Math.round(size.height / over)) });
      push({ op: 'rotate-any', degrees: a.degrees, background: rotateBackground(c), ...rotatedBounds(size, a.degrees) });
    }
    if (a.hflip) steps.push({ op: 'flip', axis: 'horizontal', ...size });
    if (a.vflip) steps.push({ op: 'flip', axis: 'vertical', ...size });
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
  // Around the image, growing the canvas by twice the width (breadth §3 "bo": assumed outside
  // [unconfirmed], width times the DPR [unconfirmed]); following the corners of an r_ in the same component.
  bo: (bo, size, dpr, c) => {
    const width = Math.max(1, Math.round(bo.width * dpr));
    const radii =
      c.r === undefined ? undefined : c.r.kind === 'max' ? 'max' : (c.r.corners.map((v) => Math.round(v * dpr)) as unknown as [number, number, number, number]);
    return [{ op: 'border', size: width, color: bo.color, ...(radii ? { radii } : {}), width: size.width + 2 * width, height: size.height + 2 * width }];
  },
};

/** Inputs larger than this on either side are downscaled before an arbitrary rotation, as on Cloudinary. */
export const MAX_ROTATE_SIDE = 3000;

/** The canvas of a rotation by `degrees`: the bounding box of the rotated image. */
export function rotatedBounds(size: Size, degrees: number): Size {
  const t = (degrees * Math.PI) / 180;
  const cos = Math.abs(Math.cos(t));
  const sin = Math.abs(Math.sin(t));
  // The epsilon keeps 600.0000000001 from rounding as a float artefact would.
  const side = (v: number) => Math.max(1, Math.round(v - 1e-9));
  return { width: side(size.width * cos + size.height * sin), height: side(size.width * sin + size.height * cos) };
}

/**
 * The corners a rotation uncovers: the component's b_ colour, else transparent, which a JPEG's
 * flatten turns white (or into the chain's b_): breadth §3 "a", corner fill [unconfirmed].
 */
function rotateBackground(c: Component): Rgba {
  return isColor(c.b) ? c.b : [0, 0, 0, 0];
}

/** The builders that run after crop and resize, in order. */
const AFTER_GEOMETRY = ['e', 'r', 'bo', 'o'] as const;
// Every `steps` parameter is placed: the angle before the geometry, the rest after it.
const placed: [Exclude<StepParam, 'a' | (typeof AFTER_GEOMETRY)[number]>] extends [never] ? true : never = true;
void placed;

export function componentSteps(c: Component, input: Size, dpr: number): Step[] {
  if (c.co && !readsColor(c.e))
    throw new CldError(
      400,
      `co_ needs something that uses a colour in the same component (e_colorize, e_shadow, e_outline, e_make_transparent or l_text), in ${formatComponent(c)}`,
    );
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
