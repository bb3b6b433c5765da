/**
 * JPEG → resize → crop → JPEG in the JPEG's own YCbCr planes: a 4:2:0 (or 4:4:4) original's luma
 * and chroma come out of the decoder as coded (no colour conversion, no chroma upsampling), each
 * plane is filtered on its own straight to the output's 4:2:0 (its chroma a quarter of the luma's
 * samples each) and the planes go into the encoder as they are (no conversion back, no chroma
 * averaging). The RGBA path of the same plan (run.ts openStream) does all of those; this one
 * filters 1.5 samples per output pixel instead of 4. Resizing is linear, so it commutes with the
 * colour conversion up to rounding and the clamp of out-of-gamut values, which this path keeps
 * until the encoder.
 */
import type { ImageHeader } from '../codecs/header';
import { type JpegPlanes, jpegPlanes } from '../codecs/jpeg/decode';
import { jpegPlaneEncoder } from '../codecs/jpeg/encode';
import { planeFilter, type PlaneFilter } from '../kernels/resample';
import { lanczosTaps, type Taps } from '../ops/taps';
import { JPEG_STREAM_PIXELS } from '../plan/cost/model';
import type { Step } from '../plan/steps';

/**
 * A plan this path runs: decode at 1/shrink, EXIF orientation (1: none), a window `source` of
 * that (a crop before the resize; all of it when absent), resized to `resized` (or not), a window
 * of that, baseline JPEG at quality.
 */
export interface PlanarChain {
  shrink: 1 | 2 | 4 | 8;
  orientation: number;
  source?: Rect;
  resized?: { width: number; height: number; widen: number };
  window: { x: number; y: number; width: number; height: number };
  quality: number;
}

interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A crop step's rectangle clipped to an image of `size`, as cropRows clips it; null when nothing is left (cropRows' error, on the RGBA path). */
function clipped(s: Extract<Step, { op: 'crop' }>, size: { width: number; height: number }): Rect | null {
  const x = Math.max(0, Math.floor(s.x));
  const y = Math.max(0, Math.floor(s.y));
  const r = { x, y, width: Math.min(Math.floor(s.width), size.width - x), height: Math.min(Math.floor(s.height), size.height - y) };
  return r.width > 0 && r.height > 0 ? r : null;
}

/**
 * The chain of `steps` when it is exactly decode, orient, crop, resize, crop (each but the
 * decode optional; the first crop only before a resize) and a baseline 4:2:0 JPEG at a fixed quality, from a 4:2:0 YCbCr JPEG whose colours
 * need no conversion (not CMYK; an ICC step only when `iccIsSrgb`: its profile is sRGB, or one
 * that the ICC step leaves alone too); null otherwise.
 */
export function planarChain(header: ImageHeader, steps: readonly Step[], iccIsSrgb = false): PlanarChain | null {
  if (header.format !== 'jpg' || (header.sampling !== '4:2:0' && header.sampling !== '4:4:4') || header.components !== 3) return null;
  const [decode, ...rest] = steps;
  if (rest[0]?.op === 'icc' && iccIsSrgb) rest.shift();
  const encode = rest.pop();
  if (decode?.op !== 'decode' || decode.frames || encode?.op !== 'encode') return null;
  if (encode.format !== 'jpg' || encode.progressive || encode.auto || encode.chroma444 || encode.frames) return null;
  if (encode.width * encode.height > JPEG_STREAM_PIXELS) return null;
  let size = { width: decode.width, height: decode.height };
  let orientation = 1;
  if (rest[0]?.op === 'orient') {
    const o = rest.shift() as Extract<Step, { op: 'orient' }>;
    orientation = ORIENTATIONS[o.orientation] ? o.orientation : 1;
    if (orientation >= 5) size = { width: decode.height, height: decode.width };
  }
  let resized: PlanarChain['resized'];
  let source: Rect | undefined;
  let i = 0;
  const at = (op: Step['op']) => rest[i]?.op === op;
  if (at('crop') && rest[i + 1]?.op === 'resize') {
    const r = clipped(rest[i++] as Extract<Step, { op: 'crop' }>, size);
    if (!r) return null;
    source = r;
    size = { width: r.width, height: r.height };
  }
  if (at('resize')) {
    const s = rest[i++] as Extract<Step, { op: 'resize' }>;
    resized = { width: Math.max(1, Math.round(s.width)), height: Math.max(1, Math.round(s.height)), widen: s.widen ?? 1 };
    size = { width: resized.width, height: resized.height };
  }
  let window: Rect | null = { x: 0, y: 0, ...size };
  if (at('crop')) window = clipped(rest[i++] as Extract<Step, { op: 'crop' }>, size);
  if (!window || i !== rest.length) return null;
  if (window.width !== encode.width || window.height !== encode.height) return null;
  return { shrink: decode.shrink, orientation, ...(source ? { source } : {}), ...(resized ? { resized } : {}), window, quality: encode.quality };
}

