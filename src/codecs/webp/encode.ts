/**
 * Large WebP outputs (over WEBP_LOW_MEMORY_PIXELS): libwebp's low_memory in an encoder instance of
 * its own (jsquash.ts fresh()), dropped after the encode, fed from the row stream straight into
 * its heap, so that no JS raster of the output exists.
 *
 * jsquash's encode(std::string img, ...) gets the RGBA through embind, which mallocs a buffer of
 * 4 + length + 1 bytes (a length word, the bytes, a NUL) and copies the argument into it byte by
 * byte. In a fresh instance nothing else has run in the heap: the rows are written into a block
 * of exactly that size, the block is freed, and embind's malloc of the same size gets the same
 * block back, where its copy writes each byte onto itself. That the allocator returns the same
 * block is checked before (malloc, free, malloc again, from the same state); if it did not, the
 * rows are copied out into JS and encoded as before.
 */
import { webpEncoder } from '../jsquash';
import type { Rows } from '../../pixels/rows';

/** malloc and free of @jsquash/webp 1.5.0's webp_enc_simd.wasm, by their minified export names (webp_enc_simd.js: `_malloc=Module["asm"]["z"]`, `_free=...["A"]`). */
const MALLOC = 'z';
const FREE = 'A';

/** How the large encodes so far were fed (tests check the heap path is taken). */
export const feeds = { heap: 0, copied: 0 };

/** A large WebP encode of `source` (closed here) in a fresh instance, dropped after it. */
export async function encodeWebpFresh(source: Rows, config: Record<string, number>): Promise<Uint8Array> {
  const enc = await webpEncoder.fresh();
  try {
    const { width, height } = source;
    const length = width * height * 4;
    const at = sameBlock(enc.exports, 4 + length + 1);
    let data: Uint8Array;
    if (at) {
      // The rows, in the heap where embind's copy of the argument will be.
      fill(source, new Uint8Array(enc.memory.buffer, at + 4, length));
      (enc.exports[FREE] as (p: number) => void)(at);
      data = new Uint8Array(enc.memory.buffer, at + 4, length);
      feeds.heap++;
    } else {
      feeds.copied++;
      data = new Uint8Array(length);
      fill(source, data);
    }
    const out = enc.codec.encode(data, width, height, config);
    if (!out) throw new Error('webp encoder returned null');
    return out.buffer === enc.memory.buffer ? out.slice() : out;
  } finally {
    source.close();
    enc.release();
  }
}

/**
 * A block of `size` bytes that the allocator gives back for the next malloc of that size once it is
 * freed (checked: malloc, free, malloc gives the same block), allocated; 0 when it does not.
 */
function sameBlock(exports: WebAssembly.Exports, size: number): number {
  const malloc = exports[MALLOC];
  const free = exports[FREE];
  if (typeof malloc !== 'function' || typeof free !== 'function') return 0;
  const a = (malloc as (n: number) => number)(size);
  if (!a) return 0;
  (free as (p: number) => void)(a);
  const b = (malloc as (n: number) => number)(size);
  if (b !== a) {
    if (b) (free as (p: number) => void)(b);
    return 0;
  }
  return a;
}

function fill(source: Rows, into: Uint8Array): void {
  for (let at = 0; at < into.length; ) {
    const band = source.next();
    into.set(band, at);
    at += band.length;
  }
}
