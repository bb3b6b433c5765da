/**
 * JPEG → resize → crop → JPEG in the JPEG's own YCbCr planes: a 4:2:0 original's luma and chroma
 * come out of the decoder as coded (no colour conversion, no chroma upsampling), each plane is
 * filtered on its own (the chroma at half resolution: a quarter of the luma's samples each) and
 * the planes go into the encoder as they are (no conversion back, no chroma averaging). The RGBA
 * path of the same plan (run.ts openStream) does all of those; this one filters 1.5 samples per
 * pixel instead of 4. Resizing is linear, so it commutes with the colour conversion up to
 * rounding and the clamp of out-of-gamut values, which this path keeps until the encoder.
 */
import type { ImageHeader } from '../codecs/header';
import { jpegPlanes } from '../codecs/jpeg/decode';
import { jpegPlaneEncoder } from '../codecs/jpeg/encode';
import { planeFilter, type PlaneFilter } from '../kernels/resample';
import { lanczosTaps, type Taps } from '../ops/taps';
import { JPEG_STREAM_PIXELS } from '../plan/cost/model';
import type { Step } from '../plan/steps';

/** A plan this path runs: decode at 1/shrink, resize to resized (or not), a window of it, baseline JPEG at quality. */
export interface PlanarChain {
  shrink: 1 | 2 | 4 | 8;
  resized?: { width: number; height: number; widen: number };
  window: { x: number; y: number; width: number; height: number };
  quality: number;
}

/**
 * The chain of `steps` when it is exactly decode, resize, crop (each of the last two optional)
 * and a baseline 4:2:0 JPEG at a fixed quality, from a 4:2:0 YCbCr JPEG whose colours need no
 * conversion (not CMYK; an ICC step only when `iccIsSrgb`: its profile is sRGB, or one that the
 * ICC step leaves alone too); null otherwise.
 */
export function planarChain(header: ImageHeader, steps: readonly Step[], iccIsSrgb = false): PlanarChain | null {
  if (header.format !== 'jpg' || header.sampling !== '4:2:0' || header.components !== 3) return null;
  const [decode, ...rest] = steps;
  if (rest[0]?.op === 'icc' && iccIsSrgb) rest.shift();
  const encode = rest.pop();
  if (decode?.op !== 'decode' || decode.frames || encode?.op !== 'encode') return null;
  if (encode.format !== 'jpg' || encode.progressive || encode.auto || encode.chroma444 || encode.frames) return null;
  if (encode.width * encode.height > JPEG_STREAM_PIXELS) return null;
  let size = { width: decode.width, height: decode.height };
  let resized: PlanarChain['resized'];
  let window = { x: 0, y: 0, ...size };
  for (const [i, s] of rest.entries()) {
    if (s.op === 'resize' && i === 0) {
      resized = { width: Math.max(1, Math.round(s.width)), height: Math.max(1, Math.round(s.height)), widen: s.widen ?? 1 };
      size = { width: resized.width, height: resized.height };
      window = { x: 0, y: 0, ...size };
    } else if (s.op === 'crop' && i === rest.length - 1) {
      const x = Math.max(0, Math.floor(s.x));
      const y = Math.max(0, Math.floor(s.y));
      window = { x, y, width: Math.min(Math.floor(s.width), size.width - x), height: Math.min(Math.floor(s.height), size.height - y) };
      if (!(window.width > 0 && window.height > 0)) return null; // cropRows' error, on the RGBA path
    } else return null;
  }
  if (window.width !== encode.width || window.height !== encode.height) return null;
  return { shrink: decode.shrink, ...(resized ? { resized } : {}), window, quality: encode.quality };
}

/**
 * Taps of one axis of a plane `inSize` samples long: the window [at, at + count) of a resize of
 * the luma from lumaSize to resizedSize, in the luma's samples or (`chroma`) in the chroma's, each
 * of which sits between two luma samples: chroma sample i covers luma 2i and 2i + 1.
 */