/** The input chroma's layout along one axis: luma samples per chroma sample (2: 4:2:0, 1: 4:4:4), and the shift below. */
interface ChromaAxis {
  factor: 1 | 2;
  shift: 0 | 1;
}

/**
 * Taps of one axis of a plane `planeSize` samples long: the window [at, at + count) of a resize of
 * the luma's [from, from + length) to resizedSize, in the luma's samples (`chroma` absent), or the
 * output's 4:2:0 chroma (half as many samples, each between two luma samples) from the input's
 * `chroma`. The taps reach no sample outside [from, from + length) (its chroma samples), as
 * resizing a crop reaches none outside it.
 */
function axisTaps(planeSize: number, from: number, length: number, resizedSize: number, at: number, count: number, widen: number, chroma?: ChromaAxis): Taps {
  const scale = length / resizedSize;
  if (!chroma) return shifted(lanczosTaps(length, count, Math.max(1, scale) * widen, { scale, offset: (at + 0.5) * scale - 0.5 }), from);
  // Output chroma sample j covers resized luma at + 2j and at + 2j + 1, centred on at + 2j + 0.5,
  // which is input luma L = from + (at + 2j + 1) * scale - 0.5. Input chroma sample i covers luma
  // f i - shift .. f i + f - 1 - shift, centred on f i + (f - 1) / 2 - shift (shift 1 where an odd
  // length was flipped: 4:2:0's pairs then start one earlier), so L is chroma
  // (L - (f - 1) / 2 + shift) / f; output chroma samples are 2 scale / f input ones apart.
  const f = chroma.factor;
  const first = Math.floor((from + chroma.shift) / f);
  const end = Math.min(planeSize, Math.floor((from + length - 1 + chroma.shift) / f) + 1);
  const chromaScale = (2 * scale) / f;
  const offset = (from + (at + 1) * scale - 0.5 - (f - 1) / 2 + chroma.shift) / f - first;
  return shifted(lanczosTaps(end - first, count, Math.max(1, chromaScale) * widen, { scale: chromaScale, offset }), first);
}

/** Taps over samples [by, ...) of a longer plane. */
const shifted = (t: Taps, by: number): Taps => (by === 0 ? t : { ...t, start: t.start.map((s) => s + by) });

/** Rows of one plane filtered but not yet encoded, by output row, in a ring that grows when a plane runs ahead. */
class RowQueue {
  private ring: Uint8Array;
  private slots: number;
  private first = 0;
  private end = 0;
  constructor(private readonly width: number) {
    this.slots = 32;
    this.ring = new Uint8Array(width * this.slots);
  }
  push = (row: Uint8Array) => {
    if (this.end - this.first === this.slots) {
      const grown = new Uint8Array(this.width * this.slots * 2);
      for (let r = this.first; r < this.end; r++) grown.set(this.row(r), (r % (this.slots * 2)) * this.width);
      this.ring = grown;
      this.slots *= 2;
    }
    this.ring.set(row, (this.end++ % this.slots) * this.width);
  };
  private row(r: number): Uint8Array {
    const at = (r % this.slots) * this.width;
    return this.ring.subarray(at, at + this.width);
  }
  /** Whether rows up to `to` (exclusive) are in. */
  has(to: number): boolean {
    return this.end >= to;
  }
  /** Copies rows [from, to) into `strip` (`stride` apart) and drops them. */
  take(from: number, to: number, strip: Uint8Array, stride: number): void {
    for (let r = from; r < to; r++) strip.set(this.row(r), (r - from) * stride);
    this.first = to;
  }
}

/** A plane in memory. */
interface Plane {
  data: Uint8Array;
  width: number;
  height: number;
}

/**
 * EXIF orientations 1..8 (ops/orient.ts: 2 mirror, 3 rotate 180, 4 flip vertical, 5 transpose,
 * 6 rotate 90 cw, 7 transverse, 8 rotate 270 cw) as display sample (x, y) from stored
 * (sx, sy): the display axes flipped first (x to width - 1 - x, y to height - 1 - y), then the
 * two swapped when `transpose`.
 */
