/**
 * l_text: the glyphs the planner placed (plan/text/layout.ts), drawn from their TrueType outlines
 * (plan/text/truetype.ts): each quadratic Bézier flattened into lines, each line's signed area
 * accumulated per pixel (the exact-area method of font-rs and stb_truetype v2), then one running
 * sum per row gives every pixel's coverage (nonzero winding, clamped to 1). Memory is the RGBA
 * box and one float per pixel (plan/ops.ts `text`), whatever the text; a glyph the font lacks is
 * its .notdef box, as the planner measured it.
 */
import type { Step } from '../plan/steps';
import { fontOf } from '../plan/text/fonts';
import { createRaster, type Raster } from '../pixels/raster';

type TextStep = Extract<Step, { op: 'text' }>;

export function drawText(step: TextStep): Raster {
  const { width, height } = step;
  const acc = new Float32Array(width * height + width + 4);
  const font = fontOf(step.face);
  const line = lineTo(acc, width, height);
  for (const { glyph, x: ox, y: oy } of step.glyphs) {
    for (const c of font.contours(glyph)) {
      // Font units (y up) to the box's pixels (y down), implied on-curve midpoints between off-curve points.
      const n = c.x.length;
      const px = (i: number) => ox + c.x[i % n] * step.scale;
      const py = (i: number) => oy - c.y[i % n] * step.scale;
      let start = c.on.indexOf(true);
      let sx: number, sy: number;
      if (start < 0) {
        // All off-curve: start at the midpoint of the first two.
        sx = (px(0) + px(1)) / 2;
        sy = (py(0) + py(1)) / 2;
        start = 0;
      } else {
        sx = px(start);
        sy = py(start);
      }
      let cx = sx,
        cy = sy;
      let ctrl: [number, number] | undefined;
      for (let k = 1; k <= n; k++) {
        const i = (start + k) % n;
        const x = px(i),
          y = py(i);
        if (c.on[i]) {
          if (ctrl) quad(line, cx, cy, ctrl[0], ctrl[1], x, y);
          else line(cx, cy, x, y);
          ctrl = undefined;
          cx = x;
          cy = y;
        } else if (ctrl) {
          const mx = (ctrl[0] + x) / 2,
            my = (ctrl[1] + y) / 2;
          quad(line, cx, cy, ctrl[0], ctrl[1], mx, my);
          cx = mx;
          cy = my;
          ctrl = [x, y];
        } else ctrl = [x, y];
      }
      if (ctrl) quad(line, cx, cy, ctrl[0], ctrl[1], sx, sy);
      else if (cx !== sx || cy !== sy) line(cx, cy, sx, sy);
    }
  }
  // Bars wound as TrueType's outer contours are (left edge upwards in the box), so that where they cross a glyph the coverage does not cancel.
  for (const r of step.rules) {
    line(r.x, r.y + r.height, r.x, r.y);
    line(r.x + r.width, r.y, r.x + r.width, r.y + r.height);
  }
  return fill(acc, step);
}

/** Coverage → RGBA: the text colour over the background, straight alpha. */
function fill(acc: Float32Array, step: TextStep): Raster {
  const { width, height, color, background: bg } = step;
  const out = createRaster(width, height, bg[3] === 255);
  const d = out.data;
  const ca = color[3] / 255,
    ba = bg[3] / 255;
  let sum = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      sum += acc[i];
      const cov = Math.min(1, Math.abs(sum)) * ca;
      const a = cov + ba * (1 - cov);
      const o = i * 4;
      if (a <= 0) continue;
      const wb = (ba * (1 - cov)) / a,
        wc = cov / a;
      d[o] = Math.round(color[0] * wc + bg[0] * wb);
      d[o + 1] = Math.round(color[1] * wc + bg[1] * wb);
      d[o + 2] = Math.round(color[2] * wc + bg[2] * wb);
      d[o + 3] = Math.round(a * 255);
    }
  }
  return out;
}

type Line = (x0: number, y0: number, x1: number, y1: number) => void;

function quad(line: Line, x0: number, y0: number, x1: number, y1: number, x2: number, y2: number): void {
  const dx = x0 - 2 * x1 + x2,
    dy = y0 - 2 * y1 + y2;
  const dev = dx * dx + dy * dy;
  if (dev < 0.333) {
    line(x0, y0, x2, y2);
    return;
  }
  const n = 1 + Math.floor(Math.sqrt(Math.sqrt(3 * dev)));
  let px = x0,
    py = y0;
  for (let i = 1; i <= n; i++) {
    const t = i / n,
      u = 1 - t;
    const x = u * u * x0 + 2 * u * t * x1 + t * t * x2;
    const y = u * u * y0 + 2 * u * t * y1 + t * t * y2;
    line(px, py, x, y);
    px = x;
    py = y;
  }
}

/** The signed area a line adds to each pixel it crosses, into `acc` (font-rs's accumulation; x clamped to the box). */
function lineTo(acc: Float32Array, width: number, height: number): Line {
  const clampX = (x: number) => Math.min(Math.max(x, 0), width);
  return (ax, ay, bx, by) => {
    if (ay === by) return;
    let x0 = clampX(ax),
      y0 = ay,
      x1 = clampX(bx),
      y1 = by;
    let dir = 1;
    if (y0 > y1) {
      dir = -1;
      const tx = x0,
        ty = y0;
      x0 = x1;
      x1 = tx;
      y0 = y1;
      y1 = ty;
    }
    const dxdy = (x1 - x0) / (y1 - y0);
    let x = x0;
    if (y0 < 0) {
      x -= y0 * dxdy;
      y0 = 0;
    }
    const yEnd = Math.min(y1, height);
    if (y0 >= yEnd) return;
    for (let y = Math.floor(y0); y < Math.ceil(yEnd); y++) {
      const row = y * width;
      const dy = Math.min(y + 1, yEnd) - Math.max(y, y0);
      const xnext = x + dxdy * dy;
      const d = dy * dir;
      const xa = Math.min(x, xnext),
        xb = Math.max(x, xnext);
      const xaFloor = Math.floor(xa);
      const xbCeil = Math.ceil(xb);
      const i0 = xaFloor,
        i1 = xbCeil;
      if (i1 <= i0 + 1) {
        const xm = 0.5 * (x + xnext) - xaFloor;
        acc[row + i0] += d - d * xm;
        acc[row + i0 + 1] += d * xm;
      } else {
        const s = 1 / (xb - xa);
        const xaf = xa - xaFloor;
        const a0 = 0.5 * s * (1 - xaf) * (1 - xaf);
        const xbf = xb - xbCeil + 1;
        const am = 0.5 * s * xbf * xbf;
        acc[row + i0] += d * a0;
        if (i1 === i0 + 2) acc[row + i0 + 1] += d * (1 - a0 - am);
        else {
          const a1 = s * (1.5 - xaf);
          acc[row + i0 + 1] += d * (a1 - a0);
          for (let xi = i0 + 2; xi < i1 - 1; xi++) acc[row + xi] += d * s;
          const a2 = a1 + (i1 - i0 - 3) * s;
          acc[row + i1 - 1] += d * (1 - a2 - am);
        }
        acc[row + i1] += d * am;
      }
      x = xnext;
    }
  };
}
