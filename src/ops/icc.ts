/**
 * ICC profiles → sRGB. Browsers treat untagged images as sRGB, and dprox strips metadata, so an
 * image tagged with another RGB profile (Display P3, Adobe RGB, ProPhoto, a camera's) is converted:
 * its tone curves to linear light, its matrix to the D50 connection space, sRGB's inverse matrix and
 * curve back. Matrix/TRC profiles only (what cameras and editors embed for RGB); LUT-based, grey and
 * CMYK profiles, and profiles equivalent to sRGB, are left alone.
 */
import { inflateZlibUpTo } from '../kernels/deflate';
import type { ImageHeader } from '../codecs/header';
import type { Raster } from '../pixels/raster';
import { mapRows, type Rows } from '../pixels/rows';

export interface IccTransform {
  /** Per channel: 8-bit sample → linear light, 0..1. */
  linear: [Float32Array, Float32Array, Float32Array];
  /** Row-major 3x3: source linear RGB → linear sRGB. */
  matrix: Float64Array;
}

/** sRGB's primaries adapted to D50 (Bradford), as in the sRGB ICC profiles: columns R, G, B. */
const SRGB_D50 = [0.4360747, 0.3850649, 0.1430804, 0.2225045, 0.7168786, 0.0606169, 0.0139322, 0.0971045, 0.7141733];

const srgbToLinear = (v: number) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);

/** Linear 0..1 (in 4096 steps) → 8-bit sRGB. */
const ENCODE = (() => {
  const t = new Uint8Array(4097);
  for (let i = 0; i <= 4096; i++) {
    const l = i / 4096;
    const v = l <= 0.0031308 ? l * 12.92 : 1.055 * l ** (1 / 2.4) - 0.055;
    t[i] = Math.round(v * 255);
  }
  return t;
})();

/** Profiles larger than this are ignored (real ones are a few KiB; a deflated one could be a bomb). */
const MAX_PROFILE = 1 << 20;

/** The profile's bytes from the header (PNG's iCCP is deflated: inflated here, at most 1 MiB; a broken or larger one is ignored, like browsers do). */
export async function headerProfile(header: ImageHeader): Promise<Uint8Array | undefined> {
  if (header.icc) return header.icc;
  if (!header.iccDeflated) return undefined;
  return inflateZlibUpTo(header.iccDeflated, MAX_PROFILE) ?? undefined;
}

/** The transform to sRGB, or null when the profile is sRGB already, unsupported or malformed. */
export function iccTransform(p: Uint8Array | undefined): IccTransform | null {
  if (!p || p.length < 132) return null;
  try {
    const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
    const ascii = (at: number) => String.fromCharCode(p[at], p[at + 1], p[at + 2], p[at + 3]);
    if (ascii(16) !== 'RGB ' || ascii(20) !== 'XYZ ') return null;
    const tags = new Map<string, [number, number]>();
    const n = dv.getUint32(128);
    for (let i = 0; i < Math.min(n, 256); i++) {
      const at = 132 + i * 12;
      if (at + 12 > p.length) return null;
      tags.set(ascii(at), [dv.getUint32(at + 4), dv.getUint32(at + 8)]);
    }
    const s15 = (at: number) => dv.getInt32(at) / 65536;
    const xyz = (tag: string) => {
      const t = tags.get(tag);
      if (!t || t[0] + 20 > p.length || ascii(t[0]) !== 'XYZ ') throw new Error(`no ${tag}`);
      return [s15(t[0] + 8), s15(t[0] + 12), s15(t[0] + 16)];
    };
    const [r, g, b] = [xyz('rXYZ'), xyz('gXYZ'), xyz('bXYZ')];
    const src = [r[0], g[0], b[0], r[1], g[1], b[1], r[2], g[2], b[2]];
    const curves = (['rTRC', 'gTRC', 'bTRC'] as const).map((tag) => curve(dv, tags.get(tag))) as [Float32Array, Float32Array, Float32Array];
    const sameMatrix = src.every((v, i) => Math.abs(v - SRGB_D50[i]) < 0.002);
    const sameCurves = curves.every((c) => c.every((v, i) => Math.abs(v - srgbToLinear(i / 255)) < 0.0015));
    if (sameMatrix && sameCurves) return null;
    const matrix = multiply(invert(SRGB_D50), src);
    return matrix.every(Number.isFinite) ? { linear: curves, matrix } : null;
  } catch {
    return null;
  }
}