const ORIENTATIONS: Record<number, { flipX: boolean; flipY: boolean; transpose: boolean }> = {
  1: { flipX: false, flipY: false, transpose: false },
  2: { flipX: true, flipY: false, transpose: false },
  3: { flipX: true, flipY: true, transpose: false },
  4: { flipX: false, flipY: true, transpose: false },
  5: { flipX: false, flipY: false, transpose: true },
  6: { flipX: true, flipY: false, transpose: true },
  7: { flipX: true, flipY: true, transpose: true },
  8: { flipX: false, flipY: true, transpose: true },
};

/** A plane in display orientation (ORIENTATIONS). */
function orientPlane(p: Plane, orientation: number): Plane {
  const { data, width: w, height: h } = p;
  const { flipX, flipY, transpose } = ORIENTATIONS[orientation];
  const ow = transpose ? h : w;
  const oh = transpose ? w : h;
  // Stored index of display (x, y): x1 * stepX + y1 * stepY, x1 and y1 the display axes unflipped.
  const stepX = transpose ? w : 1;
  const stepY = transpose ? 1 : w;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < oh; y++) {
    const row = (flipY ? oh - 1 - y : y) * stepY;
    for (let x = 0; x < ow; x++) out[y * ow + x] = data[row + (flipX ? ow - 1 - x : x) * stepX];
  }
  return { data: out, width: ow, height: oh };
}

/**
 * Per display axis, whether the chroma's pairs of luma samples start one earlier after orienting
 * (1) or not (0): where a flip reverses a stored axis of odd length, its last chroma sample covers
 * one luma sample and comes first (4:2:0 only: factor 2). Stored luma w x h.
 */
function chromaShift(orientation: number, w: number, h: number, factor: 1 | 2): [0 | 1, 0 | 1] {
  const { flipX, flipY, transpose } = ORIENTATIONS[orientation];
  const odd = (flipped: boolean, n: number): 0 | 1 => (factor === 2 && flipped && n & 1 ? 1 : 0);
  return [odd(flipX, transpose ? h : w), odd(flipY, transpose ? w : h)];
}

/** Rows of the three planes as they come: a decoder band, or (oriented) whole planes at once. */
interface PlaneSource {
  luma: { width: number; height: number };
  chroma: { width: number; height: number };
  /** Gives the next rows of each plane to `push`; false when there were none. */
  next(push: (plane: 0 | 1 | 2, row: Uint8Array) => void): boolean;
  /** Milliseconds in the decoder (and orienting) so far, not in what `push` does. */
  decodeMs(): number;
}

/** The decoder's bands, rows past the planes' heights (the last band's padding) left out. */
function bandSource(planes: JpegPlanes): PlaneSource {
  let y = 0;
  let c = 0;
  let ms = 0;
  return {
    luma: { width: planes.width, height: planes.height },
    chroma: { width: planes.chromaWidth, height: planes.chromaHeight },
    decodeMs: () => ms,
    next(push) {
      if (y >= planes.height && c >= planes.chromaHeight) return false;
      const t = performance.now();
      const band = planes.next();
      ms += performance.now() - t;
      for (let r = 0; r < band.rows && y < planes.height; r++, y++) push(0, band.y.subarray(r * band.yStride));
      for (let r = 0; r < band.rows / planes.chromaFactor && c < planes.chromaHeight; r++, c++) {
        push(1, band.cb.subarray(r * band.cStride));
        push(2, band.cr.subarray(r * band.cStride));
      }
      return true;
    },
  };
}

/** The whole planes, decoded first and then oriented: orientation turns them, so no row can go before the last is decoded. */
function orientedSource(planes: JpegPlanes, orientation: number): PlaneSource {
  const t = performance.now();
  const y: Plane = { data: new Uint8Array(planes.width * planes.height), width: planes.width, height: planes.height };
  const cb: Plane = { data: new Uint8Array(planes.chromaWidth * planes.chromaHeight), width: planes.chromaWidth, height: planes.chromaHeight };
  const cr: Plane = { ...cb, data: new Uint8Array(cb.data.length) };
  const all = [y, cb, cr];
  const rows = [0, 0, 0];
  const src = bandSource(planes);
  while (src.next((i, row) => all[i].data.set(row.subarray(0, all[i].width), rows[i]++ * all[i].width)));
  const turned = all.map((p) => orientPlane(p, orientation));
  const ms = performance.now() - t;
  let done = false;
  return {
    luma: { width: turned[0].width, height: turned[0].height },
    chroma: { width: turned[1].width, height: turned[1].height },
    decodeMs: () => ms,
    next(push) {
      if (done) return false;
      done = true;
      for (const [i, p] of turned.entries()) for (let r = 0; r < p.height; r++) push(i as 0 | 1 | 2, p.data.subarray(r * p.width, (r + 1) * p.width));
      return true;
    },
  };
}

