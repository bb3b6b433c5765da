import { beforeAll, describe, expect, it } from 'vitest';
import { CLOUD, fixture, get, image, upload } from './worker';

const base = `/${CLOUD}/image/upload`;
let cameraBytes = 0;

beforeAll(async () => {
  const camera = await fixture('medium.jpg'); // 640x427
  cameraBytes = camera.byteLength;
  await upload('flags/camera', camera);
  await upload('flags/alpha', await fixture('alpha.png')); // 256x256 with transparency
});

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
