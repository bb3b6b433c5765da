/**
 * Colour effects: per-pixel stages on R, G and B (0-255; alpha kept), the executor of every
 * `color` step the planner makes (plan/effects.ts): affine matrices, tone curves through a 256-entry
 * table, vibrance and luma gradients. Per pixel, so it runs on the row stream as well as on a raster.
 */
import type { Raster } from '../pixels/raster';
import { mapRows, type Rows } from '../pixels/rows';
import type { ColorMatrix, ColorStage, ToneCurve } from '../plan/steps';

const clamp = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));

function applyMatrix(data: Uint8Array, m: ColorMatrix): void {
  const [r0, r1, r2, r3, g0, g1, g2, g3, b0, b1, b2, b3] = m;
  for (let i = 0; i < data.length; i += 4) {
    const r = data[i],
      g = data[i + 1],
      b = data[i + 2];
    data[i] = clamp(r0 * r + r1 * g + r2 * b + r3);
    data[i + 1] = clamp(g0 * r + g1 * g + g2 * b + g3);
    data[i + 2] = clamp(b0 * r + b1 * g + b2 * b + b3);
  }
}

function curveValue(c: ToneCurve, u: number): number {
  if ('gamma' in c) return u ** (1 / c.gamma);
  if ('threshold' in c) return u >= c.threshold ? 1 : 0;
  if ('levels' in c) {
    const [inLo, inHi, outLo, outHi] = c.levels;
    const t = Math.min(1, Math.max(0, (u - inLo) / (inHi - inLo)));
    return outLo + t * (outHi - outLo);
  }
  // Sigmoidal contrast (ImageMagick's -sigmoidal-contrast, midpoint 0.5), normalised to map 0 and 1 onto themselves.
  const beta = Math.abs(c.sigmoid);
  if (beta < 1e-6) return u;
  const sig = (x: number) => 1 / (1 + Math.exp(beta * (0.5 - x)));
  const lo = sig(0),
    hi = sig(1);
  if (c.sigmoid > 0) return (sig(u) - lo) / (hi - lo);
  // The inverse: flattens contrast around the midpoint.
  const y = u * (hi - lo) + lo;
  return 0.5 - Math.log(1 / y - 1) / beta;
}

const tables = new WeakMap<ToneCurve, Uint8Array>();

function curveTable(c: ToneCurve): Uint8Array {
  let t = tables.get(c);
  if (!t) {
    t = new Uint8Array(256);
    for (let v = 0; v < 256; v++) t[v] = clamp(curveValue(c, v / 255) * 255);
    tables.set(c, t);
  }
  return t;
}

function applyCurve(data: Uint8Array, c: ToneCurve): void {
  const t = curveTable(c);
  for (let i = 0; i < data.length; i += 4) {
    data[i] = t[data[i]];
    data[i + 1] = t[data[i + 1]];
    data[i + 2] = t[data[i + 2]];
  }
}

/** Rec. 709 luma, the weights of the CSS filter matrices. */
const luma = (r: number, g: number, b: number) => 0.2126 * r + 0.7152 * g + 0.0722 * b;

function applyVibrance(data: Uint8Array, amount: number): void {
  for (let i = 0; i < data.length; i += 4) {
    const r = data[i],
      g = data[i + 1],
      b = data[i + 2];
    const sat = (Math.max(r, g, b) - Math.min(r, g, b)) / 255;
    const k = 1 + amount * (1 - sat);
    const y = luma(r, g, b);
    data[i] = clamp(y + (r - y) * k);
    data[i + 1] = clamp(y + (g - y) * k);
    data[i + 2] = clamp(y + (b - y) * k);
  }
}

/** The gradient as a 256-entry RGB table over luma. */
function gradientTable(stops: readonly { color: readonly number[]; at: number }[]): Uint8Array {
  const sorted = [...stops].sort((a, b) => a.at - b.at);
  const t = new Uint8Array(256 * 3);
  for (let v = 0; v < 256; v++) {
    const at = (v / 255) * 100;
    let i = 0;
    while (i < sorted.length - 1 && sorted[i + 1].at <= at) i++;
    const a = sorted[i],
      b = sorted[Math.min(i + 1, sorted.length - 1)];
    const f = b.at > a.at && at > a.at ? Math.min(1, (at - a.at) / (b.at - a.at)) : 0;
    for (let c = 0; c < 3; c++) t[v * 3 + c] = clamp(a.color[c] + (b.color[c] - a.color[c]) * f);
  }
  return t;
}

const gradients = new WeakMap<object, Uint8Array>();

function applyGradient(data: Uint8Array, stage: Extract<ColorStage, { gradient: unknown }>): void {
  let t = gradients.get(stage);
  if (!t) gradients.set(stage, (t = gradientTable(stage.gradient)));
  const a = stage.amount;
  for (let i = 0; i < data.length; i += 4) {
    const y = clamp(luma(data[i], data[i + 1], data[i + 2])) * 3;
    data[i] = clamp(data[i] * (1 - a) + t[y] * a);
    data[i + 1] = clamp(data[i + 1] * (1 - a) + t[y + 1] * a);
    data[i + 2] = clamp(data[i + 2] * (1 - a) + t[y + 2] * a);
  }
}

function applyAlphaThreshold(data: Uint8Array, threshold: number): void {
  const t = threshold * 255;
  for (let i = 3; i < data.length; i += 4) data[i] = data[i] < t ? 0 : 255;
}

export function applyColor(data: Uint8Array, stages: readonly ColorStage[]): void {
  for (const s of stages) {
    if ('matrix' in s) applyMatrix(data, s.matrix);
    else if ('curve' in s) applyCurve(data, s.curve);
    else if ('vibrance' in s) applyVibrance(data, s.vibrance);
    else if ('alphaThreshold' in s) applyAlphaThreshold(data, s.alphaThreshold);
    else applyGradient(data, s);
  }
}

export function color(r: Raster, stages: readonly ColorStage[]): Raster {
  applyColor(r.data, stages);
  return r;
}

export function colorRows(src: Rows, stages: readonly ColorStage[]): Rows {
  return mapRows(src, (band) => applyColor(band, stages));
}