/**
 * Runs a planar chain: the JPEG and the milliseconds spent decoding (orienting too), filtering
 * (resize and crop) and encoding; null when the JPEG turns out not to be 4:2:0 YCbCr after all
 * (its frame says so; the decoder has the last word), for the RGBA path to run instead.
 */
export function encodeViaPlanes(bytes: Uint8Array, chain: PlanarChain): { bytes: Uint8Array; ms: { decode: number; resize: number; encode: number } } | null {
  const t0 = performance.now();
  const planes = jpegPlanes(bytes, chain.shrink);
  if (!planes) return null;
  const openMs = performance.now() - t0;
  let decodeMs = openMs;
  let encodeMs = 0;
  const filters: PlaneFilter[] = [];
  let out: Uint8Array;
  try {
    const source = chain.orientation > 1 ? orientedSource(planes, chain.orientation) : bandSource(planes);
    const [shiftX, shiftY] = chromaShift(chain.orientation, planes.width, planes.height, planes.chromaFactor);
    const factor = planes.chromaFactor;
    const { luma: size, chroma: chromaSize } = source;
    const { window: win, quality } = chain;
    const from = chain.source ?? { x: 0, y: 0, ...size };
    const resized = chain.resized ?? { width: from.width, height: from.height, widen: 1 };
    const cw = (win.width + 1) >> 1;
    const ch = (win.height + 1) >> 1;
    const queues = [new RowQueue(win.width), new RowQueue(cw), new RowQueue(cw)];
    const lumaTx = axisTaps(size.width, from.x, from.width, resized.width, win.x, win.width, resized.widen);
    const lumaTy = axisTaps(size.height, from.y, from.height, resized.height, win.y, win.height, resized.widen);
    const chromaTx = axisTaps(chromaSize.width, from.x, from.width, resized.width, win.x, cw, resized.widen, { factor, shift: shiftX });
    const chromaTy = axisTaps(chromaSize.height, from.y, from.height, resized.height, win.y, ch, resized.widen, { factor, shift: shiftY });
    filters.push(planeFilter(size.width, lumaTx, lumaTy, queues[0].push));
    filters.push(planeFilter(chromaSize.width, chromaTx, chromaTy, queues[1].push));
    filters.push(planeFilter(chromaSize.width, chromaTx, chromaTy, queues[2].push));
    const encoder = jpegPlaneEncoder(win.width, win.height, quality);
    const { strips } = encoder;
    const push = (plane: 0 | 1 | 2, row: Uint8Array) => filters[plane].push(row);
    let mcu = 0;
    const mcuRows = Math.ceil(win.height / 16);
    while (mcu < mcuRows) {
      const more = source.next(push);
      for (; mcu < mcuRows; mcu++) {
        const lumaEnd = Math.min(win.height, (mcu + 1) * 16);
        const chromaEnd = Math.min(ch, (mcu + 1) * 8);
        if (!queues[0].has(lumaEnd) || !queues[1].has(chromaEnd) || !queues[2].has(chromaEnd)) break;
        queues[0].take(mcu * 16, lumaEnd, strips.y, strips.yStride);
        queues[1].take(mcu * 8, chromaEnd, strips.cb, strips.cStride);
        queues[2].take(mcu * 8, chromaEnd, strips.cr, strips.cStride);
        const te = performance.now();
        encoder.mcuRow(lumaEnd - mcu * 16);
        encodeMs += performance.now() - te;
      }
      if (!more && mcu < mcuRows) throw new Error('planes ended before the output');
    }
    const te = performance.now();
    out = encoder.finish();
    encodeMs += performance.now() - te;
    decodeMs += source.decodeMs();
  } finally {
    for (const f of filters) f.close();
    planes.close();
  }
  const resizeMs = performance.now() - t0 - decodeMs - encodeMs;
  return { bytes: out, ms: { decode: decodeMs, resize: resizeMs, encode: encodeMs } };
}
