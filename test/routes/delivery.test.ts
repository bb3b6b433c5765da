import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { deliverySignature } from '../../src/url/signature';
import { CLOUD, dims, fixture, get, image, upload } from './worker';

const base = `/${CLOUD}/image/upload`;

beforeAll(async () => {
  await upload('camera', await fixture('medium.jpg')); // 640x427
  await upload('tall-hall', await fixture('small.jpg')); // 200x303
  await upload('docs/alpha', await fixture('alpha.png')); // 256x256 with transparency
});

describe('sizes through the Worker (test vectors D)', () => {
  const cases: [string, string][] = [
    ['c_fill,h_100,w_100,dpr_2.0/camera.jpg', '200x200'],
    ['c_scale,w_4.0/tall-hall.jpg', '800x1212'],
    ['c_mfit,h_20,w_20/camera.jpg', '640x427'],
    ['c_mpad,h_20,w_20/camera.jpg', '640x427'],
    ['c_scale,h_300/dpr_2.0/camera.jpg', '899x600'],
    ['c_scale,w_150/camera.jpg', '150x100'],
    ['c_scale,h_150,w_150/camera.jpg', '150x150'],
    ['c_scale,w_0.5/camera.jpg', '320x214'],
    ['c_scale,fl_ignore_aspect_ratio,h_150/camera.jpg', '640x150'],
    ['c_fit,h_150,w_150/camera.jpg', '150x100'],
    ['c_limit,h_150,w_150/camera.jpg', '150x100'],
    ['c_limit,w_1000/camera.jpg', '640x427'],
    ['c_fill,h_150,w_150/camera.jpg', '150x150'],
    ['c_lfill,h_150,w_150/camera.jpg', '150x150'],
    ['b_green,c_lpad,h_150,w_400/camera.jpg', '400x150'],
    ['c_crop,h_150,w_150,x_80,y_30/camera.jpg', '150x150'],
    ['c_scale,w_150/dpr_2.0/camera.jpg', '300x200'],
    ['b_black,c_pad,h_150,w_150/camera.jpg', '150x150'],
    ['c_crop,g_south,h_150,w_200/camera.jpg', '200x150'],
    ['a_90/camera.jpg', '427x640'],
    ['c_fill,g_auto,h_200,w_100/camera.jpg', '100x200'],
    ['c_fill,w_100,h_100,r_max/docs/alpha.png', '100x100'],
    ['c_thumb,g_north,w_50,h_50/e_grayscale/e_sharpen/e_blur:50/o_50/camera.png', '50x50'],
  ];
  for (const [path, expected] of cases) {
    it(`${path} → ${expected}`, async () => {
      const { header } = await image(`${base}/${path}`);
      expect(dims(header)).toBe(expected);
    });
  }
});

describe('formats', () => {
  it('the extension picks the format, none keeps the original', async () => {
    expect((await image(`${base}/c_scale,w_100/camera.png`)).header.format).toBe('png');
    expect((await image(`${base}/c_scale,w_100/camera.webp`)).header.format).toBe('webp');
    expect((await image(`${base}/c_scale,w_100/camera`)).header.format).toBe('jpg');
    expect((await image(`${base}/c_scale,w_100/docs/alpha`)).header).toMatchObject({ format: 'png', hasAlpha: true });
  });
  it('f_ beats the extension', async () => {
    const { res, header } = await image(`${base}/c_scale,w_100,f_png/camera.jpg`);
    expect(header.format).toBe('png');
    expect(res.headers.get('Content-Type')).toBe('image/png');
  });
  it('f_auto negotiates WebP from Accept and varies on it', async () => {
    const webp = await image(`${base}/c_scale,w_100/f_auto/camera.jpg`, { Accept: 'image/webp,*/*' }); // with image/avif: AVIF (formats.test.ts)
    expect(webp.header.format).toBe('webp');
    expect(webp.res.headers.get('Vary')).toBe('Accept');
    const jpeg = await image(`${base}/c_scale,w_100/f_auto/camera.jpg`, { Accept: 'image/png,*/*' });
    expect(jpeg.header.format).toBe('jpg');
    const png = await image(`${base}/c_scale,w_100/f_auto/docs/alpha.jpg`, { Accept: '*/*' });
    expect(png.header.format).toBe('png');
  });
  it('the untransformed original is served as stored', async () => {
    const { bytes } = await image(`${base}/camera.jpg`);
    expect(bytes).toEqual(await fixture('medium.jpg'));
  });
  it('the SDK analytics query string is ignored', async () => {
    const { header } = await image(`${base}/c_scale,w_100/camera.jpg?_a=BAMAK+~W0`);
    expect(header.width).toBe(100);
  });
});

