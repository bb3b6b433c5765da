import { beforeAll, describe, expect, it } from 'vitest';
import { decode } from '../../src/codecs/decode';
import { encodePng } from '../../src/codecs/png/encode';
import { createRaster, type Raster } from '../../src/pixels/raster';
import { psnr } from '../pixels/util';
import { metadataSegments } from '../../src/codecs/jpeg/metadata';
import { addMetadata, XMP_PACKET } from '../codecs/metadata-fixture';
import { CLOUD, fixture, get, image, upload } from './worker';

const base = `/${CLOUD}/image/upload`;
let cameraBytes = 0;

beforeAll(async () => {
  const camera = await fixture('medium.jpg'); // 640x427
  cameraBytes = camera.byteLength;
  await upload('flags/camera', camera);
  await upload('flags/alpha', await fixture('alpha.png')); // 256x256 with transparency
  await upload('flags/stripes', await encodePng(stripes));
  await upload('flags/tagged', addMetadata(camera));
});

/** Chroma edges: 2-px columns alternating red and blue, the luma nearly flat, which 4:2:0 averages away. */
const stripes: Raster = (() => {
  const r = createRaster(96, 64, true);
  for (let y = 0; y < 64; y++) for (let x = 0; x < 96; x++) r.data.set((x >> 1) % 2 ? [40, 60, 250, 255] : [250, 40, 40, 255], (y * 96 + x) * 4);
  return r;
})();

