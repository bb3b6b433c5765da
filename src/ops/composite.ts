/**
 * Layer compositing (`l_` / `u_`): source-over with straight (non-premultiplied) alpha.
 * Overlay: the layer over the image. Underlay: the image over the layer. The layer's alpha,
 * already scaled by its `o_`, weighs it; the canvas may be larger than the image (transparent
 * where neither covers it). Blend modes (e_multiply, e_screen, e_overlay) are the W3C Compositing
 * spec's separable ones: the layer's colour is first replaced by B(image, layer) where the image is
 * opaque, then composited source-over.
 */
import type { Step } from '../plan/steps';
import { createRaster, type Raster } from '../pixels/raster';

type CompositeStep = Extract<Step, { op: 'composite' }>;

export function composite(base: Raster, layer: Raster, step: CompositeStep): Raster {
  if (step.cutter) return cut(base, layer, step);
  if (step.blend === 'anti_removal') layer = jitter(layer, step.level ?? 0.5);
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
    for (let y = y0; y < height; y += layer.height) for (let x = x0; x < width; x += layer.width) blend(canvas, layer, x, y, step.under, mode(step));
  } else blend(canvas, layer, step.x, step.y, step.under, mode(step));
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
      const covered = lx >= 0 && lx < lw && ly >= 0 && ly < lh ? layer.data[(ly * lw + lx) * 4 + 3] : 0;
      const la = step.cutter === 'inverse' ? 255 - covered : covered;
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

type Separable = (image: number, layer: number) => number;

/** The separable blend functions on 0..255 (W3C Compositing and Blending Level 1). */
const SEPARABLE: Record<'multiply' | 'screen' | 'overlay', Separable> = {
  multiply: (b, s) => (b * s) / 255,
  screen: (b, s) => b + s - (b * s) / 255,
  overlay: (b, s) => (b <= 127.5 ? (2 * b * s) / 255 : 255 - (2 * (255 - b) * (255 - s)) / 255),
};

function mode(step: CompositeStep): Separable | undefined {
  return step.blend && step.blend !== 'anti_removal' ? SEPARABLE[step.blend] : undefined;
}

/**
 * e_anti_removal: the watermark made harder to lift cleanly. Each pixel of the layer is taken from
 * up to `level` x 2 px away along a smooth pseudo-random field and its colour moved by up to
 * `level` x 24 levels, both fixed by the layer's size, so the same URL gives the same bytes.
 */
function jitter(layer: Raster, level: number): Raster {
  const { width: w, height: h, data } = layer;
  const out = new Uint8Array(data.length);
  const reach = level * 2;
  const shade = level * 24;
  const wave = (i: number, f: number, p: number) => Math.sin(i * f + p) + Math.sin(i * f * 2.7 + p * 1.3) * 0.5;
  for (let y = 0; y < h; y++) {
    const dx = Math.round(reach * wave(y, 0.37, w * 0.01));
    for (let x = 0; x < w; x++) {
      const dy = Math.round(reach * wave(x, 0.29, h * 0.01));
      const sx = Math.min(w - 1, Math.max(0, x + dx));
      const sy = Math.min(h - 1, Math.max(0, y + dy));
      const si = (sy * w + sx) * 4;
      const di = (y * w + x) * 4;
      const d = Math.round(shade * wave(x + y * 3, 0.11, 0.5));
      for (let c = 0; c < 3; c++) out[di + c] = Math.min(255, Math.max(0, data[si + c] + d));
      out[di + 3] = data[si + 3];
    }
  }
  return { width: w, height: h, data: out, opaque: layer.opaque };
}

/** Composites layer at (x, y) of canvas, clipped to it: layer over canvas, or canvas over layer (`under`); `separable` first blends the top's colours with the bottom's (W3C: B(backdrop, source)). */
function blend(canvas: Raster, layer: Raster, x: number, y: number, under: boolean, separable?: Separable): void {
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
      let tr = t[ti],
        tg = t[ti + 1],
        tb = t[ti + 2];
      if (separable && ta > 0) {
        // Where the image shows, the layer's colour becomes the blend of both (weighted by the image's alpha).
        const ab = b[bi + 3] / 255;
        tr = (1 - ab) * tr + ab * separable(b[bi], tr);
        tg = (1 - ab) * tg + ab * separable(b[bi + 1], tg);
        tb = (1 - ab) * tb + ab * separable(b[bi + 2], tb);
      }
      if (ta === 255 || b[bi + 3] === 0) {
        if (t !== d || separable) {
          d[di] = Math.round(tr);
          d[di + 1] = Math.round(tg);
          d[di + 2] = Math.round(tb);
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
      d[di] = Math.round((tr * a + b[bi] * ba) / oa);
      d[di + 1] = Math.round((tg * a + b[bi + 1] * ba) / oa);
      d[di + 2] = Math.round((tb * a + b[bi + 2] * ba) / oa);
      d[di + 3] = Math.round(oa * 255);
    }
  }
}
