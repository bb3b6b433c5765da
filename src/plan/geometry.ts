/**
 * Crop and resize modes (`c_`), pure arithmetic: given the current image size and one component,
 * the geometric steps with exact pixel sizes. Semantics follow Cloudinary's reference (see README).
 */
import { isColor, type Background } from '../url/background';
import { formatComponent } from '../url/component';
import { CldError } from '../url/errors';
import type { Component, CropMode, Gravity } from '../url/params';
import type { Offset } from '../url/values';
import type { PadFill, Rgba, Size, Step } from './steps';

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
  const gravity = c.g;
  checkQualifiers(c, mode);
  const background = padFill(c.b ?? WHITE, dpr);
  // z_ on c_crop acts only without a width or height: the window is the image scaled by 1/z (breadth §3 "z").
  if (mode === 'crop' && c.z !== undefined && req.w === undefined && req.h === undefined) {
    const win = { width: Math.max(1, Math.min(W, Math.round(W / c.z))), height: Math.max(1, Math.min(H, Math.round(H / c.z))) };
    return cropTo(input, win, gravity, c, true, dpr);
  }
  if (req.w === undefined && req.h === undefined && req.ar === undefined) return [];

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
      case 'fill_pad':
        return [{ op: 'fill-pad', fill: background, ...inside }];
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
    case 'thumb':
      if (c.z !== undefined && c.z !== 1) return zoomedThumb(input, tw, th, c.z, c, dpr);
      return fillSteps(input, tw, th, fillScale, c, dpr);
    case 'fill':
      return fillSteps(input, tw, th, fillScale, c, dpr);
    case 'fill_pad':
      return [{ op: 'fill-pad', fill: background, width: tw, height: th }];
    case 'lfill':
      if (fillScale <= 1) return fillSteps(input, tw, th, fillScale, c, dpr);
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

function fillSteps(input: Size, tw: number, th: number, s: number, c: Component, dpr: number): Step[] {
  const resized = {
    width: Math.max(tw, Math.round(input.width * s)),
    height: Math.max(th, Math.round(input.height * s)),
  };
  // g_xy_center: the point (x, y) of the input, where it lands in the resized image.
  const point: Component =
    c.g === 'xy_center'
      ? {
          x: { kind: 'px', value: (offsetPx(c.x, input.width, dpr) * resized.width) / input.width },
          y: { kind: 'px', value: (offsetPx(c.y, input.height, dpr) * resized.height) / input.height },
        }
      : {};
  return [...resizeTo(input, resized), ...cropTo(resized, { width: tw, height: th }, c.g, point, false, 1)];
}

/**
 * c_thumb with z_: the fill window of the input (the largest of the requested aspect ratio) shrunk
 * by 1/z around its gravity, then scaled to the requested size (breadth §3 "z": the zoomed region
 * is scaled to fill w x h). Without detected faces the region is that window; z below 1 cannot
 * widen it past the image, so it stays the fill window.
 */
function zoomedThumb(input: Size, tw: number, th: number, z: number, c: Component, dpr: number): Step[] {
  const inside = fitAspect(input.width, input.height, tw / th, 'inside');
  const win = {
    width: Math.max(1, Math.min(inside.width, Math.round(inside.width / z))),
    height: Math.max(1, Math.min(inside.height, Math.round(inside.height / z))),
  };
  return [...cropTo(input, win, c.g, c, false, dpr), ...resizeTo(win, { width: tw, height: th })];
}

const PAD_MODES: readonly CropMode[] = ['pad', 'lpad', 'mpad', 'fill_pad'];

/** Qualifiers that only some crop modes read: refused elsewhere rather than ignored. */
function checkQualifiers(c: Component, mode: CropMode): void {
  if (c.b !== undefined && !isColor(c.b) && !PAD_MODES.includes(mode))
    throw new CldError(400, `b_${c.b.kind} fills the padding of c_pad, c_lpad, c_mpad and c_fill_pad only, in ${formatComponent(c)}`);
  if (c.z !== undefined && mode !== 'crop' && mode !== 'thumb')
    throw new CldError(400, `z_ (zoom) applies to c_crop and c_thumb only, in ${formatComponent(c)}`);
  if (mode === 'fill_pad' && c.g !== 'auto') throw new CldError(400, `c_fill_pad needs g_auto, in ${formatComponent(c)}`);
}

/** A padding's fill: b_ colour, b_auto (picked at run time) or b_blurred (sigma as e_blur's: intensity / 20 logical px). */
export function padFill(b: Background, dpr: number): PadFill {
  if (isColor(b)) return { kind: 'color', color: b };
  if (b.kind === 'blurred') return { kind: 'blurred', sigma: (b.intensity / 20) * dpr, brightness: b.brightness };
  return { kind: 'auto', from: b.from, contrast: b.contrast, ...(b.palette ? { palette: b.palette } : {}), ...(b.gradient ? { gradient: b.gradient } : {}) };
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
  if (gravity === 'xy_center') {
    // The window centred on the point (x, y) (breadth §3 "g_xy_center").
    x = offsetPx(c.x, input.width, dpr) - win.width / 2;
    y = offsetPx(c.y, input.height, dpr) - win.height / 2;
  } else if (!gravity && useOffsets && (c.x || c.y)) {
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

function padStep(image: Size, canvas: Size, gravity: Gravity | undefined, fill: PadFill): Step {
  // Place the image inside the canvas: the same anchor arithmetic with the roles swapped, negated.
  const [cx, cy] = place(canvas, image, gravity);
  const at = { x: Math.round(cx), y: Math.round(cy), ...canvas };
  if (fill.kind === 'color') return { op: 'pad', background: fill.color, ...at };
  return fill.kind === 'auto' ? { op: 'pad-auto', fill, ...at } : { op: 'pad-blurred', fill, ...at };
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

/** No gravity is center. */
export function compassOf(gravity: Gravity | undefined): string {
  if (!gravity || gravity === 'auto' || gravity === 'xy_center') return 'center';
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