/** A `curv` or `para` tone curve sampled at the 256 8-bit inputs. */
function curve(dv: DataView, tag: [number, number] | undefined): Float32Array {
  if (!tag) throw new Error('no TRC');
  const at = tag[0];
  const type = String.fromCharCode(dv.getUint8(at), dv.getUint8(at + 1), dv.getUint8(at + 2), dv.getUint8(at + 3));
  const out = new Float32Array(256);
  if (type === 'curv') {
    const count = dv.getUint32(at + 8);
    if (count === 0) for (let i = 0; i < 256; i++) out[i] = i / 255;
    else if (count === 1) {
      const gamma = dv.getUint16(at + 12) / 256;
      for (let i = 0; i < 256; i++) out[i] = (i / 255) ** gamma;
    } else {
      if (at + 12 + count * 2 > dv.byteLength) throw new Error('short curv');
      for (let i = 0; i < 256; i++) {
        const x = (i / 255) * (count - 1);
        const lo = Math.floor(x),
          hi = Math.min(count - 1, lo + 1);
        const a = dv.getUint16(at + 12 + lo * 2),
          b = dv.getUint16(at + 12 + hi * 2);
        out[i] = (a + (b - a) * (x - lo)) / 65535;
      }
    }
    return out;
  }
  if (type === 'para') {
    const fn = dv.getUint16(at + 8);
    const counts = [1, 3, 4, 5, 7];
    if (fn > 4) throw new Error('bad para');
    const q = Array.from({ length: counts[fn] }, (_, i) => dv.getInt32(at + 12 + i * 4) / 65536);
    const [g, a = 1, b = 0, c = 0, d = 0, e = 0, f = 0] = q;
    for (let i = 0; i < 256; i++) {
      const x = i / 255;
      let y: number;
      if (fn === 0) y = x ** g;
      else if (fn === 1) y = x >= -b / a ? (a * x + b) ** g : 0;
      else if (fn === 2) y = x >= -b / a ? (a * x + b) ** g + c : c;
      else if (fn === 3) y = x >= d ? (a * x + b) ** g : c * x;
      else y = x >= d ? (a * x + b) ** g + e : c * x + f;
      out[i] = Number.isFinite(y) ? Math.min(1, Math.max(0, y)) : 0;
    }
    return out;
  }
  throw new Error(`unsupported TRC ${type}`);
}

function multiply(a: number[] | Float64Array, b: number[]): Float64Array {
  const out = new Float64Array(9);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) out[i * 3 + j] = a[i * 3] * b[j] + a[i * 3 + 1] * b[3 + j] + a[i * 3 + 2] * b[6 + j];
  return out;
}

function invert(m: number[]): Float64Array {
  const [a, b, c, d, e, f, g, h, i] = m;
  const A = e * i - f * h,
    B = -(d * i - f * g),
    C = d * h - e * g;
  const det = a * A + b * B + c * C;
  return Float64Array.from([A, -(b * i - c * h), b * f - c * e, B, a * i - c * g, -(a * f - c * d), C, -(a * h - b * g), a * e - b * d]).map((v) => v / det);
}

/** Converts RGBA pixels in place (alpha untouched). */
export function convertPixels(data: Uint8Array, t: IccTransform): void {
  const [lr, lg, lb] = t.linear;
  const m = t.matrix;
  for (let i = 0; i < data.length; i += 4) {
    const r = lr[data[i]],
      g = lg[data[i + 1]],
      b = lb[data[i + 2]];
    for (let c = 0; c < 3; c++) {
      const v = m[c * 3] * r + m[c * 3 + 1] * g + m[c * 3 + 2] * b;
      data[i + c] = ENCODE[v <= 0 ? 0 : v >= 1 ? 4096 : Math.round(v * 4096)];
    }
  }
}

export function toSrgb(r: Raster, t: IccTransform | null): Raster {
  if (!t) return r;
  const data = r.data.slice();
  convertPixels(data, t);
  return { ...r, data };
}

/** toSrgb on streamed rows, band by band in place (the bands are the source's own buffers). */
export function toSrgbRows(src: Rows, t: IccTransform | null): Rows {
  if (!t) return src;
  return mapRows(src, (band) => convertPixels(band, t));
}