function axisTaps(inSize: number, lumaSize: number, resizedSize: number, at: number, count: number, widen: number, chroma: boolean): Taps {
  const scale = lumaSize / resizedSize; // the same in chroma samples
  const stretch = Math.max(1, scale) * widen;
  // Luma: output o at input (at + o + 0.5) * scale - 0.5. Chroma: output sample j covers resized
  // luma at + 2j and at + 2j + 1, centred on at + 2j + 0.5, which is input luma
  // (at + 2j + 1) * scale - 0.5, which is input chroma half of that less 0.5.
  const offset = chroma ? ((at + 1) * scale - 1) / 2 : (at + 0.5) * scale - 0.5;
  return lanczosTaps(inSize, count, stretch, { scale, offset });
}

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

/**
 * Runs a planar chain: the JPEG and the milliseconds spent decoding, filtering (resize and crop)
 * and encoding; null when the JPEG turns out not to be 4:2:0 YCbCr after all (its frame
 * says so; the decoder has the last word), for the RGBA path to run instead.
 */
export function encodeViaPlanes(bytes: Uint8Array, chain: PlanarChain): { bytes: Uint8Array; ms: { decode: number; resize: number; encode: number } } | null {
  const t0 = performance.now();
  const planes = jpegPlanes(bytes, chain.shrink);
  if (!planes) return null;
  let decodeMs = performance.now() - t0;
  let encodeMs = 0;
  const filters: PlaneFilter[] = [];
  let out: Uint8Array;
  try {
    const { window: win, quality } = chain;
    const resized = chain.resized ?? { width: planes.width, height: planes.height, widen: 1 };
    const cw = (win.width + 1) >> 1;
    const ch = (win.height + 1) >> 1;
    const luma = new RowQueue(win.width);
    const cb = new RowQueue(cw);
    const cr = new RowQueue(cw);
    const lumaTx = axisTaps(planes.width, planes.width, resized.width, win.x, win.width, resized.widen, false);
    const lumaTy = axisTaps(planes.height, planes.height, resized.height, win.y, win.height, resized.widen, false);
    const chromaTx = axisTaps(planes.chromaWidth, planes.width, resized.width, win.x, cw, resized.widen, true);
    const chromaTy = axisTaps(planes.chromaHeight, planes.height, resized.height, win.y, ch, resized.widen, true);
    filters.push(planeFilter(planes.width, lumaTx, lumaTy, luma.push));
    filters.push(planeFilter(planes.chromaWidth, chromaTx, chromaTy, cb.push));
    filters.push(planeFilter(planes.chromaWidth, chromaTx, chromaTy, cr.push));
    const encoder = jpegPlaneEncoder(win.width, win.height, quality);
    const { strips } = encoder;
    let mcu = 0;
    const mcuRows = Math.ceil(win.height / 16);
    let y = 0;
    let c = 0;
    while (mcu < mcuRows) {
      const t = performance.now();
      const band = planes.next();
      decodeMs += performance.now() - t;
      for (let r = 0; r < band.rows && y < planes.height; r++, y++) filters[0].push(band.y.subarray(r * band.yStride));
      for (let r = 0; r < band.rows / 2 && c < planes.chromaHeight; r++, c++) {
        filters[1].push(band.cb.subarray(r * band.cStride));
        filters[2].push(band.cr.subarray(r * band.cStride));
      }
      for (; mcu < mcuRows; mcu++) {
        const lumaEnd = Math.min(win.height, (mcu + 1) * 16);
        const chromaEnd = Math.min(ch, (mcu + 1) * 8);
        if (!luma.has(lumaEnd) || !cb.has(chromaEnd) || !cr.has(chromaEnd)) break;
        luma.take(mcu * 16, lumaEnd, strips.y, strips.yStride);
        cb.take(mcu * 8, chromaEnd, strips.cb, strips.cStride);
        cr.take(mcu * 8, chromaEnd, strips.cr, strips.cStride);
        const te = performance.now();
        encoder.mcuRow(lumaEnd - mcu * 16);
        encodeMs += performance.now() - te;
      }
    }
    const te = performance.now();
    out = encoder.finish();
    encodeMs += performance.now() - te;
  } finally {
    for (const f of filters) f.close();
    planes.close();
  }
  const resizeMs = performance.now() - t0 - decodeMs - encodeMs;
  return { bytes: out, ms: { decode: decodeMs, resize: resizeMs, encode: encodeMs } };
}
