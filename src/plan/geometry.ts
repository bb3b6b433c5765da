/**
 * Crop and resize modes (`c_`), pure arithmetic: given the current image size and one component,
 * the geometric steps with exact pixel sizes. Semantics follow Cloudinary's reference (see README).
 */
import type { Rgba } from './steps';
import type { Component, Gravity } from '../url/params';
import type { Offset } from '../url/values';
import type { Size, Step } from './steps';

const WHITE: Rgba = [255, 255, 255, 255];

interface Requested {
  w?: number;
  h?: number;
  ar?: number;
}

/** w/h/ar of a component in pixels of its input: pixel values times the DPR, ratios of the input size. */
export function requestedSize(c: Component, input: Size, dpr: number): Requested {
  const resolve = (d: Component['w'], own: number): number | undefined => {
    if (!d) return undefined;
    switch (d.kind) {
      case 'px':
        return Math.max(1, Math.round(d.value * dpr));
      case 'ratio':
        return Math.max(1, Math.round(d.value * own));
      case 'input':
        return d.of === 'width' ? input.width : input.height;
      case 'auto':
        return undefined; // unresolved auto width: no width constraint
    }
  };
  let w = resolve(c.w, input.width);
  let h = resolve(c.h, input.height);
  const ar = c.ar;
  if (ar !== undefined && w !== undefined && h === undefined) h = Math.max(1, Math.round(w / ar));
  else if (ar !== undefined && h !== undefined && w === undefined) w = Math.max(1, Math.round(h * ar));
  return { w, h, ar: w === undefined && h === undefined ? ar : undefined };
}

export function geometrySteps(c: Component, input: Size, dpr: number): Step[] {
  const req = requestedSize(c, input, dpr);
  const mode = c.c ?? 'scale';
  const { width: W, height: H } = input;
  if (req.w === undefined && req.h === undefined && req.ar === undefined) return [];
  const gravity = c.g;
  const background = c.b ?? WHITE;

  // Only an aspect ratio: the largest window of that ratio inside (crop modes) or around (pad modes) the image.
  if (req.ar !== undefined) {
    const inside = fitAspect(W, H, req.ar, 'inside');
    switch (mode) {
      case 'fill':
      case 'lfill':
      case 'thumb':
      case 'crop':
        return cropTo(input, inside, gravity, c, mode === 'crop', dpr);
      case 'pad':
      case 'lpad':
      case 'mpad': {
        const around = fitAspect(W, H, req.ar, 'around');
        return [padStep(input, around, gravity, background)];
      }
      case 'scale':
        return resizeTo(input, { width: W, height: Math.max(1, Math.round(W / req.ar)) });
      default:
        return [];
    }
  }

  const ignoreAspect = c.fl?.includes('ignore_aspect_ratio') ?? false;
  // One side only: the other follows the input's aspect ratio (or stays, with fl_ignore_aspect_ratio).
  const tw = req.w ?? (ignoreAspect && mode === 'scale' ? W : Math.max(1, Math.round((req.h! * W) / H)));
  const th = req.h ?? (ignoreAspect && mode === 'scale' ? H : Math.max(1, Math.round((req.w! * H) / W)));
  const fitScale = Math.min(req.w !== undefined ? req.w / W : Infinity, req.h !== undefined ? req.h / H : Infinity);
  const fillScale = Math.max(tw / W, th / H);
  const fitted = scaled(input, fitScale);

  switch (mode) {
    case 'scale':
      return resizeTo(input, { width: tw, height: th });
    case 'fit':
      return resizeTo(input, fitted);
    case 'limit':
      return fitScale < 1 ? resizeTo(input, fitted) : [];
    case 'mfit':
      return fitScale > 1 ? resizeTo(input, fitted) : [];
    case 'fill':
    case 'thumb':
      return fillSteps(input, tw, th, fillScale, gravity);
    case 'lfill':
      if (fillScale <= 1) return fillSteps(input, tw, th, fillScale, gravity);
      // Never upscale: keep the scale, crop to what the image can give of the requested size.
      return cropTo(input, { width: Math.min(tw, W), height: Math.min(th, H) }, gravity, c, false, dpr);
    case 'pad':
      return [...resizeTo(input, fitted), padStep(fitted, { width: tw, height: th }, gravity, background)];
    case 'lpad':
      if (fitScale < 1) return [...resizeTo(input, fitted), padStep(fitted, { width: tw, height: th }, gravity, background)];
      return [padStep(input, { width: Math.max(tw, W), height: Math.max(th, H) }, gravity, background)];
    case 'mpad':
      // Pads up to the requested size without scaling; never scales down (smaller request: original).
      return tw >= W && th >= H ? [padStep(input, { width: tw, height: th }, gravity, background)] : [];
    case 'crop':
      return cropTo(input, { width: Math.min(tw, W), height: Math.min(th, H) }, gravity, c, true, dpr);
  }
}

