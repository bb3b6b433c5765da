import { describe, expect, it } from 'vitest';
import { decode } from '../../src/codecs/decode';
import { encodePng } from '../../src/codecs/png/encode';
import { readHeader } from '../../src/codecs/header';
import { load } from '../pixels/util';

/** libpng's adaptive filter choice in plain TypeScript: the kernel must choose the same. */
function referenceFilters(r: { width: number; height: number; data: Uint8Array; opaque: boolean }): Uint8Array {
  const ch = r.opaque ? 3 : 4,
    w = r.width,
    stride = w * ch;
  const out = new Uint8Array((stride + 1) * r.height);
  let prev = new Uint8Array(stride);
  for (let y = 0; y < r.height; y++) {
    const cur = new Uint8Array(stride);
    for (let x = 0; x < w; x++) for (let c = 0; c < ch; c++) cur[x * ch + c] = r.data[(y * w + x) * 4 + c];
    let best = Infinity;
    for (let type = 0; type < 5; type++) {
      const cand = new Uint8Array(stride);
      let sum = 0;
      for (let i = 0; i < stride; i++) {
        const a = i >= ch ? cur[i - ch] : 0,
          b = prev[i],
          c = i >= ch ? prev[i - ch] : 0;
        let pred = 0;
        if (type === 1) pred = a;
        else if (type === 2) pred = b;
        else if (type === 3) pred = (a + b) >> 1;
        else if (type === 4) {
          const p = a + b - c,
            pa = Math.abs(p - a),
            pb = Math.abs(p - b),
            pc = Math.abs(p - c);
          pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        }
        const v = (cur[i] - pred) & 255;
        cand[i] = v;
        sum += v < 128 ? v : 256 - v;
      }
      if (sum < best) {
        best = sum;
        out[y * (stride + 1)] = type;
        out.set(cand, y * (stride + 1) + 1);
      }
    }
    prev = cur;
  }
  return out;
}

async function inflate(b: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await new Response(new Blob([b]).stream().pipeThrough(new DecompressionStream('deflate'))).arrayBuffer());
}

/** The IDAT data of a PNG we wrote (one IDAT chunk). */
function idat(png: Uint8Array): Uint8Array {
  const dv = new DataView(png.buffer, png.byteOffset);
  for (let p = 8; p < png.length; ) {
    const len = dv.getUint32(p);
    if (String.fromCharCode(...png.subarray(p + 4, p + 8)) === 'IDAT') return png.subarray(p + 8, p + 8 + len);
    p += 12 + len;
  }
  throw new Error('no IDAT');
}

describe('PNG encoder filters (SIMD kernel)', () => {
  it('choose and compute the same filtered rows as libpng-style adaptive filtering, RGB and RGBA, odd widths', async () => {
    const astro = await load('rgb.png');
    const alpha = await load('alpha.png');
    for (const src of [astro, alpha]) {
      for (const [w, h] of [
        [src.width, 64],
        [17, 5],
        [1, 3],
        [5, 1],
      ]) {
        const data = new Uint8Array(w * h * 4);
        for (let y = 0; y < h; y++) data.set(src.data.subarray(y * src.width * 4, y * src.width * 4 + w * 4), y * w * 4);
        const r = { width: w, height: h, data, opaque: src.opaque };
        const png = await encodePng(r);
        expect(Buffer.from(await inflate(idat(png))).equals(Buffer.from(referenceFilters(r)))).toBe(true);
        const back = await decode(png, readHeader(png));
        expect(Buffer.from(back.data).equals(Buffer.from(r.opaque ? data.map((v, i) => (i % 4 === 3 ? 255 : v)) : data))).toBe(true);
      }
    }
  });
});
