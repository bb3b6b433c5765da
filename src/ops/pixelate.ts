import type { Raster } from '../pixels/raster';
import type { Rect } from '../plan/steps';
import { clip } from './region';

/** Squares of `block` pixels (from the region's top-left) replaced by their average colour, alpha-weighted; in place. */
export function pixelate(r: Raster, block: number, region?: Rect): Raster {
  const area = clip(r, region);
  if (!area) return r;
  const d = r.data;
  const b = Math.max(1, Math.round(block));
  for (let by = area.y; by < area.y + area.height; by += b) {
    const ye = Math.min(by + b, area.y + area.height);
    for (let bx = area.x; bx < area.x + area.width; bx += b) {
      const xe = Math.min(bx + b, area.x + area.width);
      let sr = 0,
        sg = 0,
        sb = 0,
        sa = 0,
        n = 0;
      for (let y = by; y < ye; y++)
        for (let x = bx; x < xe; x++) {
          const i = (y * r.width + x) * 4;
          const a = d[i + 3];
          sr += d[i] * a;
          sg += d[i + 1] * a;
          sb += d[i + 2] * a;
          sa += a;
          n++;
        }
      const pr = sa ? Math.round(sr / sa) : 0,
        pg = sa ? Math.round(sg / sa) : 0,
        pb = sa ? Math.round(sb / sa) : 0,
        pa = Math.round(sa / n);
      for (let y = by; y < ye; y++)
        for (let x = bx; x < xe; x++) {
          const i = (y * r.width + x) * 4;
          d[i] = pr;
          d[i + 1] = pg;
          d[i + 2] = pb;
          d[i + 3] = pa;
        }
    }
  }
  return r;
}