function scaled(input: Size, s: number): Size {
  return { width: Math.max(1, Math.round(input.width * s)), height: Math.max(1, Math.round(input.height * s)) };
}

function resizeTo(input: Size, out: Size): Step[] {
  return out.width === input.width && out.height === input.height ? [] : [{ op: 'resize', ...out }];
}

function fillSteps(input: Size, tw: number, th: number, s: number, gravity: Gravity | undefined): Step[] {
  const resized = {
    width: Math.max(tw, Math.round(input.width * s)),
    height: Math.max(th, Math.round(input.height * s)),
  };
  return [...resizeTo(input, resized), ...cropTo(resized, { width: tw, height: th }, gravity, {}, false, 1)];
}

function fitAspect(W: number, H: number, ar: number, how: 'inside' | 'around'): Size {
  const wider = W / H > ar;
  if (how === 'inside') return wider ? { width: Math.max(1, Math.round(H * ar)), height: H } : { width: W, height: Math.max(1, Math.round(W / ar)) };
  return wider ? { width: W, height: Math.max(1, Math.round(W / ar)) } : { width: Math.max(1, Math.round(H * ar)), height: H };
}

/**
 * A crop window. `c_crop` with x/y and no gravity: x/y is the top-left corner. With a compass gravity,
 * x/y move the window away from that edge (Cloudinary's offset directions).
 */
function cropTo(input: Size, win: Size, gravity: Gravity | undefined, c: Component, useOffsets: boolean, dpr: number): Step[] {
  if (win.width === input.width && win.height === input.height) return [];
  if (gravity === 'auto') return [{ op: 'crop-auto', ...win }];
  const ox = useOffsets ? offsetPx(c.x, input.width, dpr) : 0;
  const oy = useOffsets ? offsetPx(c.y, input.height, dpr) : 0;
  let x: number;
  let y: number;
  if (!gravity && useOffsets && (c.x || c.y)) {
    x = ox;
    y = oy;
  } else {
    [x, y] = place(input, win, gravity);
    const [sx, sy] = offsetDirection(compassOf(gravity));
    x += sx * ox;
    y += sy * oy;
  }
  x = clamp(Math.round(x), 0, input.width - win.width);
  y = clamp(Math.round(y), 0, input.height - win.height);
  return [{ op: 'crop', x, y, ...win }];
}

function padStep(image: Size, canvas: Size, gravity: Gravity | undefined, background: Rgba): Step {
  // Place the image inside the canvas: the same anchor arithmetic with the roles swapped, negated.
  const [cx, cy] = place(canvas, image, gravity);
  return { op: 'pad', x: Math.round(cx), y: Math.round(cy), background, ...canvas };
}

/** Top-left of a `win` placed in `outer` by gravity. */
export function place(outer: Size, win: Size, gravity: Gravity | undefined): [number, number] {
  const g = compassOf(gravity);
  const dx = outer.width - win.width;
  const dy = outer.height - win.height;
  const x = g.includes('west') ? 0 : g.includes('east') ? dx : dx / 2;
  const y = g.startsWith('north') ? 0 : g.startsWith('south') ? dy : dy / 2;
  return [Math.floor(x), Math.floor(y)];
}

/** Face gravities fall back to north (dprox detects no faces); no gravity is center. */
export function compassOf(gravity: Gravity | undefined): string {
  if (!gravity || gravity === 'auto') return 'center';
  if (gravity.includes('face')) return 'north';
  return gravity;
}

export function offsetDirection(g: string): [number, number] {
  const sx = g === 'north_east' || g === 'east' || g === 'south_east' ? -1 : 1;
  const sy = g.startsWith('south') ? -1 : 1;
  return [sx, sy];
}

/** Pixel offsets are logical (times the DPR); fractions are of the input size. */
export function offsetPx(o: Offset | undefined, size: number, dpr: number): number {
  if (!o) return 0;
  return o.kind === 'px' ? o.value * dpr : o.value * size;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), Math.max(lo, hi));
}
