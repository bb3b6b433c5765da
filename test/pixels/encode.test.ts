import { describe, expect, it } from 'vitest';
import { decode } from '../../src/pixels/decode';
import { encode } from '../../src/pixels/encode';
import { readHeader } from '../../src/pixels/header';
import { load, psnr } from './util';

async function roundTrip(bytes: Uint8Array) {
  const h = readHeader(bytes);
  return { h, r: await decode(bytes, h, 1) };
}

describe('encode', () => {
  it('JPEG q80 baseline 4:2:0 and progressive decode back > 30 dB', async () => {
    const src = await load('rgb.png');
    const base = await encode(src, 'jpg', { quality: 80 });
    const { h, r } = await roundTrip(base);
    expect(h).toMatchObject({ format: 'jpg', width: 512, height: 512, progressive: false, sampling: '4:2:0' });
    expect(psnr(r, src)).toBeGreaterThan(30);
    const prog = await encode(src, 'jpg', { quality: 80, progressive: true });
    expect(readHeader(prog).progressive).toBe(true);
    expect((await encode(src, 'jpg', { quality: 30 })).length).toBeLessThan(base.length);
  });

  it('JPEG of a raster with alpha is flattened over white', async () => {
    const a = await load('alpha.png');
    const { r } = await roundTrip(await encode(a, 'jpg', { quality: 90 }));
    expect(r.data[0]).toBeGreaterThan(240); // transparent corner -> white
  });

  it('PNG is lossless, with alpha', async () => {
    for (const name of ['rgb.png', 'alpha.png']) {
      const src = await load(name);
      const { h, r } = await roundTrip(await encode(src, 'png', { quality: 0 }));
      expect([h.width, h.height]).toEqual([src.width, src.height]);
      expect(psnr(r, src, 4)).toBe(Infinity);
      expect(r.opaque).toBe(src.opaque);
    }
  });

  it('WebP q75 lossy decodes back > 28 dB and keeps alpha', async () => {
    const src = await load('rgb.png');
    const out = await encode(src, 'webp', { quality: 75 });
    const { h, r } = await roundTrip(out);
    expect(h).toMatchObject({ format: 'webp', width: 512, height: 512, hasAlpha: false });
    expect(psnr(r, src)).toBeGreaterThan(28);
    const a = await load('alpha.png');
    const ra = await roundTrip(await encode(a, 'webp', { quality: 75 }));
    expect(ra.h.hasAlpha).toBe(true);
    expect(ra.r.data[3]).toBe(0);
  });
});
