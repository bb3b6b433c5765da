import { describe, expect, it } from 'vitest';
import { decode } from '../../src/codecs/decode';
import { readHeader } from '../../src/codecs/header';
import { ImageError } from '../../src/pixels/errors';
import { fixture, load, psnr } from '../pixels/util';

const BMPS = ['bmp-24', 'bmp-24-topdown', 'bmp-32-alpha', 'bmp-16', 'bmp-8', 'bmp-4', 'bmp-1', 'bmp-rle8', 'bmp-rle4'];
const TIFFS = ['tiff-none', 'tiff-lzw', 'tiff-lzw-predictor', 'tiff-deflate', 'tiff-packbits', 'tiff-tiled', 'tiff-rgba', 'tiff-grey'];

async function refusal(bytes: Uint8Array): Promise<ImageError> {
  try {
    await decode(bytes, readHeader(bytes));
  } catch (e) {
    expect(e).toBeInstanceOf(ImageError);
    return e as ImageError;
  }
  throw new Error('decoded');
}

describe('BMP originals', () => {
  it.each(BMPS)('%s decodes to exactly the pixels written', async (name) => {
    const bytes = await fixture(`${name}.bmp`);
    const header = readHeader(bytes);
    expect(header).toMatchObject({ format: 'bmp', width: 120, height: 80, hasAlpha: name === 'bmp-32-alpha' });
    const r = await decode(bytes, header);
    expect(psnr(r, await load(`${name}.bmp-ref.png`), 4)).toBe(Infinity);
    expect(r.opaque).toBe(name !== 'bmp-32-alpha');
  });

  it('hostile headers: a 4xx before any pixel, never a throw of another kind', async () => {
    const good = await fixture('bmp-24.bmp');
    const at = (bytes: Uint8Array, offset: number, value: number) => {
      const b = bytes.slice();
      new DataView(b.buffer).setInt32(offset, value, true);
      return b;
    };
    expect((await refusal(at(good, 18, 100_000))).status).toBe(413); // width over MAX_SIDE
    expect((await refusal(at(good, 22, 60_000))).message).toMatch(/truncated BMP pixel data/); // taller than its data
    expect((await refusal(at(good, 22, 0))).message).toMatch(/zero or negative/);
    expect((await refusal(good.slice(0, 500))).message).toMatch(/truncated/);
    const jpegInBmp = good.slice();
    new DataView(jpegInBmp.buffer).setUint32(30, 4, true);
    expect(await refusal(jpegInBmp)).toMatchObject({ status: 415, message: 'Unsupported BMP compression: JPEG' });
    const rle = await fixture('bmp-rle8.bmp');
    expect((await refusal(rle.slice(0, rle.length - 40))).message).toMatch(/truncated BMP RLE/);
  });
});

describe('TIFF originals', () => {
  it.each(TIFFS)('%s decodes like libtiff (sharp) reads it', async (name) => {
    const bytes = await fixture(`${name}.tiff`);
    const header = readHeader(bytes);
    expect(header).toMatchObject({ format: 'tiff', width: 120, height: 80, hasAlpha: name === 'tiff-rgba' });
    const r = await decode(bytes, header);
    expect(psnr(r, await load(`${name}.tiff-ref.png`), 4)).toBe(Infinity);
  });

  it('what is not baseline is a 415 naming it', async () => {
    expect(await refusal(await fixture('tiff-jpeg.tiff'))).toMatchObject({ status: 415, message: 'Unsupported TIFF compression: JPEG' });
    expect(await refusal(await fixture('tiff-16bit.tiff'))).toMatchObject({ status: 415, message: 'Unsupported TIFF: 16 bits per sample (8 are read)' });
  });

  it('hostile files: truncated strips, huge declared sizes, a directory past the end', async () => {
    const good = await fixture('tiff-lzw.tiff');
    expect((await refusal(good.slice(0, 2000))).status).toBe(400);
    const far = good.slice();
    new DataView(far.buffer).setUint32(4, 1 << 30, good[0] === 0x49);
    expect((await refusal(far)).message).toMatch(/truncated TIFF directory/);
    // Width tag rewritten to 60000 x 80: still under MAX_PIXELS, but the strips are too short for it.
    const le = good[0] === 0x49;
    const dv = new DataView(good.buffer.slice(0));
    const ifd = dv.getUint32(4, le);
    const wide = new Uint8Array(dv.buffer);
    for (let i = 0; i < dv.getUint16(ifd, le); i++) {
      const e = ifd + 2 + i * 12;
      if (dv.getUint16(e, le) === 256) dv.getUint16(e + 2, le) === 3 ? dv.setUint16(e + 8, 60000, le) : dv.setUint32(e + 8, 60000, le);
    }
    expect((await refusal(wide)).status).toBe(400);
    const corrupt = good.slice();
    corrupt.fill(0xff, 300, 2000); // LZW codes past the table
    expect((await refusal(corrupt)).status).toBe(400);
  });
});

describe('BMP and TIFF decoders under random corruption', () => {
  it('decode or refuse with an ImageError, nothing else', async () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) & 255;
    for (const name of [...BMPS.map((n) => `${n}.bmp`), ...TIFFS.map((n) => `${n}.tiff`)]) {
      const good = await fixture(name);
      for (let i = 0; i < 25; i++) {
        const c = good.slice();
        for (let k = 0; k < 6; k++) c[(rnd() * 65536 + rnd() * 256 + rnd()) % c.length] = rnd();
        try {
          const r = await decode(c, readHeader(c));
          expect(r.data.length).toBe(r.width * r.height * 4);
        } catch (e) {
          expect(e, `${name} #${i}: ${e}`).toBeInstanceOf(ImageError);
        }
      }
    }
  });
});

describe('formats still refused by name', () => {
  it('HEIC originals are a 415 that says so (SVG ones are read since issue #13: test/routes/svg.test.ts)', async () => {
    const svg = new TextEncoder().encode('\n  <?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
    expect(readHeader(svg)).toMatchObject({ format: 'svg', width: 10, height: 10, hasAlpha: true });
    expect(readHeader(new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toMatchObject({ format: 'svg', width: 100, height: 100 });
    expect(readHeader(new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" width="50%" viewBox="0 0 30 20"/>'))).toMatchObject({
      width: 15,
      height: 20,
    });
    expect(readHeader(new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" width="1in" viewBox="0 0 30 20"/>'))).toMatchObject({
      width: 96,
      height: 20,
    });
    expect(readHeader(new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" width="10.5" height="3.2"/>'))).toMatchObject({ width: 11, height: 3 });
    expect(() => readHeader(new TextEncoder().encode('<html><body>hi</body></html>'))).toThrow('Invalid image file');
    const heic = await fixture('heic-stub.heic');
    expect(() => readHeader(heic)).toThrow(/HEIF originals \(heic\) are not supported/);
  });
});
