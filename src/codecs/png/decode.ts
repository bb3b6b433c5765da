import wasm from '../../kernels/png-unfilter.wasm';
import { ImageError } from '../../pixels/errors';
import type { Raster } from '../../pixels/raster';
import { inflateZlib } from '../../kernels/deflate';
import { PNG_BAND_BYTES } from '../../plan/cost/png';
import { ownKernel } from '../../kernels/kernel';
import { u16be, u32be } from '../binary';

/**
 * PNG decoder: the image data (all IDAT chunks) is inflated by libdeflate (deflate.ts) into a
 * buffer of exactly the size the header implies, then streamed, a band of raw rows at a time, through the C
 * kernel wasm/png-unfilter.c, which reconstructs each row (filters None/Sub/Up/Average/Paeth) and
 * expands it to 8-bit RGBA (palette + tRNS, gray/RGB tRNS keys, 1/2/4-bit gray scaled, 16-bit
 * reduced to its high byte). Adam7 passes are decoded the same way and scattered into place.
 * The kernel's memory holds only a palette, two rows, a pending band of raw rows and a band of
 * RGBA, never the whole image; JS holds the RGBA result.
 */
const load = ownKernel<{
  rows(
    raw: number,
    n: number,
    width: number,
    ct: number,
    depth: number,
    prev: number,
    scratch: number,
    pal: number,
    key: number,
    k1: number,
    k2: number,
    out: number,
  ): number;
}>('pngUnfilter', wasm);

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

const corrupt = (detail: string) => new ImageError(`Invalid image file: corrupt PNG (${detail})`);

