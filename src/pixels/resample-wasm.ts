import wasm from './wasm/resample.wasm';
import type { Taps } from './resample';
import { align16 as align, ownKernel } from './wasm/kernel';

/**
 * The separable filter (resample.ts semantics: same taps, same rounding) run by the SIMD kernel in
 * wasm/resample.c, streamed a row at a time so that the kernel's memory holds only the taps, a
 * ring of float rows and single rows in and out, never whole images. It grows to the largest
 * call and never shrinks.
 */
const load = ownKernel<{
  load_row(src: number, dst: number, width: number, premultiply: number): void;
  emit_row(ring: number, inW: number, y0: number, ysize: number, wy: number, row: number, xstart: number, xweights: number, xsize: number, outW: number, out: number, premultiply: number): void;
}>('resample', wasm);

/**
 * Filters 8-bit RGBA `src` (inW x inH) with taps along x (tx.outSize wide) and y (ty.outSize
 * high); premultiplied by alpha when asked. Returns a fresh JS array.
 */
export function filterRgba(src: Uint8Array, inW: number, inH: number, tx: Taps, ty: Taps, premultiply: boolean): Uint8Array {
  const k = load();
  const outW = tx.outSize, outH = ty.outSize, ysize = ty.size;
  let p = align(k.heapBase);
  const take = (bytes: number) => {
    const at = p;
    p += align(bytes);
    return at;
  };
  const xsAt = take(outW * 4);
  const xwAt = take(tx.weights.length * 4);
  const ywAt = take(ty.weights.length * 4);
  const ringAt = take(ysize * inW * 16);
  const rowAt = take(inW * 16);
  const inAt = take(inW * 4);
  const outAt = take(outW * 4);
  k.reserve(p);
  const buf = k.memory.buffer;
  new Int32Array(buf, xsAt, outW).set(tx.start);
  new Float32Array(buf, xwAt, tx.weights.length).set(tx.weights);
  new Float32Array(buf, ywAt, ty.weights.length).set(ty.weights);
  const inRow = new Uint8Array(buf, inAt, inW * 4);
  const outRow = new Uint8Array(buf, outAt, outW * 4);
  const slots = new Int32Array(ysize).fill(-1);
  const pm = premultiply ? 1 : 0;
  const stride = inW * 4;
  const dst = new Uint8Array(outW * outH * 4);
  for (let oy = 0; oy < outH; oy++) {
    const y0 = ty.start[oy];
    for (let sy = y0; sy < y0 + ysize; sy++) {
      const slot = sy % ysize;
      if (slots[slot] === sy) continue;
      inRow.set(src.subarray(sy * stride, sy * stride + stride));
      k.load_row(inAt, ringAt + slot * inW * 16, inW, pm);
      slots[slot] = sy;
    }
    k.emit_row(ringAt, inW, y0, ysize, ywAt + oy * ysize * 4, rowAt, xsAt, xwAt, tx.size, outW, outAt, pm);
    dst.set(outRow, oy * outW * 4);
  }
  return dst;
}
