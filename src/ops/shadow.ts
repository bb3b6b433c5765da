import { createRaster, type Raster } from '../pixels/raster';
import type { Step } from '../plan/steps';
import { blur } from './blur';
import { drawOver } from './composite';

type ShadowStep = Extract<Step, { op: 'shadow' }>;

/** The image over its silhouette in the shadow's colour, blurred and offset, on the grown canvas. */
export function shadow(r: Raster, step: ShadowStep): Raster {
  const m = Math.ceil(3 * step.sigma);
  const [cr, cg, cb, ca] = step.color;
  const silhouette = createRaster(r.width + 2 * m, r.height + 2 * m, false);
  for (let y = 0; y < r.height; y++)
    for (let x = 0; x < r.width; x++) {
      const i = (y * r.width + x) * 4;
      const o = ((y + m) * silhouette.width + x + m) * 4;
      silhouette.data[o] = cr;
      silhouette.data[o + 1] = cg;
      silhouette.data[o + 2] = cb;
      silhouette.data[o + 3] = Math.round((r.data[i + 3] * ca) / 255);
    }
  const soft = step.sigma > 0 ? blur(silhouette, step.sigma) : silhouette;
  const canvas = createRaster(step.width, step.height, false);
  drawOver(canvas, soft, step.baseX + step.dx - m, step.baseY + step.dy - m);
  drawOver(canvas, r, step.baseX, step.baseY);
  return canvas;
}