describe('fl_attachment', () => {
  it('names the download after the public ID, with the delivered format as extension', async () => {
    const { res, header } = await image(`${base}/c_scale,w_100,fl_attachment/flags/camera.webp`);
    expect(header.format).toBe('webp');
    expect(res.headers.get('Content-Disposition')).toBe('attachment; filename="camera.webp"');
  });
  it('takes the name given, %252E for a dot; f_auto decides the extension', async () => {
    const res = await get(`${base}/c_scale,w_100/f_auto,fl_attachment:holiday%252Ephoto/flags/camera.jpg`, { Accept: 'image/webp' });
    await res.arrayBuffer();
    expect(res.headers.get('Content-Disposition')).toBe('attachment; filename="holiday.photo.webp"');
  });
  it('keeps the header on the cached copy and on a 304', async () => {
    const url = `${base}/c_scale,w_90,fl_attachment:x/flags/camera.jpg`;
    const first = await get(url);
    await first.arrayBuffer();
    const again = await get(url, { 'If-None-Match': first.headers.get('ETag')! });
    expect(again.status).toBe(304);
    expect(again.headers.get('Content-Disposition')).toBe('attachment; filename="x.jpg"');
  });
  it('refuses a name with characters Cloudinary does not allow', async () => {
    const res = await get(`${base}/fl_attachment:a%22b/flags/camera.jpg`);
    expect(res.status).toBe(400);
    expect(res.headers.get('X-Cld-Error')).toMatch(/Invalid flag in transformation: attachment:a"b/);
  });
});

describe('fl_getinfo', () => {
  it('answers JSON of the input and the output, the output as rendered', async () => {
    const res = await get(`${base}/c_fill,w_200,h_100/fl_getinfo/flags/camera.jpg`);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('application/json');
    const info = (await res.json()) as { input: unknown; output: { bytes: number } };
    const real = await image(`${base}/c_fill,w_200,h_100/flags/camera.jpg`);
    expect(info).toEqual({
      input: { width: 640, height: 427, bytes: cameraBytes, format: 'jpg' },
      output: { width: 200, height: 100, bytes: real.bytes.byteLength, format: 'jpg' },
    });
  });
  it('a second request is the stored JSON', async () => {
    const url = `${base}/c_scale,w_50,fl_getinfo/flags/alpha.png`;
    const first = await get(url);
    const body = await first.text();
    const second = await get(url);
    expect(second.headers.get('X-Dprox-Cache')).toMatch(/^hit-/);
    expect(second.headers.get('Content-Type')).toBe('application/json');
    expect(await second.text()).toBe(body);
    expect(JSON.parse(body).output).toMatchObject({ width: 50, height: 50, format: 'png' });
  });
});

describe('q_<n>:444 and :420', () => {
  it('444 writes 1x1 luma sampling and keeps chroma edges; 420 (the default) writes 2x2', async () => {
    const full = await image(`${base}/q_90:444/flags/stripes.jpg`);
    const sub = await image(`${base}/q_90:420/flags/stripes.jpg`);
    const plain = await image(`${base}/q_90/flags/stripes.jpg`);
    expect(full.header).toMatchObject({ sampling: '4:4:4', samplingFactors: [1, 1, 1, 1, 1, 1] });
    expect(sub.header).toMatchObject({ sampling: '4:2:0', samplingFactors: [2, 2, 1, 1, 1, 1] });
    expect(sub.bytes).toEqual(plain.bytes);
    const [a, b] = [await decode(full.bytes, full.header), await decode(sub.bytes, sub.header)];
    const [p444, p420] = [psnr(a, stripes), psnr(b, stripes)];
    expect(p444).toBeGreaterThan(p420 + 20); // measured 45.4 vs 15.4 dB
    expect(p444).toBeGreaterThan(30);
  });
  it('progressive JPEG keeps 4:4:4 too', async () => {
    const { header } = await image(`${base}/fl_progressive,q_80:444/flags/camera.jpg`);
    expect(header).toMatchObject({ progressive: true, sampling: '4:4:4' });
  });
  it('f_auto answers JPEG rather than 4:2:0 WebP; an explicit WebP is refused', async () => {
    const auto = await image(`${base}/f_auto,q_80:444/flags/camera.jpg`, { Accept: 'image/avif,image/webp' });
    expect(auto.header).toMatchObject({ format: 'jpg', sampling: '4:4:4' });
    const webp = await get(`${base}/q_80:444/flags/camera.webp`);
    expect(webp.status).toBe(400);
    expect(webp.headers.get('X-Cld-Error')).toMatch(/q_80:444 needs JPEG/);
    expect((await get(`${base}/q_80:422/flags/camera.jpg`)).status).toBe(400);
  });
});

describe('fl_keep_iptc', () => {
  it("copies the JPEG original's XMP and IPTC into the JPEG output, after its JFIF header; none without the flag", async () => {
    const kept = await image(`${base}/c_scale,w_120,fl_keep_iptc/flags/tagged.jpg`);
    expect(kept.header).toMatchObject({ format: 'jpg', width: 120 });
    const segments = metadataSegments(kept.bytes);
    expect(segments.map((s) => s[1])).toEqual([0xe1, 0xed]);
    expect(new TextDecoder().decode(segments[0])).toContain(XMP_PACKET);
    expect(new TextDecoder().decode(segments[1])).toContain('(c) dprox tests');
    expect([kept.bytes[2], kept.bytes[3]]).toEqual([0xff, 0xe0]);
    expect(metadataSegments((await image(`${base}/c_scale,w_120/flags/tagged.jpg`)).bytes)).toEqual([]);
    await decode(kept.bytes, kept.header);
  });
  it('f_auto answers JPEG with it; other outputs, q_auto and non-JPEG originals are refused', async () => {
    expect((await image(`${base}/c_scale,w_50,fl_keep_iptc/f_auto/flags/tagged.jpg`, { Accept: 'image/webp' })).header.format).toBe('jpg');
    for (const [path, reason] of [
      ['fl_keep_iptc/flags/tagged.webp', /JPEG output only/],
      ['fl_keep_iptc,q_auto/flags/tagged.jpg', /q_auto/],
      ['fl_keep_iptc/flags/alpha.jpg', /JPEG original/],
    ] as const) {
      const res = await get(`${base}/${path}`);
      expect(res.status, path).toBe(400);
      expect(res.headers.get('X-Cld-Error'), path).toMatch(reason);
    }
  });
});

describe('fl_preserve_transparency', () => {
  it('f_auto keeps the alpha in every Accept case; JPEG, which would flatten it, is a 400', async () => {
    for (const accept of ['image/avif,image/webp,*/*', 'image/webp,*/*', '*/*']) {
      const { res, header } = await image(`${base}/f_auto,fl_preserve_transparency/flags/alpha.png`, { Accept: accept });
      expect(res.status).toBe(200);
      expect(header.hasAlpha, accept).toBe(true);
    }
    const jpg = await get(`${base}/f_jpg,fl_preserve_transparency/flags/alpha.png`);
    await jpg.arrayBuffer();
    expect(jpg.status).toBe(400);
    expect(jpg.headers.get('X-Cld-Error')).toMatch(/fl_preserve_transparency/);
    // An opaque result may still be JPEG.
    const opaque = await image(`${base}/f_jpg,fl_preserve_transparency/flags/camera.jpg`);
    expect(opaque.header.format).toBe('jpg');
  });
});