describe('client hints', () => {
  it('dpr_auto rounds Sec-CH-DPR up', async () => {
    const a = await image(`${base}/c_fill,h_100,w_100,dpr_auto/camera.jpg`, { 'Sec-CH-DPR': '1.5' });
    expect(dims(a.header)).toBe('200x200');
    expect(a.res.headers.get('Vary')).toBe('Sec-CH-DPR');
    expect(a.res.headers.get('Accept-CH')).toBe('Sec-CH-DPR, Sec-CH-Width, Sec-CH-Viewport-Width');
    const b = await image(`${base}/c_fill,h_100,w_100,dpr_auto/camera.jpg`, { 'Sec-CH-DPR': '2.625' });
    expect(dims(b.header)).toBe('300x300');
    const c = await image(`${base}/c_fill,h_100,w_100,dpr_auto/camera.jpg`, { DPR: '2' });
    expect(dims(c.header)).toBe('200x200');
    expect(c.res.headers.get('Vary')).toBe('Sec-CH-DPR, DPR');
    const none = await image(`${base}/c_fill,h_100,w_100,dpr_auto/camera.jpg`);
    expect(dims(none.header)).toBe('100x100');
  });
  it('w_auto rounds Sec-CH-Width up to the step', async () => {
    const a = await image(`${base}/c_limit,w_auto/camera.jpg`, { 'Sec-CH-Width': '333' });
    expect(a.header.width).toBe(400);
    expect(a.res.headers.get('Vary')).toBe('Sec-CH-Width');
    const b = await image(`${base}/c_limit,w_auto:50/camera.jpg`, { 'Sec-CH-Width': '333' });
    expect(b.header.width).toBe(350);
  });
  it('a response that used no hint has no Vary', async () => {
    const { res } = await image(`${base}/c_scale,w_120/camera.jpg`, { 'Sec-CH-DPR': '2' });
    expect(res.headers.get('Vary')).toBeNull();
  });
});

