// AVIF output and f_auto negotiation, q_auto levels, progressive JPEG and metadata stripping,
// through the Worker (workerd, real local R2).
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeAvif } from '../../src/codecs/avif/decode';
import { readHeader } from '../../src/codecs/header';
import { CLOUD, fixture, get, image, postForm, signedForm, upload } from './worker';

const base = `/${CLOUD}/image/upload`;

beforeAll(async () => {
  await upload('fmt/camera', await fixture('medium.jpg')); // 640x427
  await upload('fmt/alpha', await fixture('alpha.png')); // 256x256 with transparency
  await upload('fmt/exif', await fixture('orient6.jpg')); // EXIF orientation 6
});

const isAvif = (b: Uint8Array) => new TextDecoder().decode(b.subarray(4, 12)) === 'ftypavif';

async function avif(path: string, headers: Record<string, string> = {}) {
  const res = await get(path, headers);
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${res.headers.get('X-Cld-Error')}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  expect(isAvif(bytes)).toBe(true);
  return { res, bytes, raster: await decodeAvif(bytes) };
}

/** JPEG marker codes in order, up to the start of scan. */
function markers(b: Uint8Array): number[] {
  const out: number[] = [];
  let pos = 2;
  while (pos + 4 <= b.length && b[pos] === 0xff) {
    const m = b[pos + 1];
    out.push(m);
    if (m === 0xda) break;
    pos += 2 + ((b[pos + 2] << 8) | b[pos + 3]);
  }
  return out;
}

describe('AVIF output', () => {
  it('f_avif and the .avif extension deliver image/avif', async () => {
    const a = await avif(`${base}/c_scale,w_200,f_avif/fmt/camera.jpg`);
    expect(a.res.headers.get('Content-Type')).toBe('image/avif');
    expect([a.raster.width, a.raster.height]).toEqual([200, 133]);
    expect(a.res.headers.get('X-Dprox-Quality')).toBe('80');
    const b = await avif(`${base}/c_scale,w_200/fmt/camera.avif`);
    expect(b.res.headers.get('Content-Type')).toBe('image/avif');
    expect(b.bytes.length).toBeLessThan((await image(`${base}/c_scale,w_200/fmt/camera.jpg`)).bytes.length);
  });

  it('keeps transparency', async () => {
    const { raster } = await avif(`${base}/c_scale,w_100/fmt/alpha.avif`);
    expect(raster.opaque).toBe(false);
  });

  it('f_auto: AVIF, WebP or JPEG/PNG from Accept, each its own cached variant', async () => {
    const path = `${base}/c_scale,w_120/f_auto/fmt/camera.jpg`;
    const a = await avif(path, { Accept: 'image/avif,image/webp,*/*' });
    expect(a.res.headers.get('Vary')).toBe('Accept');
    expect(a.res.headers.get('X-Dprox-Cache')).toBe('miss');
    const w = await image(path, { Accept: 'image/webp,*/*' });
    expect(w.header.format).toBe('webp');
    expect(w.res.headers.get('X-Dprox-Cache')).toBe('miss');
    const j = await image(path, { Accept: '*/*' });
    expect(j.header.format).toBe('jpg');
    expect(j.res.headers.get('X-Dprox-Cache')).toBe('miss');
    const refused = await image(path, { Accept: 'image/avif;q=0,image/webp' });
    expect(refused.header.format).toBe('webp');
    expect(refused.res.headers.get('X-Dprox-Cache')).not.toBe('miss');
    const again = await avif(path, { Accept: 'image/avif,*/*' });
    expect(again.res.headers.get('X-Dprox-Cache')).not.toBe('miss');
    const png = await image(`${base}/c_scale,w_120/f_auto/fmt/alpha`, { Accept: 'image/png' });
    expect(png.header).toMatchObject({ format: 'png', hasAlpha: true });
  });

  it('too large for AVIF: WebP, said in X-Dprox-Format-Fallback, also on cache hits', async () => {
    const path = `${base}/c_scale,w_1800,f_avif/fmt/camera.jpg`; // 1800x1201 = 2.16 MP
    const first = await image(path);
    expect(first.header).toMatchObject({ format: 'webp', width: 1800, height: 1201 });
    expect(first.res.headers.get('Content-Type')).toBe('image/webp');
    expect(first.res.headers.get('X-Dprox-Format-Fallback')).toBe('avif->webp (too large: 1800x1201)');
    const again = await get(path);
    expect(again.headers.get('X-Dprox-Cache')).not.toBe('miss');
    expect(again.headers.get('X-Dprox-Format-Fallback')).toBe('avif->webp (too large: 1800x1201)');
    const small = await get(`${base}/c_scale,w_1600,f_avif/fmt/camera.jpg`); // 1600x1068 = 1.71 MP: still AVIF
    expect(small.headers.get('Content-Type')).toBe('image/avif');
    expect(small.headers.get('X-Dprox-Format-Fallback')).toBeNull();
  });

  it('AVIF originals: upload, deliver in any format, the untransformed original as stored', async () => {
    const photo = await fixture('photo.avif'); // 600x400, made by sharp (libheif + aom)
    const up = await upload('fmt/photo-avif', photo);
    expect(up).toMatchObject({ format: 'avif', width: 600, height: 400 });
    const jpg = await image(`${base}/c_scale,w_300/fmt/photo-avif.jpg`);
    expect(jpg.header).toMatchObject({ format: 'jpg', width: 300, height: 200 });
    const same = await get(`${base}/fmt/photo-avif`);
    expect(same.headers.get('Content-Type')).toBe('image/avif');
    expect(new Uint8Array(await same.arrayBuffer())).toEqual(photo);
    await upload('fmt/alpha-avif', await fixture('alpha.avif'));
    const png = await image(`${base}/c_scale,w_100/fmt/alpha-avif.png`);
    expect(png.header).toMatchObject({ format: 'png', hasAlpha: true });
    // 1600x1200: AVIF has no shrink-on-load, the decode alone is ~70 MB of the 100 MB budget; the
    // resize and crop after it stream, so WebP's encoder still fits.
    await upload('fmt/2mp-avif', await fixture('2mp.avif'));
    expect((await image(`${base}/c_fill,w_400,h_300/fmt/2mp-avif.jpg`)).header).toMatchObject({ width: 400, height: 300 });
    expect((await image(`${base}/c_fill,w_400,h_300/fmt/2mp-avif.webp`)).header).toMatchObject({ format: 'webp', width: 400, height: 300 });
  });

  it('a HEIF (HEVC) upload is refused with a clear 4xx', async () => {
    const heic = new Uint8Array([0, 0, 0, 24, ...new TextEncoder().encode('ftypheic\0\0\0\0mif1heic'), 0, 0, 0, 8, 109, 101, 116, 97]);
    const res = await postForm(`/v1_1/${CLOUD}/image/upload`, await signedForm({ public_id: 'fmt/heic' }, heic));
    expect(res.status).toBe(400);
    expect(res.headers.get('X-Cld-Error')).toMatch(/HEIF originals \(heic\) are not supported/);
  });
});