export async function decodePng(b: Uint8Array): Promise<Raster> {
  if (b.length < 33 || u32be(b, 8) !== 13) throw corrupt('no IHDR');
  const width = u32be(b, 16),
    height = u32be(b, 20),
    depth = b[24],
    ct = b[25],
    interlace = b[28];
  const channels = CHANNELS[ct];
  const depthOk = ct === 0 ? [1, 2, 4, 8, 16].includes(depth) : ct === 3 ? [1, 2, 4, 8].includes(depth) : depth === 8 || depth === 16;
  if (!channels || !depthOk || width === 0 || height === 0 || b[26] !== 0 || b[27] !== 0 || interlace > 1) throw corrupt('bad IHDR');

  // Chunks: gather PLTE, tRNS and the IDAT parts.
  let palette: Uint8Array | null = null,
    trns: Uint8Array | null = null;
  const parts: Uint8Array[] = [];
  for (let pos = 33; pos + 8 <= b.length; ) {
    const len = u32be(b, pos);
    const type = String.fromCharCode(b[pos + 4], b[pos + 5], b[pos + 6], b[pos + 7]);
    if (type === 'IEND') break;
    if (pos + 12 + len > b.length) throw corrupt('truncated data');
    const data = b.subarray(pos + 8, pos + 8 + len);
    if (type === 'IDAT') {
      parts.push(data);
    } else if (type === 'PLTE') palette = data;
    else if (type === 'tRNS') trns = data;
    pos += 12 + len;
  }
  if (parts.length === 0) throw corrupt('no image data');
  if (ct === 3 && (!palette || palette.length % 3 !== 0)) throw corrupt('missing palette');
  // Passes (one, or Adam7's seven minus the empty ones) and the exact inflated size.
  const rowBytes = (w: number) => Math.ceil((w * channels * depth) / 8);
  const passes = (interlace ? ADAM7 : [[0, 0, 1, 1] as const])
    .map(([x0, y0, dx, dy]) => ({ x0, y0, dx, dy, w: Math.ceil((width - x0) / dx), h: Math.ceil((height - y0) / dy) }))
    .filter((p) => p.w > 0 && p.h > 0)
    .map((p) => ({ ...p, stride: 1 + rowBytes(p.w) }));
  let expected = 0;
  for (const p of passes) expected += p.h * p.stride;

  let key = -1,
    k1 = -1,
    k2 = -1;
  if (trns && ct === 0 && trns.length >= 2) key = u16be(trns, 0);
  if (trns && ct === 2 && trns.length >= 6) [key, k1, k2] = [u16be(trns, 0), u16be(trns, 2), u16be(trns, 4)];

  const k = load();
  const maxStride = passes.reduce((m, p) => Math.max(m, p.stride), 0);
  const pendCap = Math.max(PNG_BAND_BYTES, maxStride);
  const outCap = Math.max(PNG_BAND_BYTES, width * 4);
  // 16 bytes of slack: kernel stores may run 8 bytes past a buffer. Concurrent decodes (requests
  // interleaved at an await) each get their own region.
  const region = k.region([1024, maxStride, maxStride, pendCap, outCap], 16);
  const [palAt, prevAt, scratchAt, pendAt, outAt] = region.at;
  try {
    if (ct === 3) {
      const pal = new Uint8Array(k.memory.buffer, palAt, 1024);
      for (let i = 0; i < 256; i++) {
        const j = i * 3;
        const known = j < palette!.length;
        pal[i * 4] = known ? palette![j] : 0;
        pal[i * 4 + 1] = known ? palette![j + 1] : 0;
        pal[i * 4 + 2] = known ? palette![j + 2] : 0;
        pal[i * 4 + 3] = trns && i < trns.length ? trns[i] : 255;
      }
    }
    const out = new Uint8Array(width * height * 4);
    const out32 = interlace ? new Uint32Array(out.buffer) : null;
    let pi = 0,
      row = 0; // current pass, rows of it done
    let rd = 0,
      wr = 0; // pending raw bytes [rd, wr) at pendAt
    let alpha = 255;
    new Uint8Array(k.memory.buffer, prevAt, maxStride).fill(0);

    const drain = () => {
      while (pi < passes.length) {
        const ps = passes[pi];
        const avail = Math.floor((wr - rd) / ps.stride);
        if (avail === 0) return;
        const n = Math.min(avail, ps.h - row, Math.max(1, Math.floor(outCap / (ps.w * 4))));
        const r = k.rows(pendAt + rd, n, ps.w, ct, depth, prevAt, scratchAt, palAt, key, k1, k2, outAt);
        if (r < 0) throw corrupt('bad filter type');
        alpha &= r;
        const buf = k.memory.buffer;
        if (!out32) out.set(new Uint8Array(buf, outAt, n * width * 4), row * width * 4);
        else {
          const band = new Uint32Array(buf, outAt, n * ps.w);
          for (let i = 0; i < n; i++) {
            const base = (ps.y0 + (row + i) * ps.dy) * width + ps.x0;
            for (let x = 0, s = i * ps.w; x < ps.w; x++) out32[base + x * ps.dx] = band[s + x];
          }
        }
        rd += n * ps.stride;
        row += n;
        if (row === ps.h) {
          pi++;
          row = 0;
          new Uint8Array(buf, prevAt, maxStride).fill(0);
        }
      }
    };

    // The raw rows, inflated in one go (deflate.ts), go through the kernel a band at a time.
    inflateZlib(parts, expected, (raw) => {
      for (let off = 0; off < raw.length; ) {
        if (wr === pendCap) {
          drain();
          // Less than one row is left: move it to the front.
          new Uint8Array(k.memory.buffer).copyWithin(pendAt, pendAt + rd, pendAt + wr);
          wr -= rd;
          rd = 0;
        }
        const n = Math.min(raw.length - off, pendCap - wr);
        new Uint8Array(k.memory.buffer, pendAt + wr, n).set(raw.subarray(off, off + n));
        wr += n;
        off += n;
      }
    });
    drain();
    if (pi < passes.length) throw corrupt('truncated image data');
    return { width, height, data: out, opaque: alpha === 255 };
  } finally {
    region.release();
  }
}
