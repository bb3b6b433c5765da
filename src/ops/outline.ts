import { createRaster, type Raster } from '../pixels/raster';
import type { Step } from '../plan/steps';
import { blur } from './blur';
import { drawOver } from './composite';
import { distanceTo } from './distance';

type OutlineStep = Extract<Step, { op: 'outline' }>;

/**
 * e_outline: a band of `width` pixels along the alpha edge (alpha >= 128 is inside), outside it,
 * inside it or both, in the outline's colour, blurred by `sigma`; `fill` modes also paint the
 * inside. The image lands at (baseX, baseY) of the canvas (grown for outer outlines).
 */
export function outline(r: Raster, step: OutlineStep): Raster {
  const { width: W, height: H, baseX, baseY } = step;
  const inside = new Uint8Array(W * H);
  for (let y = 0; y < r.height; y++) for (let x = 0; x < r.width; x++) inside[(y + baseY) * W + x + baseX] = r.data[(y * r.width + x) * 4 + 3] >= 128 ? 1 : 0;
  const outside = inside.map((v) => 1 - v);
  const toEdgeFromInside = distanceTo(inside, W, H);
  const toShapeFromOutside = distanceTo(outside, W, H);
  const cover = (dist: number) => Math.max(0, Math.min(1, step.thickness + 0.5 - dist));
  const [cr, cg, cb, ca] = step.color;
  const band = createRaster(W, H, false);
  for (let i = 0; i < W * H; i++) {
    let a = 0;
    if (inside[i]) a = step.fill ? 1 : step.inner ? cover(toEdgeFromInside[i]) : 0;
    else if (step.outer) a = cover(toShapeFromOutside[i]);
    band.data.set([cr, cg, cb, Math.round(a * ca)], i * 4);
  }
  const soft = step.sigma > 0 ? blur(band, step.sigma) : band;
  const canvas = createRaster(W, H, false);
  // Outer outlines lie under the image; the inner band and the fill are drawn over it.
  if (step.outer && !step.inner && !step.fill) {
    drawOver(canvas, soft, 0, 0);
    drawOver(canvas, r, baseX, baseY);
  } else {
    drawOver(canvas, r, baseX, baseY);
    drawOver(canvas, soft, 0, 0);
  }
  return canvas;
}
