/**
 * PNG encoder in TypeScript over the runtime's zlib (CompressionStream('deflate') produces the
 * zlib stream PNG's IDAT needs): 8-bit RGB when the raster is opaque, RGBA otherwise; per-row
 * adaptive filter (None/Sub/Up/Average/Paeth, minimum sum of absolute differences, as libpng).
 * No wasm, so no wasm memory: peak = filtered rows (w*h*ch + h) + compressed output.
 */
import type { Raster } from './raster';

export async function encodePng(r: Raster): Promise<Uint8Array> {
  const { width: w, height: h } = r;
  const ch = r.opaque ? 3 : 4;
  const stride = w * ch;
  const filtered = new Uint8Array((stride + 1) * h);
  let prev = new Uint8Array(stride);
  let cur = new Uint8Array(stride);
  const cand = new Uint8Array(stride);
  const src = r.data;
  for (let y = 0; y < h; y++) {
    // Row in output channel layout.
    if (ch === 4) cur.set(src.subarray(y * w * 4, (y + 1) * w * 4));
    else for (let x = 0, s = y * w * 4, d = 0; x < w; x++, s += 4, d += 3) {
      cur[d] = src[s];
      cur[d + 1] = src[s + 1];
      cur[d + 2] = src[s + 2];
    }
    const outRow = y * (stride + 1);
    let bestType = 0;
    let best = Infinity;
    for (let type = 0; type < 5; type++) {
      let sum = 0;
      for (let i = 0; i < stride; i++) {
        const a = i >= ch ? cur[i - ch] : 0;
        const b = prev[i];
        const c = i >= ch ? prev[i - ch] : 0;
        let pred = 0;
        if (type === 1) pred = a;
        else if (type === 2) pred = b;
        else if (type === 3) pred = (a + b) >> 1;
        else if (type === 4) {
          const p = a + b - c;
          const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
          pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        }
        const v = (cur[i] - pred) & 255;
        cand[i] = v;
        sum += v < 128 ? v : 256 - v;
        if (sum >= best) break;
      }
      if (sum < best) {
        best = sum;
        bestType = type;
        filtered[outRow] = type;
        filtered.set(cand, outRow + 1);
      }
    }
    void bestType;
    const t = prev;
    prev = cur;
    cur = t;
  }
  const idat = await deflate(filtered);
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, w);
  dv.setUint32(4, h);
  ihdr.set([8, ch === 4 ? 6 : 2, 0, 0, 0], 8);
  const parts = [new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', new Uint8Array())];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

async function deflate(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data]).stream().pipeThrough(new CompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
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
