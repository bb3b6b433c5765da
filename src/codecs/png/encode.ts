/**
 * PNG encoder: 8-bit RGB when the raster is opaque, RGBA otherwise; per-row adaptive filter
 * (None/Sub/Up/Average/Paeth, minimum sum of absolute differences, as libpng) chosen by the SIMD
 * kernel wasm/png-filter.c a row at a time, then zlib level 6 by libdeflate (deflate.ts). Peak:
 * filtered rows (w*h*ch + h) in JS and in libdeflate's memory with the compressed output.
 */
import wasm from '../../kernels/png-filter.wasm';
import { concatBytes } from '../../pixels/bytes';
import { deflateZlib } from '../../kernels/deflate';
import type { Raster } from '../../pixels/raster';
import { align16 as align, ownKernel } from '../../kernels/kernel';
import { quantize } from '../quantize';

const load = ownKernel<{ filter_row(cur: number, prev: number, stride: number, ch: number, out: number): number }>('pngFilter', wasm);

export async function encodePng(r: Raster): Promise<Uint8Array> {
  const { width: w, height: h } = r;
  const ch = r.opaque ? 3 : 4;
  const stride = w * ch;
  const padded = align(stride);
  const filtered = new Uint8Array((stride + 1) * h);
  const k = load();
  // Two rows, each after 16 zero bytes (the filters read `ch` bytes before a row), and 5 candidates.
  const rowsAt = [align(k.heapBase) + 16, align(k.heapBase) + 16 + padded + 32];
  const outAt = rowsAt[1] + padded + 16;
  k.reserve(outAt + 5 * padded);
  new Uint8Array(k.memory.buffer, align(k.heapBase), outAt - align(k.heapBase)).fill(0);
  const mem = new Uint8Array(k.memory.buffer);
  const src = r.data;
  for (let y = 0; y < h; y++) {
    const curAt = rowsAt[y & 1],
      prevAt = rowsAt[(y + 1) & 1];
    // The row in output channel layout.
    if (ch === 4) mem.set(src.subarray(y * w * 4, (y + 1) * w * 4), curAt);
    else
      for (let x = 0, s = y * w * 4, d = curAt; x < w; x++, s += 4, d += 3) {
        mem[d] = src[s];
        mem[d + 1] = src[s + 1];
        mem[d + 2] = src[s + 2];
      }
    if (y === 0) mem.fill(0, prevAt, prevAt + padded);
    const type = k.filter_row(curAt, prevAt, stride, ch, outAt);
    const outRow = y * (stride + 1);
    filtered[outRow] = type;
    filtered.set(mem.subarray(outAt + type * padded, outAt + type * padded + stride), outRow + 1);
  }
  const idat = deflateZlib(filtered);
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, w);
  dv.setUint32(4, h);
  ihdr.set([8, ch === 4 ? 6 : 2, 0, 0, 0], 8);
  return concatBytes([
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', idat),
    chunk('IEND', new Uint8Array()),
  ]);
}

/**
 * fl_png8: an indexed PNG (colour type 3, 8-bit indices) of at most 256 colours from
 * codecs/quantize.ts, a tRNS entry for the transparent index; rows unfiltered (filter type 0, as
 * libpng recommends for palette images) and deflated.
 */
export function encodePng8(r: Raster): Uint8Array {
  const { width: w, height: h } = r;
  const q = quantize(r);
  const raw = new Uint8Array((w + 1) * h);
  for (let y = 0; y < h; y++) raw.set(q.indices.subarray(y * w, (y + 1) * w), y * (w + 1) + 1);
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, w);
  dv.setUint32(4, h);
  ihdr.set([8, 3, 0, 0, 0], 8);
  const parts = [new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('PLTE', q.palette)];
  if (q.transparent >= 0) {
    const trns = new Uint8Array(q.transparent + 1).fill(255);
    trns[q.transparent] = 0;
    parts.push(chunk('tRNS', trns));
  }
  parts.push(chunk('IDAT', deflateZlib(raw)), chunk('IEND', new Uint8Array()));
  return concatBytes(parts);
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const c = new Uint8Array(12 + data.length);
  const dv = new DataView(c.buffer);
  dv.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) c[4 + i] = type.charCodeAt(i);
  c.set(data, 8);
  dv.setUint32(8 + data.length, crc32(c.subarray(4, 8 + data.length)));
  return c;
}

let table: Uint32Array | null = null;
function crc32(b: Uint8Array): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = ~0;
  for (let i = 0; i < b.length; i++) c = table[(c ^ b[i]) & 255] ^ (c >>> 8);
  return ~c >>> 0;
}
