/**
 * Layer compositing (`l_` / `u_`): source-over with straight (non-premultiplied) alpha.
 * Overlay: the layer over the image. Underlay: the image over the layer. The layer's alpha,
 * already scaled by its `o_`, weighs it; the canvas may be larger than the image (transparent
 * where neither covers it).
 */
import type { Step } from '../plan/steps';
import { createRaster, type Raster } from '../pixels/raster';

type CompositeStep = Extract<Step, { op: 'composite' }>;

export function composite(base: Raster, layer: Raster, step: CompositeStep): Raster {
  if (step.cutter) return cut(base, layer, step);
  const { width, height, baseX, baseY } = step;
  const inPlace = width === base.width && height === base.height && baseX === 0 && baseY === 0;
  let canvas: Raster;
  if (inPlace) canvas = base;
  else {
    canvas = createRaster(width, height, false);
    blit(canvas, base, baseX, baseY);
  }
  if (step.tiled) {
    // Tiles on a grid through the placed position, covering the whole canvas.
    const x0 = step.x - Math.ceil(step.x / layer.width) * layer.width;
    const y0 = step.y - Math.ceil(step.y / layer.height) * layer.height;
    for (let y = y0; y < height; y += layer.height) for (let x = x0; x < width; x += layer.width) blend(canvas, layer, x, y, step.under);
  } else blend(canvas, layer, step.x, step.y, step.under);
  // An opaque image covering the whole canvas stays opaque under an overlay and over an underlay.
  canvas.opaque = inPlace && base.opaque;
  return canvas;
}

/**
 * fl_cutter: the image's alpha times the layer's alpha where the layer lies (repeated when tiled),
 * 0 elsewhere; the image's colours kept. The canvas is the image's.
 */
function cut(base: Raster, layer: Raster, step: CompositeStep): Raster {
  const { width, height } = base;
  const out = new Uint8Array(base.data);
  const lw = layer.width;
  const lh = layer.height;
  for (let cy = 0; cy < height; cy++) {
    let ly = cy - step.y;
    if (step.tiled) ly = ((ly % lh) + lh) % lh;
    for (let cx = 0; cx < width; cx++) {
      let lx = cx - step.x;
      if (step.tiled) lx = ((lx % lw) + lw) % lw;
      const la = lx >= 0 && lx < lw && ly >= 0 && ly < lh ? layer.data[(ly * lw + lx) * 4 + 3] : 0;
      const i = (cy * width + cx) * 4 + 3;
      out[i] = Math.round((out[i] * la) / 255);
    }
  }
  return { width, height, data: out, opaque: false };
}

/** `layer` over `canvas` at (x, y), clipped to the canvas. */
export function drawOver(canvas: Raster, layer: Raster, x: number, y: number): void {
  blend(canvas, layer, x, y, false);
}

/** Copies r into canvas at (x, y), clipped (both inside here: the canvas holds the image). */
function blit(canvas: Raster, r: Raster, x: number, y: number): void {
  for (let row = 0; row < r.height; row++) {
    const cy = y + row;
    if (cy < 0 || cy >= canvas.height) continue;
    canvas.data.set(r.data.subarray(row * r.width * 4, (row + 1) * r.width * 4), (cy * canvas.width + x) * 4);
  }
}

/** Composites layer at (x, y) of canvas, clipped to it: layer over canvas, or canvas over layer (`under`). */
function blend(canvas: Raster, layer: Raster, x: number, y: number, under: boolean): void {
  const x0 = Math.max(0, x),
    x1 = Math.min(canvas.width, x + layer.width);
  const y0 = Math.max(0, y),
    y1 = Math.min(canvas.height, y + layer.height);
  if (x1 <= x0 || y1 <= y0) return;
  const d = canvas.data,
    s = layer.data;
  const t = under ? d : s,
    b = under ? s : d; // top over bottom, written to d
  for (let cy = y0; cy < y1; cy++) {
    let di = (cy * canvas.width + x0) * 4;
    let si = ((cy - y) * layer.width + (x0 - x)) * 4;
    for (let cx = x0; cx < x1; cx++, di += 4, si += 4) {
      const ti = under ? di : si,
        bi = under ? si : di;
      const ta = t[ti + 3];
      if (ta === 255 || b[bi + 3] === 0) {
        if (t !== d) {
          d[di] = t[ti];
          d[di + 1] = t[ti + 1];
          d[di + 2] = t[ti + 2];
          d[di + 3] = ta;
        }
        continue;
      }
      if (ta === 0) {
        if (b !== d) {
          d[di] = b[bi];
          d[di + 1] = b[bi + 1];
          d[di + 2] = b[bi + 2];
          d[di + 3] = b[bi + 3];
        }
        continue;
      }
      const a = ta / 255;
      const ba = (b[bi + 3] / 255) * (1 - a);
      const oa = a + ba;
      const r = (t[ti] * a + b[bi] * ba) / oa;
      const g = (t[ti + 1] * a + b[bi + 1] * ba) / oa;
      const bl = (t[ti + 2] * a + b[bi + 2] * ba) / oa;
      d[di] = Math.round(r);
      d[di + 1] = Math.round(g);
      d[di + 2] = Math.round(bl);
      d[di + 3] = Math.round(oa * 255);
    }
  }
}
