import wasm from './resample.wasm';
import type { Taps } from '../ops/taps';
import type { Rows } from '../pixels/rows';
import { ownKernel } from './kernel';

/**
 * The separable filter (resample.ts semantics: same taps, same rounding) run by the SIMD kernel in
 * wasm/resample.c, streamed: source rows go into a ring of float rows as the vertical taps need
 * them and output rows come out in bands, so the kernel's memory holds only the taps, the ring,
 * one float row, one row in and a band out, never whole images. It grows to the largest call and
 * never shrinks.
 */
type Kernel = ReturnType<typeof load>;

const load = ownKernel<{
  load_row(src: number, dst: number, width: number, premultiply: number): void;
  emit_row(
    ring: number,
    inW: number,
    y0: number,
    ysize: number,
    wy: number,
    row: number,
    xstart: number,
    xpairs: number,
    npairs: number,
    outW: number,
    out: number,
    premultiply: number,
  ): void;
  emit_plane_row(
    ring: number,
    stride: number,
    y0: number,
    ysize: number,
    wy: number,
    row: number,
    xstart: number,
    xpairs: number,
    ngroups: number,
    outW: number,
    out: number,
  ): void;
  prepare_x(xweights: number, outW: number, xsize: number, pairs: number): void;
  detail(src: number, blurred: number, out: number, w: number, h: number, amount: number): void;
  filter_image(
    src: number,
    inW: number,
    inH: number,
    ystart: number,
    yweights: number,
    ysize: number,
    xstart: number,
    xpairs: number,
    npairs: number,
    outW: number,
    outH: number,
    ring: number,
    slots: number,
    row: number,
    out: number,
    premultiply: number,
  ): void;
}>('resample', wasm);

/** Output rows per band. */
const BAND = 16;

/**
 * One filter's taps and working rows in the kernel's memory, written: the horizontal taps as Q14
 * pairs (prepare_x), the vertical ones as floats, the 16-bit ring of `ysize` rows, its slot table
 * and the 16-bit row; `extra` buffers follow.
 */
function filterMemory(k: Kernel, inW: number, tx: Taps, ty: Taps, extra: readonly number[]) {
  const npairs = (tx.size + 1) >> 1;
  const outW = tx.outSize,
    outH = ty.outSize;
  const { at, end, release } = k.region([
    outW * 4,
    tx.weights.length * 4,
    outW * npairs * 4,
    outH * 4,
    ty.weights.length * 4,
    ty.size * inW * 8,
    ty.size * 4,
    inW * 8 + 32, // ring, slots, row (a pixel of slack for an odd tap count)
    ...extra,
  ]);
  const [xs, xw, xp, ys, yw, ring, slots, row, ...rest] = at;
  const buf = k.memory.buffer;
  new Int32Array(buf, xs, outW).set(tx.start);
  new Float32Array(buf, xw, tx.weights.length).set(tx.weights);
  new Int32Array(buf, ys, outH).set(ty.start);
  new Float32Array(buf, yw, ty.weights.length).set(ty.weights);
  k.prepare_x(xw, outW, tx.size, xp);
  return { xs, xp, npairs, ys, yw, ring, slots, row, extra: rest, end, release };
}

/**
 * Filters 8-bit RGBA rows with taps along x (tx.outSize wide) and y (ty.outSize high), premultiplied
 * by alpha when asked. Output bands are views of the kernel's memory, valid until the next call.
 */
export function filterRows(src: Rows, tx: Taps, ty: Taps, premultiply: boolean): Rows {
  const k = load();
  const inW = src.width,
    outW = tx.outSize,
    outH = ty.outSize,
    ysize = ty.size;
  const m = filterMemory(k, inW, tx, ty, [inW * 4, BAND * outW * 4]);
  const [inAt, outAt] = m.extra;
  // Re-made after the memory grows (another stream reserving its region detaches old views).
  let inRow = new Uint8Array(k.memory.buffer, inAt, inW * 4);
  const slots = new Int32Array(ysize).fill(-1);
  const pm = premultiply ? 1 : 0;
  const stride = inW * 4;
  let band: Uint8Array = new Uint8Array(0);
  let bandY = 0; // first source row of `band`
  let srcY = 0; // source rows received
  let oy = 0;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    m.release();
    src.close();
  };
  return {
    width: outW,
    height: outH,
    opaque: src.opaque,
    next() {
      try {
        const n = Math.min(BAND, outH - oy);
        if (n <= 0) throw new Error('rows exhausted');
        if (inRow.buffer !== k.memory.buffer) inRow = new Uint8Array(k.memory.buffer, inAt, inW * 4);
        for (let i = 0; i < n; i++, oy++) {
          const y0 = ty.start[oy];
          for (let sy = y0; sy < y0 + ysize; sy++) {
            const slot = sy % ysize;
            if (slots[slot] === sy) continue;
            while (sy >= srcY) {
              bandY = srcY;
              band = src.next();
              srcY += band.length / stride;
            }
            inRow.set(band.subarray((sy - bandY) * stride, (sy - bandY + 1) * stride));
            k.load_row(inAt, m.ring + slot * inW * 8, inW, pm);
            slots[slot] = sy;
          }
          k.emit_row(m.ring, inW, y0, ysize, m.yw + oy * ysize * 4, m.row, m.xs, m.xp, m.npairs, outW, outAt + i * outW * 4, pm);
        }
        if (oy >= outH) close();
        return new Uint8Array(k.memory.buffer, outAt, n * outW * 4);
      } catch (e) {
        close();
        throw e;
      }
    },
    close,
  };
}

