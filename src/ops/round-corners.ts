import type { Raster } from '../pixels/raster';

/**
 * Rounds the corners (radii in px: top-left, top-right, bottom-right, bottom-left; Infinity or 'max' for all
 * four means r_max). Radii are limited to half the width/height; when all four are at that limit (r_max) the
 * result is the ellipse inscribed in the image. Edges are anti-aliased by 4x4 supersampling of
 * the boundary pixels. Multiplies alpha in place; sets opaque = false.
 */
export function roundCorners(r: Raster, radii: readonly [number, number, number, number] | 'max'): Raster {
  const { width: w, height: h, data } = r;
  if (radii === 'max') radii = [Infinity, Infinity, Infinity, Infinity];
  const rx = (v: number) => Math.max(0, Math.min(v, w / 2));
  const ry = (v: number) => Math.max(0, Math.min(v, h / 2));
  // Corner centres and (possibly elliptical, for 'max') radii.
  const corners = radii.map((v, i) => {
    const ax = rx(v),
      ay = ry(v);
    // A circle of radius v unless clipped by the image (then an ellipse with the clipped radii).
    const cx = i === 0 || i === 3 ? ax : w - ax;
    const cy = i === 0 || i === 1 ? ay : h - ay;
    return { ax, ay, cx, cy, left: i === 0 || i === 3, top: i === 0 || i === 1 };
  });
  for (const c of corners) {
    if (c.ax <= 0 || c.ay <= 0) continue;
    const x0 = c.left ? 0 : Math.floor(c.cx),
      x1 = c.left ? Math.ceil(c.cx) : w;
    const y0 = c.top ? 0 : Math.floor(c.cy),
      y1 = c.top ? Math.ceil(c.cy) : h;
    for (let y = y0; y < y1; y++)
      for (let x = x0; x < x1; x++) {
        const cov = coverage(x, y, c);
        if (cov >= 1) continue;
        const i = (y * w + x) * 4 + 3;
        data[i] = Math.round(data[i] * cov);
      }
  }
  r.opaque = false;
  return r;
}

interface Corner {
  ax: number;
  ay: number;
  cx: number;
  cy: number;
  left: boolean;
  top: boolean;
}

/** Fraction of pixel (x, y) inside the rounded shape near corner c (1 outside the corner box). */
function coverage(x: number, y: number, c: Corner): number {
  const inside = (px: number, py: number) => {
    const dx = (px - c.cx) / c.ax,
      dy = (py - c.cy) / c.ay;
    if ((c.left ? px > c.cx : px < c.cx) || (c.top ? py > c.cy : py < c.cy)) return true;
    return dx * dx + dy * dy <= 1;
  };
  // Quick accept/reject with the pixel corners, then 4x4 supersampling.
  const a = inside(x, y),
    b = inside(x + 1, y),
    d = inside(x, y + 1),
    e = inside(x + 1, y + 1);
  if (a && b && d && e) return 1;
  let n = 0;
  for (let sy = 0; sy < 4; sy++) for (let sx = 0; sx < 4; sx++) if (inside(x + (sx + 0.5) / 4, y + (sy + 0.5) / 4)) n++;
  return n / 16;
}
