/**
 * CMYK → sRGB for CMYK and YCCK JPEGs (libjpeg-turbo gives CMYK for both, see codecs/jpeg/decode.ts).
 *
 * With an embedded CMYK profile: its A2B0 (perceptual; A2B1, then A2B2 when absent) is evaluated —
 * lut16 (mft2), lut8 (mft1) or lutAtoB (mAB: A curves, CLUT, M curves, matrix, B curves) — to the
 * profile connection space (Lab or XYZ, D50), black point compensated (as lcms2 does for sharp's
 * perceptual rendering), then to sRGB through sRGB's D50 primaries and curve, out-of-gamut colours
 * clipped: 51.8 dB PSNR against sharp (lcms2) on test/codecs/cmyk.test.ts's fixture. The profile is sampled once on a 17⁴ grid of CMYK inputs (16-bit
 * sRGB, 501 KiB), and each pixel is interpolated from it: tetrahedral in C, M, Y at the two nearest
 * K planes, linear between them (lcms2's 4-channel interpolation, as it does for 8-bit transforms).
 *
 * Without a profile (or with one that is not a readable CMYK profile), the naive conversion that
 * browsers apply to untagged CMYK: R = (1 − C)(1 − K), G = (1 − M)(1 − K), B = (1 − Y)(1 − K).
 */

/** Grid points per CMYK axis. */
const N = 17;
/** Bytes of one sampled grid (and the most this module holds per profile in its cache). */
export const CMYK_GRID_BYTES = N ** 4 * 3 * 2;
/** Profiles larger than this are not read (real CMYK profiles are 0.5–3 MiB: a lut16 with a 33⁴ table is 7 MiB, refused here). */
const MAX_PROFILE = 4 << 20;

export interface CmykTransform {
  /** N⁴ entries of 16-bit sRGB R, G, B, C slowest, K fastest. */
  grid: Uint16Array | null;
}

const NAIVE: CmykTransform = { grid: null };
const cache: { key: Uint8Array; t: CmykTransform }[] = [];

/** The transform for a CMYK JPEG's embedded profile (naive when absent or unreadable); the last two grids are kept. */
export function cmykTransform(profile: Uint8Array | undefined): CmykTransform {
  if (!profile) return NAIVE;
  const hit = cache.find((c) => sameBytes(c.key, profile));
  if (hit) return hit.t;
  const pipeline = readA2B(profile);
  const t = pipeline ? { grid: sampleGrid(pipeline) } : NAIVE;
  cache.unshift({ key: profile.slice(), t });
  cache.length = Math.min(cache.length, 2);
  return t;
}

/**
 * Converts a band of CMYK pixels (4 bytes each, as libjpeg writes them) to opaque RGBA in place.
 * `inverted`: Adobe's APP14 convention, 0 = full ink.
 */
