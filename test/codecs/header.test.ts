import { describe, expect, it } from 'vitest';
import { ImageError } from '../../src/pixels/errors';
import { readHeader } from '../../src/codecs/header';
import { fixture } from '../pixels/util';

const cases: [string, Partial<ReturnType<typeof readHeader>>][] = [
  ['small.jpg', { format: 'jpg', width: 200, height: 303, progressive: false, components: 3, sampling: '4:2:0', orientation: 1 }],
  ['medium-444.jpg', { format: 'jpg', width: 600, height: 400, sampling: '4:4:4' }],
  ['gray.jpg', { format: 'jpg', width: 160, height: 120, components: 1, sampling: 'gray' }],
  ['12mp.jpg', { format: 'jpg', width: 4000, height: 3000, progressive: false }],
  ['24mp-progressive.jpg', { format: 'jpg', width: 6000, height: 4000, progressive: true }],
  ['orient6.jpg', { format: 'jpg', width: 80, height: 120, orientation: 6 }],
  ['orient3.jpg', { format: 'jpg', width: 120, height: 80, orientation: 3 }],
  ['rgb.png', { format: 'png', width: 512, height: 512, hasAlpha: false, animated: false }],
  ['alpha.png', { format: 'png', width: 256, height: 256, hasAlpha: true }],
  ['rgb16.png', { format: 'png', hasAlpha: false, bitDepth: 16 }],
  ['palette.png', { format: 'png', hasAlpha: false, components: 3 }],
  ['palette-alpha.png', { format: 'png', hasAlpha: true }],
  ['gray.png', { format: 'png', width: 512, height: 512, components: 1 }],
  ['apng.png', { format: 'png', width: 4, height: 4, animated: true }],
  ['lossy.webp', { format: 'webp', width: 451, height: 300, hasAlpha: false, animated: false }],
  ['lossless.webp', { format: 'webp', width: 200, height: 133, animated: false }],
  ['alpha.webp', { format: 'webp', width: 256, height: 256, hasAlpha: true }],
  ['anim.webp', { format: 'webp', width: 48, height: 32, animated: true }],
  ['still.gif', { format: 'gif', width: 150, height: 100, animated: false, hasAlpha: false }],
  ['alpha.gif', { format: 'gif', width: 64, height: 64, hasAlpha: true }],
  ['anim.gif', { format: 'gif', width: 48, height: 32, animated: true }],
  ['photo.avif', { format: 'avif', width: 600, height: 400, hasAlpha: false, animated: false }],
  ['alpha.avif', { format: 'avif', width: 256, height: 256, hasAlpha: true }],
  ['2mp.avif', { format: 'avif', width: 1600, height: 1200, hasAlpha: false }],
  ['cmyk-icc.jpg', { format: 'jpg', width: 300, height: 200, components: 4 }],
  ['bmp-24.bmp', { format: 'bmp', width: 120, height: 80, hasAlpha: false }],
  ['bmp-rle4.bmp', { format: 'bmp', width: 120, height: 80, bitDepth: 4 }],
  ['bmp-32-alpha.bmp', { format: 'bmp', hasAlpha: true }],
  ['tiff-tiled.tiff', { format: 'tiff', width: 120, height: 80, hasAlpha: false }],
  ['tiff-rgba.tiff', { format: 'tiff', hasAlpha: true, components: 4 }],
];