describe('caching', () => {
  it('stores the derived image in R2, sends ETag and long Cache-Control, answers 304 and HEAD', async () => {
    const path = `${base}/c_scale,w_77/camera.jpg`;
    const first = await image(path);
    expect(first.res.headers.get('X-Dprox-Cache')).toBe('miss');
    const etag = first.res.headers.get('ETag')!;
    expect(etag).toBeTruthy();
    expect(first.res.headers.get('Cache-Control')).toBe('public, max-age=2592000');
    const derived = await env.IMAGES.list({ prefix: `derived/${CLOUD}/upload/camera/` });
    expect(derived.objects.length).toBeGreaterThan(0);
    // Stored after the response (waitUntil), with the ETag the miss already sent.
    expect(derived.objects.map((o) => o.httpEtag)).toContain(etag);
    const second = await image(path);
    expect(second.res.headers.get('X-Dprox-Cache')).toMatch(/^hit-(edge|r2)$/);
    expect(second.res.headers.get('ETag')).toBe(etag);
    expect(second.bytes).toEqual(first.bytes);
    const notModified = await get(path, { 'If-None-Match': etag });
    expect(notModified.status).toBe(304);
    expect(await notModified.text()).toBe('');
    const head = await get(path, {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('Content-Type')).toBe('image/jpeg');
    expect((await head.arrayBuffer()).byteLength).toBe(0);
  });
  it('equivalent spellings share one derived image', async () => {
    const before = (await env.IMAGES.list({ prefix: `derived/${CLOUD}/upload/camera/` })).objects.length;
    await image(`${base}/w_91,c_scale/camera.jpg`);
    await image(`${base}/c_scale%2Cw_91/camera.jpg`);
    await image(`${base}/c_scale,w_91/camera.jpg`);
    const after = (await env.IMAGES.list({ prefix: `derived/${CLOUD}/upload/camera/` })).objects.length;
    expect(after - before).toBe(1);
  });
});

describe('signed and restricted URLs', () => {
  it('verifies signatures when present', async () => {
    const sig = await deliverySignature('c_scale,w_64/camera.jpg', 'test-secret', 'sha1', 8);
    expect((await get(`${base}/s--${sig}--/c_scale,w_64/v5/camera.jpg`)).status).toBe(200);
    const long = await deliverySignature('c_scale,w_64/camera.jpg', 'test-secret', 'sha256', 32);
    expect((await get(`${base}/s--${long}--/c_scale,w_64/camera.jpg`)).status).toBe(200);
    const bad = await get(`${base}/s--AAAAAAAA--/c_scale,w_64/camera.jpg`);
    expect(bad.status).toBe(401);
    expect(bad.headers.get('X-Cld-Error')).toMatch(/Invalid signature/);
    const tampered = await get(`${base}/s--${sig}--/c_scale,w_65/camera.jpg`);
    expect(tampered.status).toBe(401);
  });
  it('requires a signature for authenticated resources', async () => {
    await upload('secret-cam', await fixture('small.jpg'), { type: 'authenticated' });
    const unsigned = await get(`/${CLOUD}/image/authenticated/c_scale,w_50/secret-cam.jpg`);
    expect(unsigned.status).toBe(401);
    const sig = await deliverySignature('c_scale,w_50/secret-cam.jpg', 'test-secret', 'sha1', 8);
    expect((await get(`/${CLOUD}/image/authenticated/s--${sig}--/c_scale,w_50/secret-cam.jpg`)).status).toBe(200);
  });
});

describe('errors are 4xx with X-Cld-Error and a short cache', () => {
  const cases: [string, number, RegExp][] = [
    [`${base}/w_100,zz_1/camera.jpg`, 400, /'zz'/],
    [`${base}/w_-1/camera.jpg`, 400, /Invalid width in transformation: -1/],
    [`${base}/e_blur:9999/camera.jpg`, 400, /e_blur/],
    [`${base}/c_scale,w_100/nothere.jpg`, 404, /Resource not found - nothere/],
    [`/othercloud/image/upload/w_100/camera.jpg`, 404, /Unknown cloud_name othercloud/],
    [`${base}/c_scale,w_100,pg_2/camera.jpg`, 400, /pg_2, the image has 1 frame/],
    [`${base}/c_scale,w_25000,h_25000/camera.jpg`, 400, /too large to process/],
    [`/${CLOUD}/video/upload/x.mp4`, 400, /not supported/],
    [`/nothing`, 404, /Not found/],
    // Test vector D's c_thumb,g_face was served as a north crop: a face crop that found no face, whatever the image.
    [`${base}/c_thumb,g_face,h_150,w_150/camera.jpg`, 400, /g_face is not available: dprox has no face detection/],
  ];
  for (const [path, status, message] of cases) {
    it(`${path} → ${status}`, async () => {
      const res = await get(path);
      expect(res.status).toBe(status);
      expect(res.headers.get('X-Cld-Error')).toMatch(message);
      expect(res.headers.get('Cache-Control')).toBe('public, max-age=60');
    });
  }
  it('a corrupt original in R2 is a 400, not a crash, and the Worker keeps serving', async () => {
    const good = await fixture('medium.jpg');
    await env.IMAGES.put(`original/${CLOUD}/upload/broken`, good.slice(0, 2000));
    const res = await get(`${base}/c_scale,w_100/broken.jpg`);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.headers.get('X-Cld-Error')).toBeTruthy();
    await env.IMAGES.put(`original/${CLOUD}/upload/garbage`, new Uint8Array(5000).fill(7));
    expect((await get(`${base}/c_scale,w_100/garbage.jpg`)).status).toBe(400);
    expect((await get(`${base}/c_scale,w_101/camera.jpg`)).status).toBe(200);
  });
  it('refuses other methods on delivery URLs', async () => {
    expect((await get(`${base}/camera.jpg`, {}, 'POST')).status).toBe(405);
  });
});

