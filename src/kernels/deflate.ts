import wasm from './deflate.wasm';
import { ImageError } from '../pixels/errors';
import { reactorKernel } from './kernel';

/** Exports of wasm/deflate.c (libdeflate). */
interface Deflate {
  memory: WebAssembly.Memory;
  malloc(n: number): number;
  free(p: number): void;
  dec_new(): number;
  zlib_inflate(d: number, input: number, inLen: number, out: number, outLen: number): number;
  zlib_inflate_some(d: number, input: number, inLen: number, out: number, cap: number): number;
  enc_new(level: number): number;
  zlib_bound(c: number, n: number): number;
  zlib_deflate(c: number, input: number, inLen: number, out: number, outCap: number): number;
  enc_free(c: number): void;
}

const module = reactorKernel<Deflate>('deflate', wasm);
let decompressor = 0;

/**
 * Inflates a zlib stream split over `parts` (PNG's IDAT chunks) into exactly `expected` bytes, in
 * this module's memory; `use` gets the result (a view, valid during the call). A stream that
 * decodes to more (a zlib bomb, or junk after the rows) stops at the end of the buffer and is
 * refused, as are short or corrupt ones: ImageErrors.
 */
export function inflateZlib<T>(parts: readonly Uint8Array[], expected: number, use: (raw: Uint8Array) => T): T {
  const k = module();
  const inLen = parts.reduce((n, p) => n + p.length, 0);
  let input = 0,
    out = 0;
  try {
    input = k.malloc(inLen);
    out = k.malloc(Math.max(1, expected));
    if (!input || !out) throw new ImageError('Image too large to decode', 413);
    let at = input;
    for (const p of parts) {
      new Uint8Array(k.memory.buffer, at, p.length).set(p);
      at += p.length;
    }
    decompressor ||= k.dec_new();
    const r = k.zlib_inflate(decompressor, input, inLen, out, expected);
    if (r === 1) throw new ImageError('Invalid image file: corrupt PNG (inflate failed)');
    if (r === 2) throw new ImageError('Invalid image file: corrupt PNG (truncated image data)');
    if (r === 3) throw new ImageError('Invalid image file: corrupt PNG (more image data than the image needs)');
    return use(new Uint8Array(k.memory.buffer, out, expected));
  } catch (e) {
    if (e instanceof RangeError) throw new ImageError('Image too large to decode', 413);
    throw e;
  } finally {
    if (out) k.free(out);
    if (input) k.free(input);
  }
}

/** A small zlib stream of unknown size (PNG's iCCP profile) if it inflates to at most `cap` bytes, else null (also when corrupt). */
export function inflateZlibUpTo(data: Uint8Array, cap: number): Uint8Array | null {
  const k = module();
  let input = 0,
    out = 0;
  try {
    input = k.malloc(data.length);
    out = k.malloc(cap);
    if (!input || !out) return null;
    new Uint8Array(k.memory.buffer, input, data.length).set(data);
    decompressor ||= k.dec_new();
    const n = k.zlib_inflate_some(decompressor, input, data.length, out, cap);
    return n >= 0 ? new Uint8Array(k.memory.buffer, out, n).slice() : null;
  } finally {
    if (out) k.free(out);
    if (input) k.free(input);
  }
}

/** A zlib stream of `data` at libdeflate's `level` (6 is zlib's default trade-off), as a fresh JS array. */
export function deflateZlib(data: Uint8Array, level = 6): Uint8Array {
  const k = module();
  const c = k.enc_new(level);
  let input = 0,
    out = 0;
  try {
    if (!c) throw new Error('no compressor');
    const cap = k.zlib_bound(c, data.length);
    input = k.malloc(data.length);
    out = k.malloc(cap);
    if (!input || !out) throw new Error('out of memory');
    new Uint8Array(k.memory.buffer, input, data.length).set(data);
    const n = k.zlib_deflate(c, input, data.length, out, cap);
    if (!n) throw new Error('deflate failed');
    return new Uint8Array(k.memory.buffer, out, n).slice();
  } finally {
    if (out) k.free(out);
    if (input) k.free(input);
    if (c) k.enc_free(c);
  }
}

/**
 * A zlib stream of `size` bytes that `fill` writes straight into this module's memory (so the
 * caller needs no JS copy of the input); `fill` gets a function returning the input's current view
 * (re-made if the memory grew). `use` gets the compressed stream (a view, valid during the call).
 */
export function deflateZlibFrom<T>(size: number, fill: (input: () => Uint8Array) => void, use: (zlib: Uint8Array) => T, level = 6): T {
  const k = module();
  const c = k.enc_new(level);
  let input = 0,
    out = 0;
  try {
    if (!c) throw new Error('no compressor');
    const cap = k.zlib_bound(c, size);
    input = k.malloc(size);
    out = k.malloc(cap);
    if (!input || !out) throw new Error('out of memory');
    let view = new Uint8Array(k.memory.buffer, input, size);
    fill(() => {
      if (view.buffer !== k.memory.buffer) view = new Uint8Array(k.memory.buffer, input, size);
      return view;
    });
    const n = k.zlib_deflate(c, input, size, out, cap);
    if (!n) throw new Error('deflate failed');
    return use(new Uint8Array(k.memory.buffer, out, n));
  } finally {
    if (out) k.free(out);
    if (input) k.free(input);
    if (c) k.enc_free(c);
  }
}