/** A single-channel plane's filter (planeFilter): source rows go in top to bottom, output rows come out as soon as their taps' rows are in. */
export interface PlaneFilter {
  /** The next source row (the plane's width in samples, or more: the rest is ignored). */
  push(row: Uint8Array): void;
  /** Frees the filter's kernel memory; after errors too. Safe to call twice. */
  close(): void;
}

/**
 * The filter of filterRows on one 8-bit plane (a JPEG's Y, Cb or Cr, pixels/ycc.ts), pushed row
 * by row: each output row goes to `emit` (a view of the kernel's memory, valid during the call)
 * once the source rows its taps read are in, so a plane never holds more than its ring. The
 * samples are those filterRows gives for each channel of RGBA rows with the same taps.
 */
export function planeFilter(inW: number, tx: Taps, ty: Taps, emit: (row: Uint8Array, oy: number) => void): PlaneFilter {
  const k = load();
  const outW = tx.outSize,
    outH = ty.outSize,
    ysize = ty.size;
  const stride = align4(inW);
  // Eight taps per i32x4.dot: the horizontal windows padded with zero weights to a multiple of 8.
  const groups = Math.ceil(tx.size / 8);
  const padded = new Float32Array(outW * groups * 8);
  for (let o = 0; o < outW; o++) padded.set(tx.weights.subarray(o * tx.size, (o + 1) * tx.size), o * groups * 8);
  const { at, release } = k.region([outW * 4, padded.length * 4, padded.length * 2, ty.weights.length * 4, ysize * stride * 2, (stride + 8) * 2, stride, outW]);
  const [xs, xw, xp, yw, ring, row, inAt, outAt] = at;
  new Int32Array(k.memory.buffer, xs, outW).set(tx.start);
  new Float32Array(k.memory.buffer, xw, padded.length).set(padded);
  new Float32Array(k.memory.buffer, yw, ty.weights.length).set(ty.weights);
  k.prepare_x(xw, outW, groups * 8, xp);
  let srcY = 0;
  let oy = 0;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    release();
  };
  // Re-made after the memory grows (another filter reserving its region detaches old views).
  let inRow = new Uint8Array(k.memory.buffer, inAt, inW);
  let outRow = new Uint8Array(k.memory.buffer, outAt, outW);
  return {
    push(src) {
      if (inRow.buffer !== k.memory.buffer) {
        inRow = new Uint8Array(k.memory.buffer, inAt, inW);
        outRow = new Uint8Array(k.memory.buffer, outAt, outW);
      }
      inRow.set(src.length > inW ? src.subarray(0, inW) : src);
      k.load_row(inAt, ring + (srcY % ysize) * stride * 2, stride / 4, 0);
      srcY++;
      for (; oy < outH && ty.start[oy] + ysize <= srcY; oy++) {
        k.emit_plane_row(ring, stride, ty.start[oy], ysize, yw + oy * ysize * 4, row, xs, xp, groups, outW, outAt);
        emit(outRow, oy);
      }
    },
    close,
  };
}

const align4 = (n: number) => (n + 3) & ~3;

/**
 * The filter over a raster in memory, into a fresh JS array: the kernel runs every row in one call
 * (filter_image: the same arithmetic as filterRows, without a JS call per row), with the raster
 * and the result in its memory, above any open stream's region.
 */
export function filterRgba(src: Uint8Array, inW: number, inH: number, tx: Taps, ty: Taps, premultiply: boolean): Uint8Array {
  const k = load();
  const outW = tx.outSize,
    outH = ty.outSize;
  const m = filterMemory(k, inW, tx, ty, [src.length, outW * outH * 4]);
  const [srcAt, outAt] = m.extra;
  try {
    new Uint8Array(k.memory.buffer, srcAt, src.length).set(src);
    k.filter_image(srcAt, inW, inH, m.ys, m.yw, ty.size, m.xs, m.xp, m.npairs, outW, outH, m.ring, m.slots, m.row, outAt, premultiply ? 1 : 0);
    return new Uint8Array(k.memory.buffer, outAt, outW * outH * 4).slice();
  } finally {
    m.release();
  }
}

/**
 * wasm/resample.c detail(): src + amount * (src - blurred) on RGB, clamped to each pixel's 3x3
 * range in src; alpha from src. Whole images, above any stream's region of the kernel's memory;
 * the result is written over the blurred copy there (each pixel reads only its own blurred one),
 * so the kernel holds two rasters, not three (plan/ops.ts counts two).
 */
export function detailRgba(src: Uint8Array, blurred: Uint8Array, w: number, h: number, amount: number): Uint8Array {
  const k = load();
  const n = w * h * 4;
  const r = k.region([n, n]);
  const [srcAt, blurAt] = r.at;
  try {
    new Uint8Array(k.memory.buffer, srcAt, n).set(src);
    new Uint8Array(k.memory.buffer, blurAt, n).set(blurred);
    k.detail(srcAt, blurAt, blurAt, w, h, amount);
    return new Uint8Array(k.memory.buffer, blurAt, n).slice();
  } finally {
    r.release();
  }
}
