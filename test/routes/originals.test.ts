// Originals people upload beyond JPEG/PNG/WebP/GIF/AVIF (README "Formats"): CMYK and YCCK JPEG,
// BMP, TIFF; each uploaded and delivered through the Worker, pixels compared with sharp's.
import { describe, expect, it } from 'vitest';
import { decode } from '../../src/codecs/decode';
import { readHeader } from '../../src/codecs/header';
import { resize } from '../../src/ops/resize';
import { psnr } from '../pixels/util';
import { CLOUD, dims, fixture, get, image, postForm, signedForm, upload } from './worker';

const base = `/${CLOUD}/image/upload`;

async function reference(name: string, width?: number, height?: number) {
  const bytes = await fixture(name);
  const r = await decode(bytes, readHeader(bytes));
  return width && height ? resize(r, width, height) : r;
}

describe('CMYK JPEG originals', () => {
  it('are delivered in sRGB through their embedded profile (200, the asked size)', async () => {
    const up = await upload('originals/cmyk-icc', await fixture('cmyk-icc.jpg'));
    expect(up).toMatchObject({ width: 300, height: 200, format: 'jpg' });
    const full = await image(`${base}/f_png/originals/cmyk-icc.jpg`);
    expect(full.res.status).toBe(200);
    expect(full.header.icc).toBeUndefined();
    const db = psnr(await decode(full.bytes, full.header), await reference('cmyk-icc.jpg-ref.png'));
    console.log(`CMYK JPEG delivered as PNG: ${db.toFixed(1)} dB against sharp's sRGB conversion`);
    expect(db).toBeGreaterThan(45);

    const small = await image(`${base}/w_150,f_png/originals/cmyk-icc.jpg`);
    expect(dims(small.header)).toBe('150x100');
    const smallDb = psnr(await decode(small.bytes, small.header), await reference('cmyk-icc.jpg-ref.png', 150, 100));
    console.log(`CMYK JPEG at w_150 (DCT-scaled decode): ${smallDb.toFixed(1)} dB`);
    expect(smallDb).toBeGreaterThan(35);

    const jpeg = await image(`${base}/w_120/originals/cmyk-icc.jpg`);
    expect(jpeg.res.status).toBe(200);
    expect(jpeg.header).toMatchObject({ format: 'jpg', width: 120, height: 80, components: 3 });
  });

  it('YCCK too', async () => {
    await upload('originals/ycck', await fixture('ycck-icc.jpg'));
    const out = await image(`${base}/w_200,f_png/originals/ycck.jpg`);
    expect(dims(out.header)).toBe('200x133');
    expect(psnr(await decode(out.bytes, out.header), await reference('ycck-icc.jpg-ref.png', 200, 133))).toBeGreaterThan(35);
  });

  it('without a profile, with the naive conversion', async () => {
    await upload('originals/cmyk-untagged', await fixture('cmyk-untagged.jpg'));
    const out = await image(`${base}/f_png/originals/cmyk-untagged.jpg`);
    expect(out.res.status).toBe(200);
    expect(psnr(await decode(out.bytes, out.header), await reference('cmyk-untagged.jpg-ref.png'))).toBeGreaterThan(45);
  });
});

describe('BMP and TIFF originals', () => {
  it.each([
    ['bmp-24.bmp', 'bmp'],
    ['bmp-32-alpha.bmp', 'bmp'],
    ['tiff-lzw-predictor.tiff', 'tiff'],
    ['tiff-tiled.tiff', 'tiff'],
  ])('%s: uploaded, delivered resized at the asked size, pixels like sharp resizes its reference', async (name, format) => {
    const id = `originals/${name.replace('.', '-')}`;
    expect(await upload(id, await fixture(name))).toMatchObject({ width: 120, height: 80, format });
    const out = await image(`${base}/w_60,f_png/${id}`);
    expect(out.res.status).toBe(200);
    expect(dims(out.header)).toBe('60x40');
    const db = psnr(await decode(out.bytes, out.header), await reference(`${name}-ref.png`, 60, 40), 4);
    expect(db).toBeGreaterThan(40);
    const jpg = await image(`${base}/c_fill,w_50,h_50/${id}.jpg`);
    expect([jpg.header.format, dims(jpg.header)]).toEqual(['jpg', '50x50']);
  });

  it('without an asked format they are delivered as PNG; a .bmp or .tiff output is a 400 naming it', async () => {
    await upload('originals/plain-bmp', await fixture('bmp-32-alpha.bmp'));
    const plain = await image(`${base}/w_30/originals/plain-bmp`);
    expect(plain.header).toMatchObject({ format: 'png', width: 30, hasAlpha: true });
    for (const ext of ['bmp', 'tiff', 'tif']) {
      const res = await get(`${base}/w_30/originals/plain-bmp.${ext}`);
      expect(res.status).toBe(400);
      expect(res.headers.get('X-Cld-Error')).toMatch(/^(BMP|TIFF) output is not supported: request \.png, \.jpg, \.webp or \.avif/);
    }
  });

  it("a TIFF's Orientation tag is applied like EXIF's", async () => {
    await upload('originals/tiff-orient6', await fixture('tiff-orient6.tiff'));
    const out = await image(`${base}/f_png/originals/tiff-orient6`);
    expect(dims(out.header)).toBe('80x120');
    const got = await decode(out.bytes, out.header);
    const src = await reference('tiff-orient6.tiff-ref.png'); // 120x80 as stored
    // Orientation 6: rotate 90 degrees clockwise, output (x, y) = stored (y, 79 - x).
    const rotated = { ...got, data: new Uint8Array(got.data.length) };
    for (let y = 0; y < 120; y++)
      for (let x = 0; x < 80; x++) rotated.data.set(src.data.subarray(((79 - x) * 120 + y) * 4, ((79 - x) * 120 + y) * 4 + 4), (y * 80 + x) * 4);
    expect(psnr(got, rotated)).toBe(Infinity);
  });

  it('an eager transformation of a TIFF upload is a PNG unless it names a format', async () => {
    const up = await upload('originals/eager-tiff', await fixture('tiff-deflate.tiff'), { eager: 'w_40|w_30/jpg' });
    const eager = up.eager as { format: string; width: number; height: number }[];
    expect(eager.map((e) => [e.format, e.width, e.height])).toEqual([
      ['png', 40, 27],
      ['jpg', 30, 20],
    ]);
  });

  it('refusals at upload: unsupported layouts are a 400 naming them (an upload refuses any bad file with 400, as Cloudinary does), never a 5xx', async () => {
    for (const [name, message] of [
      ['tiff-jpeg.tiff', 'Unsupported TIFF compression: JPEG'],
      ['tiff-16bit.tiff', 'Unsupported TIFF: 16 bits per sample (8 are read)'],
      ['heic-stub.heic', 'HEIF originals (heic) are not supported; upload JPEG, PNG, WebP, AVIF, GIF, BMP or TIFF'],
    ]) {
      const form = await signedForm({ public_id: `originals/refused-${name.replace('.', '-')}` }, await fixture(name));
      const res = await postForm(`/v1_1/${CLOUD}/image/upload`, form);
      expect([res.status, res.headers.get('X-Cld-Error')]).toEqual([400, message]);
    }
  });
});