describe('q_auto', () => {
  const levels = ['best', 'good', 'eco', 'low'] as const;
  for (const ext of ['jpg', 'webp', 'avif'] as const) {
    it(`levels order qualities and bytes (${ext})`, async () => {
      const results = [];
      for (const level of levels) {
        const res = await get(`${base}/c_scale,w_400,q_auto:${level}/fmt/camera.${ext}`);
        expect(res.status).toBe(200);
        const quality = Number(res.headers.get('X-Dprox-Quality'));
        results.push({ level, quality, bytes: (await res.arrayBuffer()).byteLength });
      }
      console.log(`q_auto ${ext}: ${results.map((r) => `${r.level} q${r.quality} ${r.bytes} B`).join(', ')}`);
      for (let i = 1; i < results.length; i++) {
        expect(results[i].quality).toBeLessThanOrEqual(results[i - 1].quality);
        expect(results[i].bytes).toBeLessThanOrEqual(results[i - 1].bytes);
      }
      expect(results[0].quality).toBeGreaterThan(results[3].quality);
    });
  }

  it('plain q_auto is q_auto:good', async () => {
    const a = await get(`${base}/c_scale,w_300,q_auto/fmt/camera.jpg`);
    const b = await get(`${base}/c_scale,w_300,q_auto:good/fmt/camera.jpg`);
    expect(a.headers.get('X-Dprox-Quality')).toBe(b.headers.get('X-Dprox-Quality'));
    expect(b.headers.get('X-Dprox-Cache')).not.toBe('miss'); // the same canonical transformation
  });

  it('a flat image needs a lower quality than a detailed one', async () => {
    const flat = await get(`${base}/c_scale,w_300,e_blur:2000,q_auto/fmt/camera.jpg`);
    const detailed = await get(`${base}/c_scale,w_300,q_auto/fmt/camera.jpg`);
    expect(Number(flat.headers.get('X-Dprox-Quality'))).toBeLessThan(Number(detailed.headers.get('X-Dprox-Quality')));
  });

  it('an unknown level is a 400 with X-Cld-Error', async () => {
    const res = await get(`${base}/q_auto:foo/fmt/camera.jpg`);
    expect(res.status).toBe(400);
    expect(res.headers.get('X-Cld-Error')).toMatch(/quality/);
  });
});

describe('JPEG encoding options and metadata', () => {
  it('fl_progressive gives a progressive JPEG (SOF2), the default is baseline (SOF0)', async () => {
    const prog = await image(`${base}/c_scale,w_200,fl_progressive/fmt/camera.jpg`);
    expect(prog.header.progressive).toBe(true);
    expect(markers(prog.bytes)).toContain(0xc2);
    const plain = await image(`${base}/c_scale,w_200/fmt/camera.jpg`);
    expect(plain.header.progressive).toBe(false);
    expect(markers(plain.bytes)).toContain(0xc0);
  });

  it('outputs carry no EXIF or XMP from an original that has them', async () => {
    const original = await fixture('orient6.jpg');
    expect(markers(original)).toContain(0xe1); // the fixture does have APP1 (EXIF)
    for (const t of ['c_scale,w_100', 'c_scale,w_100,fl_progressive', 'c_scale,w_100,q_auto']) {
      const { bytes } = await image(`${base}/${t}/fmt/exif.jpg`);
      expect(markers(bytes), t).not.toContain(0xe1);
    }
    for (const ext of ['webp', 'avif', 'png']) {
      const bytes = new Uint8Array(await (await get(`${base}/c_scale,w_100/fmt/exif.${ext}`)).arrayBuffer());
      const text = new TextDecoder('latin1').decode(bytes);
      expect(text, ext).not.toMatch(/Exif|EXIF|XMP |eXIf|http:\/\/ns\.adobe\.com\/xap/);
    }
    expect(readHeader((await image(`${base}/c_scale,w_100/fmt/exif.jpg`)).bytes).orientation).toBe(1);
  });
});