export function cmykToRgba(data: Uint8Array, t: CmykTransform, inverted: boolean): void {
  const flip = inverted ? 255 : 0;
  const g = t.grid;
  if (!g) {
    for (let i = 0; i < data.length; i += 4) {
      const k = 255 - (data[i + 3] ^ flip);
      data[i] = ((255 - (data[i] ^ flip)) * k + 127) / 255;
      data[i + 1] = ((255 - (data[i + 1] ^ flip)) * k + 127) / 255;
      data[i + 2] = ((255 - (data[i + 2] ^ flip)) * k + 127) / 255;
      data[i + 3] = 255;
    }
    return;
  }
  const step = (N - 1) / 255;
  // Strides of the grid (in entries of 3) along C, M, Y, K.
  const sK = 3,
    sY = N * sK,
    sM = N * sY,
    sC = N * sM;
  for (let i = 0; i < data.length; i += 4) {
    const c = (data[i] ^ flip) * step,
      m = (data[i + 1] ^ flip) * step,
      y = (data[i + 2] ^ flip) * step,
      k = (data[i + 3] ^ flip) * step;
    const ci = Math.min(N - 2, c | 0),
      mi = Math.min(N - 2, m | 0),
      yi = Math.min(N - 2, y | 0),
      ki = Math.min(N - 2, k | 0);
    const fc = c - ci,
      fm = m - mi,
      fy = y - yi,
      fk = k - ki;
    const base = ci * sC + mi * sM + yi * sY + ki * sK;
    // Tetrahedral in C, M, Y: the corners from 000 to 111 along the fractions' order (a1: one axis, a2: two).
    let a1 = sM,
      a2 = sC + sM,
      f1 = fm,
      f2 = fc,
      f3 = fy;
    if (fc >= fm && fm >= fy) {
      a1 = sC;
      f1 = fc;
      f2 = fm;
    } else if (fc >= fy && fy >= fm) {
      a1 = sC;
      a2 = sC + sY;
      f1 = fc;
      f2 = fy;
      f3 = fm;
    } else if (fy >= fc && fc >= fm) {
      a1 = sY;
      a2 = sC + sY;
      f1 = fy;
      f3 = fm;
    } else if (fy >= fm && fm >= fc) {
      a1 = sY;
      a2 = sM + sY;
      f1 = fy;
      f2 = fm;
      f3 = fc;
    } else if (fm >= fy && fy >= fc) {
      a2 = sM + sY;
      f2 = fy;
      f3 = fc;
    }
    const a3 = sC + sM + sY;
    for (let ch = 0; ch < 3; ch++) {
      const p = base + ch;
      const q = p + sK;
      const lo = g[p] + (g[p + a1] - g[p]) * f1 + (g[p + a2] - g[p + a1]) * f2 + (g[p + a3] - g[p + a2]) * f3;
      const hi = g[q] + (g[q + a1] - g[q]) * f1 + (g[q + a2] - g[q + a1]) * f2 + (g[q + a3] - g[q + a2]) * f3;
      data[i + ch] = (lo + (hi - lo) * fk + 128.5) / 257;
    }
    data[i + 3] = 255;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** One stage of a profile's device → PCS pipeline, values 0..1 in and out. */
type Stage = (v: Float64Array) => Float64Array;

interface Pipeline {
  stages: Stage[];
  pcs: 'Lab ' | 'XYZ ';
  /** How the pipeline's 0..1 Lab values map to L*: lut16's legacy encoding tops out at 0xFF00. */
  legacyLab: boolean;
}

/** The A2B pipeline of a CMYK profile, or null when it is not one this module reads. */
function readA2B(p: Uint8Array): Pipeline | null {
  if (p.length < 132 || p.length > MAX_PROFILE) return null;
  try {
    const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
    const sig = (at: number) => String.fromCharCode(p[at], p[at + 1], p[at + 2], p[at + 3]);
    if (sig(16) !== 'CMYK') return null;
    const pcs = sig(20);
    if (pcs !== 'Lab ' && pcs !== 'XYZ ') return null;
    const tags = new Map<string, [number, number]>();
    const count = dv.getUint32(128);
    for (let i = 0; i < Math.min(count, 256); i++) {
      const at = 132 + i * 12;
      if (at + 12 > p.length) return null;
      tags.set(sig(at), [dv.getUint32(at + 4), dv.getUint32(at + 8)]);
    }
    const tag = tags.get('A2B0') ?? tags.get('A2B1') ?? tags.get('A2B2');
    if (!tag || tag[0] + tag[1] > p.length || tag[1] < 32) return null;
    const view = new DataView(p.buffer, p.byteOffset + tag[0], tag[1]);
    const type = sig(tag[0]);
    if (view.getUint8(8) !== 4 || view.getUint8(9) !== 3) return null;
    if (type === 'mft2') return { stages: lut16(view, 2), pcs, legacyLab: true };
    if (type === 'mft1') return { stages: lut16(view, 1), pcs, legacyLab: false };
    if (type === 'mAB ') return { stages: lutAtoB(view), pcs, legacyLab: false };
    return null;
  } catch {
    return null;
  }
}

/** lut16Type / lut8Type (bytes per entry 2 / 1): input tables, CLUT, output tables (the matrix applies only to XYZ input). */
function lut16(v: DataView, bytes: 1 | 2): Stage[] {
  const points = v.getUint8(10);
  if (points < 2) throw new Error('CLUT needs 2 points per axis');
  const inEntries = bytes === 2 ? v.getUint16(48) : 256;
  const outEntries = bytes === 2 ? v.getUint16(50) : 256;
  if (inEntries < 2 || outEntries < 2) throw new Error('short tables');
  const max = bytes === 2 ? 65535 : 255;
  let at = bytes === 2 ? 52 : 48;
  // Tables are read where they lie in the profile (no copies: the cost model counts only the grid).
  const table = (n: number): Table => {
    const start = at;
    at += n * bytes;
    if (at > v.byteLength) throw new Error('short lut');
    return { n, get: bytes === 2 ? (i) => v.getUint16(start + i * 2) / max : (i) => v.getUint8(start + i) / max };
  };
  const inputs = [table(inEntries), table(inEntries), table(inEntries), table(inEntries)];
  const grid = [points, points, points, points];
  const clut = table(points ** 4 * 3);
  const outputs = [table(outEntries), table(outEntries), table(outEntries)];
  return [curves(inputs.map(tableCurve)), clutStage(grid, clut, 3), curves(outputs.map(tableCurve))];
}

/** lutAtoBType: A curves → CLUT → M curves → matrix → B curves, each optional but B. */
function lutAtoB(v: DataView): Stage[] {
  const offB = v.getUint32(12),
    offMatrix = v.getUint32(16),
    offM = v.getUint32(20),
    offClut = v.getUint32(24),
    offA = v.getUint32(28);
  const stages: Stage[] = [];
  if (offA) stages.push(curves(curveList(v, offA, 4)));
  if (offClut) {
    const grid = [0, 1, 2, 3].map((i) => v.getUint8(offClut + i));
    if (grid.some((g) => g < 2)) throw new Error('CLUT needs 2 points per axis');
    const precision = v.getUint8(offClut + 16);
    if (precision !== 1 && precision !== 2) throw new Error('bad CLUT precision');
    const n = grid.reduce((a, b) => a * b, 1) * 3;
    const start = offClut + 20;
    if (start + n * precision > v.byteLength) throw new Error('short CLUT');
    const get = precision === 2 ? (i: number) => v.getUint16(start + i * 2) / 65535 : (i: number) => v.getUint8(start + i) / 255;
    stages.push(clutStage(grid, { n, get }, 3));
  } else if (!offA) throw new Error('lutAtoB with 4 inputs needs a CLUT');
  if (offM) stages.push(curves(curveList(v, offM, 3)));
  if (offMatrix) {
    const e = Array.from({ length: 12 }, (_, i) => v.getInt32(offMatrix + i * 4) / 65536);
    stages.push((x) =>
      Float64Array.of(
        e[0] * x[0] + e[1] * x[1] + e[2] * x[2] + e[9],
        e[3] * x[0] + e[4] * x[1] + e[5] * x[2] + e[10],
        e[6] * x[0] + e[7] * x[1] + e[8] * x[2] + e[11],
      ),
    );
  }
  if (offB) stages.push(curves(curveList(v, offB, 3)));
  return stages;
}

type Curve = (x: number) => number;
/** `n` values 0..1, read on demand from the profile. */
interface Table {
  n: number;
  get: (i: number) => number;
}

function curves(list: Curve[]): Stage {
  return (x) => x.map((value, i) => list[i](Math.min(1, Math.max(0, value))));
}

/** A table sampled at even steps of 0..1, linearly interpolated. */
function tableCurve(t: Table): Curve {
  const last = t.n - 1;
  return (x) => {
    const f = x * last;
    const i = Math.min(last - 1, Math.floor(f));
    const a = t.get(i);
    return a + (t.get(i + 1) - a) * (f - i);
  };
}

/** `n` curv/para elements from `at`, each padded to 4 bytes. */
function curveList(v: DataView, at: number, n: number): Curve[] {
  const out: Curve[] = [];
  for (let c = 0; c < n; c++) {
    const type = String.fromCharCode(v.getUint8(at), v.getUint8(at + 1), v.getUint8(at + 2), v.getUint8(at + 3));
    if (type === 'curv') {
      const count = v.getUint32(at + 8);
      if (count === 0) out.push((x) => x);
      else if (count === 1) {
        const gamma = v.getUint16(at + 12) / 256;
        out.push((x) => x ** gamma);
      } else {
        const start = at + 12;
        if (start + count * 2 > v.byteLength) throw new Error('short curv');
        out.push(tableCurve({ n: count, get: (i) => v.getUint16(start + i * 2) / 65535 }));
      }
      at += 12 + count * 2;
    } else if (type === 'para') {
      const fn = v.getUint16(at + 8);
      const counts = [1, 3, 4, 5, 7];
      if (fn > 4) throw new Error('bad para');
      const q = Array.from({ length: counts[fn] }, (_, i) => v.getInt32(at + 12 + i * 4) / 65536);
      out.push(parametric(fn, q));
      at += 12 + counts[fn] * 4;
    } else throw new Error(`unsupported curve ${type}`);
    at = (at + 3) & ~3;
  }
  return out;
}

function parametric(fn: number, q: number[]): Curve {
  const [g, a = 1, b = 0, c = 0, d = 0, e = 0, f = 0] = q;
  return (x) => {
    let y: number;
    if (fn === 0) y = x ** g;
    else if (fn === 1) y = x >= -b / a ? (a * x + b) ** g : 0;
    else if (fn === 2) y = x >= -b / a ? (a * x + b) ** g + c : c;
    else if (fn === 3) y = x >= d ? (a * x + b) ** g : c * x;
    else y = x >= d ? (a * x + b) ** g + e : c * x + f;
    return Number.isFinite(y) ? y : 0;
  };
}

/** Multilinear interpolation in a CLUT of `grid` points per input (first input slowest), `outs` outputs per entry. */
function clutStage(grid: number[], data: Table, outs: number): Stage {
  const dims = grid.length;
  const strides = new Array<number>(dims);
  let s = outs;
  for (let d = dims - 1; d >= 0; d--) {
    strides[d] = s;
    s *= grid[d];
  }
  if (s !== data.n) throw new Error('CLUT size');
  return (x) => {
    const idx = new Array<number>(dims);
    const frac = new Array<number>(dims);
    for (let d = 0; d < dims; d++) {
      const f = Math.min(1, Math.max(0, x[d])) * (grid[d] - 1);
      idx[d] = Math.min(grid[d] - 2, Math.floor(f));
      frac[d] = f - idx[d];
    }
    const out = new Float64Array(outs);
    for (let corner = 0; corner < 1 << dims; corner++) {
      let w = 1,
        at = 0;
      for (let d = 0; d < dims; d++) {
        const bit = (corner >> (dims - 1 - d)) & 1;
        w *= bit ? frac[d] : 1 - frac[d];
        at += (idx[d] + bit) * strides[d];
      }
      if (w === 0) continue;
      for (let o = 0; o < outs; o++) out[o] += w * data.get(at + o);
    }
    return out;
  };
}

/** sRGB → XYZ (D50, Bradford-adapted, as sRGB's ICC profiles have it), inverted: PCS XYZ → linear sRGB. */
const XYZ_TO_SRGB = (() => {
  const [a, b, c, d, e, f, g, h, i] = [0.4360747, 0.3850649, 0.1430804, 0.2225045, 0.7168786, 0.0606169, 0.0139322, 0.0971045, 0.7141733];
  const A = e * i - f * h,
    B = -(d * i - f * g),
    C = d * h - e * g;
  const det = a * A + b * B + c * C;
  return [A, -(b * i - c * h), b * f - c * e, B, a * i - c * g, -(a * f - c * d), C, -(a * h - b * g), a * e - b * d].map((v) => v / det);
})();
const D50 = [0.9642, 1, 0.8249];

/** The profile's pipeline → 16-bit sRGB on the N⁴ grid. */
function sampleGrid(pipe: Pipeline): Uint16Array {
  const grid = new Uint16Array(N ** 4 * 3);
  const toXyz = (v: Float64Array) => (pipe.pcs === 'XYZ ' ? [v[0], v[1], v[2]].map((u) => (u * 65535) / 32768) : labToXyz(v, pipe.legacyLab));
  const bp = blackPoint(pipe, toXyz);
  const x = new Float64Array(4);
  let o = 0;
  for (let c = 0; c < N; c++)
    for (let m = 0; m < N; m++)
      for (let y = 0; y < N; y++)
        for (let k = 0; k < N; k++) {
          x[0] = c / (N - 1);
          x[1] = m / (N - 1);
          x[2] = y / (N - 1);
          x[3] = k / (N - 1);
          let v: Float64Array = x;
          for (const stage of pipe.stages) v = stage(v);
          const [X, Y, Z] = toXyz(v).map((u, i) => (D50[i] * (u - bp[i])) / (D50[i] - bp[i]));
          for (let ch = 0; ch < 3; ch++) {
            const lin = XYZ_TO_SRGB[ch * 3] * X + XYZ_TO_SRGB[ch * 3 + 1] * Y + XYZ_TO_SRGB[ch * 3 + 2] * Z;
            const l = Math.min(1, Math.max(0, lin));
            const e = l <= 0.0031308 ? l * 12.92 : 1.055 * l ** (1 / 2.4) - 0.055;
            grid[o++] = Math.round(e * 65535);
          }
        }
  return grid;
}

/**
 * Black point compensation (lcms2's, as sharp asks for perceptual rendering): the profile's black —
 * full ink through the pipeline, made neutral, L* at most 50, as lcms2's cmsDetectBlackPoint finds it
 * for a v2 profile — is mapped to sRGB's black, XYZ scaled per channel between it and the white.
 */
function blackPoint(pipe: Pipeline, toXyz: (v: Float64Array) => number[]): number[] {
  let v: Float64Array = Float64Array.of(1, 1, 1, 1);
  for (const stage of pipe.stages) v = stage(v);
  const [, Y] = toXyz(v);
  const L = Math.min(50, Y > (6 / 29) ** 3 ? 116 * Math.cbrt(Y) - 16 : (Y * 29 ** 3) / 27);
  const neutral = Float64Array.of(L / 100, 128 / 255, 128 / 255);
  const bp = labToXyz(neutral, false);
  return bp.every((u, i) => Number.isFinite(u) && u >= 0 && u < D50[i] / 2) ? bp : [0, 0, 0];
}

function labToXyz(v: Float64Array, legacy: boolean): number[] {
  const scale = legacy ? 65535 / 65280 : 1;
  const L = v[0] * scale * 100;
  const a = v[1] * scale * 255 - 128;
  const b = v[2] * scale * 255 - 128;
  const fy = (L + 16) / 116;
  const f = [fy + a / 500, fy, fy - b / 200];
  return f.map((t, i) => D50[i] * (t > 6 / 29 ? t ** 3 : 3 * (6 / 29) ** 2 * (t - 4 / 29)));
}
