// The own PNG decoder (decode-png.ts + wasm/png-unfilter.c) against sharp's decode of the same
// files (scripts/fixtures.mjs writes each kind by hand, every filter type on every pass, and
// sharp's output as <name>.rgba), and its failures on broken input.
import { describe, expect, it } from 'vitest';
import { concatBytes } from '../../src/pixels/bytes';
import { decode } from '../../src/codecs/decode';
import { decodePng } from '../../src/codecs/png/decode';
import { ImageError } from '../../src/pixels/errors';
import { readHeader } from '../../src/codecs/header';
import { fixture } from '../pixels/util';

const kinds: string[] = [];
for (const adam7 of ['', '-adam7'])
  for (const [ct, depths] of [
    [0, [1, 2, 4, 8, 16]],
    [2, [8, 16]],
    [3, [1, 2, 4, 8]],
    [4, [8, 16]],
    [6, [8, 16]],
  ] as const)
    for (const depth of depths) for (const trns of ct === 4 || ct === 6 ? [''] : ['', '-trns']) kinds.push(`kind-c${ct}-d${depth}${trns}${adam7}.png`);

/** First differing pixel, for a readable failure. */
function firstDiff(a: Uint8Array, b: Uint8Array, width: number): string | null {
  if (a.length !== b.length) return `length ${a.length} vs ${b.length}`;
  for (let i = 0; i < a.length; i++)
    if (a[i] !== b[i]) {
      const p = i >> 2;
      return `pixel (${p % width}, ${Math.floor(p / width)}): ${a.subarray(p * 4, p * 4 + 4).join(',')} vs sharp ${b.subarray(p * 4, p * 4 + 4).join(',')}`;
    }
  return null;
}

describe('PNG decoder', () => {
  it.each([...kinds, 'alpha-interlaced.png', 'rgb16.png', 'palette-alpha.png', 'alpha.png'])('%s matches sharp pixel for pixel', async (name) => {
    const bytes = await fixture(name);
    const h = readHeader(bytes);
    const r = await decode(bytes, h);
    const ref = await fixture(`${name}.rgba`);
    expect([r.width, r.height]).toEqual([h.width, h.height]);
    expect(firstDiff(r.data, ref, r.width)).toBeNull();
    let opaque = true;
    for (let i = 3; i < ref.length; i += 4) if (ref[i] !== 255) opaque = false;
    expect(r.opaque).toBe(opaque);
  });

  it('transparent tRNS keys and palette entries really occur in the fixtures', async () => {
    for (const name of ['kind-c0-d1-trns.png', 'kind-c0-d16-trns.png', 'kind-c2-d8-trns.png', 'kind-c2-d16-trns.png', 'kind-c3-d4-trns.png'])
      expect((await decode(await fixture(name), readHeader(await fixture(name)))).opaque, name).toBe(false);
  });

  const fail = async (bytes: Uint8Array, message: RegExp) => {
    const err = await decodePng(bytes).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ImageError);
    expect((err as ImageError).status).toBe(400);
    expect((err as Error).message).toMatch(message);
  };

  /** Chunk offsets of a PNG by type. */
  const chunks = (b: Uint8Array) => {
    const out: { type: string; at: number; len: number }[] = [];
    for (let pos = 8; pos + 8 <= b.length; ) {
      const len = new DataView(b.buffer, b.byteOffset).getUint32(pos);
      out.push({ type: String.fromCharCode(...b.subarray(pos + 4, pos + 8)), at: pos, len });
      pos += 12 + len;
    }
    return out;
  };

  it('truncated files, truncated image data, corrupt zlib and bad filter types are 400s', async () => {
    const good = await fixture('rgb.png');
    for (const f of [0.3, 0.6, 0.9, 0.999]) await fail(good.subarray(0, Math.floor(good.length * f)), /corrupt PNG \((truncated|inflate)/);
    // A whole, valid zlib stream that holds too few rows.
    const kind = await fixture('kind-c6-d8.png');
    const cs = chunks(kind);
    await fail(kind.subarray(0, cs.find((c) => c.type === 'IDAT')!.at), /no image data/);
    // zlib stream with its bytes scrambled.
    const scrambled = good.slice();
    const idat = chunks(scrambled).find((c) => c.type === 'IDAT')!;
    for (let i = idat.at + 10; i < idat.at + 8 + idat.len; i += 7) scrambled[i] ^= 0x55;
    await fail(scrambled, /corrupt PNG \((inflate failed|bad filter type|truncated image data)\)/);
  });

  it('a bad filter type is a 400', async () => {
    // An uncompressed (stored) zlib stream for a 2x2 gray image whose second row has filter 7.
    const raw = new Uint8Array([0, 1, 2, 7, 3, 4]);
    await fail(pngOf(2, 2, 0, 8, stored(raw)), /bad filter type/);
  });

  it('inflates no more than the image needs: image data longer than the image, and a bomb, are 400s', async () => {
    const raw = new Uint8Array([0, 10, 20, 1, 5, 5, 99, 99, 99]); // 2 rows, then junk
    await fail(pngOf(2, 2, 0, 8, stored(raw)), /more image data than the image/);
    // 1x1 image, a zlib stream inflating to 64 MiB of zeros: stops at the image's 2 bytes.
    const bomb = new Uint8Array(await new Response(new Blob([new Uint8Array(64 << 20)]).stream().pipeThrough(new CompressionStream('deflate'))).arrayBuffer());
    const t = performance.now();
    await fail(pngOf(1, 1, 0, 8, bomb), /more image data than the image/);
    console.log(`64 MiB bomb in ${bomb.length} B for a 1x1 image: refused in ${(performance.now() - t).toFixed(1)} ms`);
  });

  it('an IHDR with a bit depth its colour type cannot have is a 400', async () => {
    const raw = new Uint8Array([0, 1, 2, 3, 4, 5, 6, 0, 1, 2, 3, 4, 5, 6]);
    await fail(pngOf(2, 2, 2, 4, stored(raw)), /bad IHDR/);
    await fail(pngOf(2, 2, 0, 3, stored(raw)), /bad IHDR/);
  });

  it('errors leave the decoder usable', async () => {
    expect((await decodePng(await fixture('kind-c2-d8.png'))).width).toBe(67);
  });
});

/** A zlib stream of one stored (uncompressed) block. */
function stored(raw: Uint8Array): Uint8Array {
  let a = 1,
    b = 0;
  for (const v of raw) {
    a = (a + v) % 65521;
    b = (b + a) % 65521;
  }
  const adler = ((b << 16) | a) >>> 0;
  return new Uint8Array([0x78, 0x01, 1, raw.length, 0, ~raw.length & 255, 0xff, ...raw, adler >>> 24, (adler >>> 16) & 255, (adler >>> 8) & 255, adler & 255]);
}

/** A PNG around a given zlib stream (no CRCs checked by the decoder: zeros). */
function pngOf(width: number, height: number, ct: number, depth: number, zlib: Uint8Array): Uint8Array {
  const chunk = (type: string, data: Uint8Array) => {
    const c = new Uint8Array(12 + data.length);
    new DataView(c.buffer).setUint32(0, data.length);
    for (let i = 0; i < 4; i++) c[4 + i] = type.charCodeAt(i);
    c.set(data, 8);
    return c;
  };
  const ihdr = new Uint8Array(13);
  new DataView(ihdr.buffer).setUint32(0, width);
  new DataView(ihdr.buffer).setUint32(4, height);
  ihdr.set([depth, ct, 0, 0, 0], 8);
  return concatBytes([
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib),
    chunk('IEND', new Uint8Array(0)),
  ]);
}
