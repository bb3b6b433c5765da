import { describe, expect, it } from 'vitest';
import { decode } from '../../src/codecs/decode';
import { decodeJpeg } from '../../src/codecs/jpeg/decode';
import { ImageError } from '../../src/pixels/errors';
import { readHeader } from '../../src/codecs/header';
import { orient } from '../../src/ops/orient';
import { gif } from '../reliability/gen/images';
import { fixture, load, psnr } from '../pixels/util';

describe('decode', () => {
  it.each([1, 2, 4, 8] as const)('JPEG 200x303 at shrink %i has ceil sizes', async (s) => {
    const r = await load('small.jpg', s);
    expect([r.width, r.height]).toEqual([Math.ceil(200 / s), Math.ceil(303 / s)]);
    expect(r.opaque).toBe(true);
    expect(r.data.length).toBe(r.width * r.height * 4);
  });

  it('JPEG 640x427 at shrink 8, grayscale JPEG and 4:4:4', async () => {
    expect([(await load('medium.jpg', 8)).width, (await load('medium.jpg', 8)).height]).toEqual([80, 54]);
    const g = await load('gray.jpg');
    expect(g.data[0]).toBe(g.data[1]);
    expect(g.data[3]).toBe(255);
    expect((await load('medium-444.jpg', 2)).width).toBe(300);
  });

  it("JPEG decodes exactly as libjpeg-turbo's native build (sharp) does: q100, optimised tables, progressive 4:4:4", async () => {
    for (const name of ['huffman-q100', 'huffman-mozjpeg', 'huffman-444-progressive']) {
      expect(psnr(await load(`${name}.jpg`), await load(`${name}-ref.png`)), name).toBe(Infinity);
    }
  });

  it('JPEG decode matches the image (sanity vs the PNG it came from)', async () => {
    const jpg = await load('medium-444.jpg');
    const png = await load('palette.png'); // same source, 64 colours
    expect(psnr(jpg, png)).toBeGreaterThan(20);
  });

  it('EXIF orientation 6 and 3 after orient match sharp auto-orient', async () => {
    for (const o of [6, 3]) {
      const bytes = await fixture(`orient${o}.jpg`);
      const h = readHeader(bytes);
      const r = orient(await decode(bytes, h, 1), h.orientation);
      expect(psnr(r, await load(`orient${o}-ref.png`))).toBeGreaterThan(30);
    }
  });

  it('PNG kinds decode to 8-bit RGBA with correct opacity', async () => {
    const rgb = await load('rgb.png');
    expect([rgb.width, rgb.height, rgb.opaque]).toEqual([512, 512, true]);
    const a = await load('alpha.png');
    expect(a.opaque).toBe(false);
    expect(a.data[3]).toBe(0); // corner is transparent
    expect(a.data[(128 * 256 + 128) * 4 + 3]).toBe(255);
    const p16 = await load('rgb16.png');
    expect([p16.width, p16.height, p16.data.length]).toEqual([451, 300, 451 * 300 * 4]);
    expect(psnr(p16, await load('lossy.webp'))).toBeGreaterThan(28); // both from chelsea
    expect((await load('palette-alpha.png')).opaque).toBe(false);
    const g = await load('gray.png');
    expect(g.data[0]).toBe(g.data[2]);
  });

  it('WebP lossy, lossless, alpha and the first frame of an animation', async () => {
    const l = await load('lossy.webp');
    expect([l.width, l.height, l.opaque]).toEqual([451, 300, true]);
    expect((await load('lossless.webp')).width).toBe(200);
    expect((await load('alpha.webp')).opaque).toBe(false);
    const anim = await load('anim.webp');
    expect([anim.width, anim.height]).toEqual([48, 32]);
    expect(anim.data[0]).toBeGreaterThan(200); // first frame is red
    expect(anim.data[1]).toBeLessThan(60);
  });

  it('a GIF frame is decoded only where it lands on the screen; one far larger than its screen is refused', async () => {
    // 40 bytes: a 1x1 screen and a frame that claims 65535x65535 (one pixel of data): one row decoded.
    const bomb = gif(1, 1, [{ x: 0, y: 0, w: 65535, h: 65535 }]);
    const r = await decode(bomb, readHeader(bomb));
    expect([r.width, r.height, r.data.length]).toEqual([1, 1, 4]);
    // 65535 x 48 rows to decode for 64x48 shown pixels: refused from the header, before any decode.
    expect(() => readHeader(gif(64, 48, [{ x: 0, y: 0, w: 65535, h: 40000 }]))).toThrow(/GIF frame 65535x40000 at 0,0 is far larger than its 64x48 screen/);
    // A frame wholly off the screen shows nothing.
    const off = gif(16, 16, [{ x: 20, y: 0, w: 8, h: 8 }]);
    const o = await decode(off, readHeader(off));
    expect([o.width, o.height, o.opaque, Math.max(...o.data)]).toEqual([16, 16, false, 0]);
  });

  it('GIF first frame, transparency and animation', async () => {
    const g = await load('still.gif');
    expect(psnr(g, await load('still-ref.png'))).toBe(Infinity);
    const a = await load('alpha.gif');
    expect(a.opaque).toBe(false);
    expect(a.data[3]).toBe(0);
    const anim = await load('anim.gif');
    expect([anim.width, anim.height]).toEqual([48, 32]);
    expect(anim.data.subarray(0, 4)).toEqual(new Uint8Array([255, 0, 0, 255]));
  });

  it('AVIF (another encoder: sharp/libheif) decodes like sharp decodes it; alpha; the 2 MP one', async () => {
    const p = await load('photo.avif');
    expect([p.width, p.height, p.opaque]).toEqual([600, 400, true]);
    const ref = await load('photo-ref.png');
    console.log(`AVIF decode vs sharp's: ${psnr(p, ref).toFixed(2)} dB`);
    expect(psnr(p, ref)).toBeGreaterThan(35);
    const a = await load('alpha.avif');
    expect(a.opaque).toBe(false);
    expect((await load('2mp.avif')).width).toBe(1600);
  });

  it('corrupt data gives ImageError and the JPEG decoder recovers', async () => {
    const good = await fixture('small.jpg');
    const h = readHeader(good);
    const broken = good.slice();
    for (let i = 700; i < broken.length - 2; i += 97) broken[i] = 0xff; // bogus markers in the scan
    await expect(decode(broken, h, 1)).rejects.toBeInstanceOf(ImageError);
    await expect(decode(good.subarray(0, good.length >> 1), h, 1)).rejects.toBeInstanceOf(ImageError);
    expect(() => decodeJpeg(good.subarray(0, 400), 1)).toThrow(ImageError);
    expect((await decode(good, h, 2)).width).toBe(100); // fresh instance after the longjmp
    for (const name of ['rgb.png', 'lossy.webp', 'still.gif', 'photo.avif']) {
      const b = await fixture(name);
      const hh = readHeader(b);
      const c = b.slice(0, Math.floor(b.length * 0.6));
      for (let i = 200; i < c.length; i += 53) c[i] ^= 0x5a;
      await expect(decode(c, hh, 1)).rejects.toBeInstanceOf(ImageError);
    }
    expect((await load('rgb.png')).width).toBe(512); // PNG codec still works
    expect((await load('photo.avif')).width).toBe(600); // and the AVIF one
  });
});