function onlyImageError(bytes: Uint8Array): void {
  try {
    readHeader(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(ImageError);
  }
}

describe('readHeader', () => {
  it.each(cases)('%s', async (name, expected) => {
    expect(readHeader(await fixture(name))).toMatchObject(expected);
  });

  it('reads little- and big-endian EXIF orientation', () => {
    for (const le of [true, false]) {
      const tiff = le
        ? [0x49, 0x49, 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0]
        : [0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 8, 0, 0, 0, 0, 0, 0];
      const app1 = [0xff, 0xe1, 0, 2 + 6 + tiff.length, 0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff];
      const sof = [0xff, 0xc0, 0, 17, 8, 0, 10, 0, 20, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
      const h = readHeader(new Uint8Array([0xff, 0xd8, ...app1, ...sof, 0xff, 0xda]));
      expect(h).toMatchObject({ width: 20, height: 10, orientation: 8, sampling: '4:2:0' });
    }
  });

  // CMYK (4 components) was rejected here until it was decoded (test/codecs/cmyk.test.ts).
  it('reads CMYK frame headers, rejects lossless and 2-component JPEG', () => {
    const sof = (m: number, n: number) => new Uint8Array([0xff, 0xd8, 0xff, m, 0, 8 + 3 * n, 8, 0, 10, 0, 20, n, ...Array(3 * n).fill(0x11)]);
    expect(readHeader(sof(0xc0, 4))).toMatchObject({ format: 'jpg', width: 20, height: 10, components: 4 });
    expect(() => readHeader(sof(0xc0, 2))).toThrow(/2 components/);
    expect(() => readHeader(sof(0xc3, 3))).toThrow(ImageError);
  });

  it('truncated fixtures at every tenth of their header give only ImageError', async () => {
    for (const [name] of cases) {
      const b = await fixture(name);
      const headerLen = Math.min(b.length, 2048);
      for (let t = 0; t < 10; t++) onlyImageError(b.subarray(0, Math.floor((headerLen * t) / 10)));
    }
  });

  it('random bytes and random corruptions give only ImageError', async () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) & 255;
    for (let i = 0; i < 300; i++) onlyImageError(new Uint8Array(1 + (i % 64) * 7).map(rnd));
    for (const [name] of cases) {
      const b = (await fixture(name)).slice(0, 4096);
      for (let i = 0; i < 40; i++) {
        const c = b.slice();
        for (let k = 0; k < 4; k++) c[4 + ((rnd() * 256 + rnd()) % Math.max(1, Math.min(c.length - 4, 600)))] = rnd();
        onlyImageError(c);
      }
    }
  });

  it('rejects zero and huge dimensions', () => {
    const jpeg = (w: number, h: number) =>
      new Uint8Array([0xff, 0xd8, 0xff, 0xc0, 0, 17, 8, h >> 8, h & 255, w >> 8, w & 255, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
    expect(() => readHeader(jpeg(0, 10))).toThrow(/zero/);
    expect(() => readHeader(jpeg(65535, 65535))).toThrow(/too large/);
    const gif = new Uint8Array([...'GIF89a'].map((c) => c.charCodeAt(0)).concat([0, 0, 10, 0, 0, 0, 0, 0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 1, 0, 0, 0x3b]));
    expect(() => readHeader(gif)).toThrow(ImageError);
    const vp8x = new Uint8Array(30);
    vp8x.set([...'RIFF'].map((c) => c.charCodeAt(0)));
    vp8x.set(
      [...'WEBPVP8X'].map((c) => c.charCodeAt(0)),
      8,
    );
    vp8x.set([10, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 16);
    const err = (() => {
      try {
        readHeader(vp8x);
      } catch (e) {
        return e as ImageError;
      }
    })();
    expect(err).toBeInstanceOf(ImageError);
    expect(err!.status).toBe(413);
  });

  it('rejects an APP segment whose length points past the end', () => {
    expect(() => readHeader(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0xff, 0xf0, 1, 2, 3]))).toThrow(/truncated/);
    expect(() => readHeader(new Uint8Array([0xff, 0xd8, 0xff, 0xe1, 0, 1]))).toThrow(ImageError);
  });

  it('HEIF (HEVC) is refused as unsupported (415), an AVIF without its boxes as invalid', () => {
    const ftyp = (brands: string) => new Uint8Array([0, 0, 0, 8 + brands.length, ...new TextEncoder().encode(`ftyp${brands}`)]);
    expect(() => readHeader(ftyp('heic\0\0\0\0mif1heic'))).toThrow(
      expect.objectContaining({ status: 415, message: expect.stringMatching(/HEIF originals \(heic\) are not supported/) }),
    );
    expect(() => readHeader(ftyp('avif\0\0\0\0avifmif1'))).toThrow(
      expect.objectContaining({ status: 400, message: expect.stringMatching(/AVIF without meta box/) }),
    );
  });

  it('rejects non-images', () => {
    // SVG answered 'Invalid image file', then a 415 naming it; since issue #13 it is read (test/routes/svg.test.ts).
    expect(readHeader(new TextEncoder().encode('<svg></svg>'))).toMatchObject({ format: 'svg', width: 100, height: 100 });
    expect(() => readHeader(new TextEncoder().encode('<html></html>'))).toThrow('Invalid image file');
    expect(() => readHeader(new Uint8Array())).toThrow(ImageError);
  });
});
