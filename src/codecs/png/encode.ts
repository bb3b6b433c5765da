/**
 * PNG encoder: 8-bit RGB when the raster is opaque, RGBA otherwise; per-row adaptive filter
 * (None/Sub/Up/Average/Paeth, minimum sum of absolute differences, as libpng) chosen by the SIMD
 * kernel wasm/png-filter.c a row at a time, then zlib level 6 by libdeflate (deflate.ts). Rows come
 * from a row stream (pixels/rows.ts) and are filtered straight into libdeflate's memory, so a
 * streamed chain never holds an RGBA raster; peak: the filtered rows (w*h*ch + h) and the zlib
 * output in libdeflate's memory, and the PNG file in JS.
 */
import wasm from '../../kernels/png-filter.wasm';
import { deflateZlib, deflateZlibFrom } from '../../kernels/deflate';
import { concatBytes } from '../../pixels/bytes';
import type { Raster } from '../../pixels/raster';
import { rasterRows, type Rows } from '../../pixels/rows';
import { align16 as align, ownKernel } from '../../kernels/kernel';
import { quantize } from '../quantize';

const load = ownKernel<{ filter_row(cur: number, prev: number, stride: number, ch: number, out: number): number }>('pngFilter', wasm);

export async function encodePng(r: Raster): Promise<Uint8Array> {
  return encodePngRows(rasterRows(r));
}

/** Encodes streamed rows as PNG (RGB when the source is opaque); closes the source. */
export function encodePngRows(src: Rows): Uint8Array {
  try {
    const { width: w, height: h } = src;
    const ch = src.opaque ? 3 : 4;
    const stride = w * ch;
    const padded = align(stride);
    const k = load();
    // Two rows, each after 16 zero bytes (the filters read `ch` bytes before a row), and 5 candidates.
    const rowsAt = [align(k.heapBase) + 16, align(k.heapBase) + 16 + padded + 32];
    const outAt = rowsAt[1] + padded + 16;
    k.reserve(outAt + 5 * padded);
    new Uint8Array(k.memory.buffer, align(k.heapBase), outAt - align(k.heapBase)).fill(0);
    const mem = new Uint8Array(k.memory.buffer);
    return deflateZlibFrom(
      (stride + 1) * h,
      (input) => {
        let band: Uint8Array = new Uint8Array(0);
        let bandRow = 0;
        for (let y = 0; y < h; y++) {
          if (bandRow * w * 4 >= band.length) {
            band = src.next();
            bandRow = 0;
          }
          const curAt = rowsAt[y & 1],
            prevAt = rowsAt[(y + 1) & 1];
          const row = band.subarray(bandRow * w * 4, (bandRow + 1) * w * 4);
          bandRow++;
          // The row in output channel layout.
          if (ch === 4) mem.set(row, curAt);
          else
            for (let x = 0, s = 0, d = curAt; x < w; x++, s += 4, d += 3) {
              mem[d] = row[s];
              mem[d + 1] = row[s + 1];
              mem[d + 2] = row[s + 2];
            }
          if (y === 0) mem.fill(0, prevAt, prevAt + padded);
          const type = k.filter_row(curAt, prevAt, stride, ch, outAt);
          const at = y * (stride + 1);
          const filtered = input();
          filtered[at] = type;
          filtered.set(mem.subarray(outAt + type * padded, outAt + type * padded + stride), at + 1);
        }
      },
      (idat) => pngFile(w, h, ch, idat),
    );
  } finally {
    src.close();
  }
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
const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Signature, IHDR, one IDAT and IEND, written once into the file's own array. */
function pngFile(w: number, h: number, ch: number, idat: Uint8Array): Uint8Array {
  const file = new Uint8Array(8 + 25 + 12 + idat.length + 12);
  file.set(SIGNATURE);
  let at = 8;
  const chunk = (type: string, length: number, write: (data: Uint8Array) => void) => {
    const dv = new DataView(file.buffer, at);
    dv.setUint32(0, length);
    for (let i = 0; i < 4; i++) file[at + 4 + i] = type.charCodeAt(i);
    write(file.subarray(at + 8, at + 8 + length));
    dv.setUint32(8 + length, crc32(file.subarray(at + 4, at + 8 + length)));
    at += 12 + length;
  };
  chunk('IHDR', 13, (d) => {
    const dv = new DataView(d.buffer, d.byteOffset);
    dv.setUint32(0, w);
    dv.setUint32(4, h);
    d.set([8, ch === 4 ? 6 : 2, 0, 0, 0], 8);
  });
  chunk('IDAT', idat.length, (d) => d.set(idat));
  chunk('IEND', 0, () => {});
  return file;
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
