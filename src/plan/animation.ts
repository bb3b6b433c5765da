/**
 * Animated originals (GIF, animated WebP): `pg_` picks one frame; otherwise an output that keeps
 * every frame (plan/output.ts `animate`) runs the plan once per frame, within a frames x area
 * budget (Cloudflare Images allows 100 MP of frames) and the memory and work budgets. Over any of
 * them the first frame is served as a still, and the response says so (X-Dprox-Animation).
 */
import { CldError } from '../url/errors';
import type { Component } from '../url/params';
import { isLayer, withLayers } from './layers';
import type { ImageHeader, Step } from './steps';

/** Output pixels of all frames together, at most: Cloudflare Images' 100 MP of frames. */
export const FRAME_AREA_BUDGET = 100_000_000;

/** The chain's pg_ (the last one outside layers: inside a layer it picks the layer's frame), 1-based. */
export function chainPage(components: readonly Component[]): number | undefined {
  let page: number | undefined;
  for (const c of withLayers(components)) if (!isLayer(c) && c.pg !== undefined) page = c.pg;
  return page;
}

/** pg_'s frame (1-based) checked against the header: the 0-based index, or undefined without pg_. */
export function pickedFrame(components: readonly Component[], header: ImageHeader): number | undefined {
  const page = chainPage(components);
  if (page === undefined) return undefined;
  // A layer's GIF header read from a prefix has no count: frameAt refuses a frame past the last.
  const frames = header.animated ? header.frames : 1;
  if (frames !== undefined && page > frames)
    throw new CldError(400, `Invalid page in transformation: pg_${page}, the image has ${frames} ${frames === 1 ? 'frame' : 'frames'}`);
  if (page > 1 && header.format !== 'gif' && header.format !== 'webp')
    throw new CldError(400, `pg_${page}: frames of animated ${header.format} are not supported`);
  return page - 1;
}

/** The steps of one frame made the steps of the whole animation: every frame decoded and encoded. */
export function animatedSteps(steps: readonly Step[], frames: number): Step[] {
  return steps.map((s) => (s.op === 'decode' || s.op === 'encode' ? { ...s, frames } : s));
}

/** Why an animation is served as its first frame, for X-Dprox-Animation; undefined when it fits. */
export function overFrameBudget(frames: number, width: number, height: number): string | undefined {
  if (frames * width * height <= FRAME_AREA_BUDGET) return undefined;
  return `first-frame (${frames} frames x ${width}x${height} over the ${FRAME_AREA_BUDGET / 1e6} MP budget)`;
}

/**
 * Steps whose geometry is chosen from each frame's pixels would move the crop from frame to frame:
 * refused on an animation (Cloudinary refuses c_fill_pad on one too), rather than served jittering.
 */
export function checkAnimatable(steps: readonly Step[]): void {
  for (const s of steps) {
    if (s.op === 'trim')
      throw new CldError(400, 'e_trim is not supported on animated images (each frame would be trimmed to another size): use pg_ for one frame');
    if (s.op === 'crop-auto' || s.op === 'fill-pad')
      throw new CldError(
        400,
        `${s.op === 'crop-auto' ? 'g_auto' : 'c_fill_pad'} is not supported on animated images (it would crop each frame elsewhere): use a compass gravity, or pg_ for one frame`,
      );
  }
}