describe('premium downscaling through the Worker', () => {
  /** Mean 3x3 standard deviation of luma: local contrast. */
  function localContrast(r: { width: number; height: number; data: Uint8Array }): number {
    const { width: w, height: h, data } = r;
    const y = new Float64Array(w * h);
    for (let i = 0; i < y.length; i++) y[i] = 0.299 * data[i * 4] + 0.587 * data[i * 4 + 1] + 0.114 * data[i * 4 + 2];
    let sum = 0;
    for (let j = 1; j < h - 1; j++)
      for (let i = 1; i < w - 1; i++) {
        let s = 0,
          s2 = 0;
        for (let dy = -1; dy <= 1; dy++)
          for (let dx = -1; dx <= 1; dx++) {
            const v = y[(j + dy) * w + i + dx];
            s += v;
            s2 += v * v;
          }
        sum += Math.sqrt(Math.max(0, s2 / 9 - (s / 9) ** 2));
      }
    return sum / ((w - 2) * (h - 2));
  }

  it('keeps more local contrast than plain Lanczos3 in a small thumbnail, and leaves upscales alone', async () => {
    await upload('premium/astro', await fixture('ref-rgb-900x700.png'));
    const { decode } = await import('../../src/codecs/decode');
    const get = async (t: string) => {
      const { bytes, header } = await image(`/${CLOUD}/image/upload/${t}/premium/astro.png`);
      return decode(bytes, header);
    };
    const plain = await get('c_scale,w_128');
    const premium = await get('c_scale,w_128,fl_premium_downscaling');
    expect([premium.width, premium.height]).toEqual([plain.width, plain.height]);
    const gain = localContrast(premium) / localContrast(plain);
    console.log(`premium / plain local contrast at 128 px: ${gain.toFixed(3)}`);
    expect(gain).toBeGreaterThan(1.05);
    const up = await get('c_scale,w_1200');
    const upPremium = await get('c_scale,w_1200,fl_premium_downscaling');
    expect(Buffer.from(upPremium.data).equals(Buffer.from(up.data))).toBe(true);
  });
});

describe('colour profiles through the Worker', () => {
  it('a Display P3 original is delivered in sRGB (untagged), like sharp converts it', async () => {
    const { decode } = await import('../../src/codecs/decode');
    const { readHeader } = await import('../../src/codecs/header');
    const { psnr } = await import('../pixels/util');
    await upload('icc/p3', await fixture('p3.jpg'));
    const { bytes, header } = await image(`/${CLOUD}/image/upload/f_png/icc/p3.jpg`);
    expect(header.icc ?? header.iccDeflated).toBeUndefined(); // no profile: sRGB by default
    const ref = await fixture('p3.jpg-ref.png');
    const db = psnr(await decode(bytes, header), await decode(ref, readHeader(ref)));
    console.log(`P3 JPEG delivered as PNG: ${db.toFixed(1)} dB against sharp's sRGB conversion`);
    expect(db).toBeGreaterThan(45);
  });
});
