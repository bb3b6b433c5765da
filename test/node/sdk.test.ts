// The official cloudinary npm SDK, configured the way a user would (CLOUDINARY_URL with upload_prefix,
// cname for delivery), against the Worker running in local workerd under wrangler.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker } from '../../scripts/lib/start-worker.mjs';

const root = join(import.meta.dirname, '../..');
const SECRET = 'node-test-secret';
const API_KEY = /^API_KEY\s*=\s*"([^"]+)"/m.exec(readFileSync(join(root, 'wrangler.toml'), 'utf8'))![1];

let worker: Awaited<ReturnType<typeof startWorker>>;
let cloudinary: typeof import('cloudinary').v2;
let host: string;

beforeAll(async () => {
  worker = await startWorker({ secret: SECRET });
  host = new URL(worker.url).host;
  // The SDK reads upload_prefix when it is first loaded, so configure before importing it.
  process.env.CLOUDINARY_URL = `cloudinary://${API_KEY}:${SECRET}@demo?upload_prefix=${worker.url}`;
  cloudinary = (await import('cloudinary')).v2;
});
afterAll(async () => {
  await worker?.dispose();
});

const url = (publicId: string, options: Record<string, unknown>) => cloudinary.url(publicId, { secure: false, cname: host, ...options });

async function fetchImage(u: string, headers: Record<string, string> = {}) {
  const res = await fetch(u, { headers });
  if (res.status !== 200) throw new Error(`${u}: ${res.status} ${res.headers.get('X-Cld-Error')}`);
  const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
  return { res, size: `${meta.width}x${meta.height}`, format: meta.format };
}

describe('cloudinary SDK uploader', () => {
  it('uploads a file and gets Cloudinary-shaped JSON back', async () => {
    const result = await cloudinary.uploader.upload(join(root, 'samples/coffee.png'), { public_id: 'sdk/coffee' });
    expect(result).toMatchObject({ public_id: 'sdk/coffee', width: 600, height: 400, format: 'png', resource_type: 'image', type: 'upload' });
    expect(result.version).toBeGreaterThan(0);
    expect(result.bytes).toBe(readFileSync(join(root, 'samples/coffee.png')).length);
    expect(result.secure_url).toContain(`/demo/image/upload/v${result.version}/sdk/coffee.png`);
    expect((await fetch(result.secure_url.replace(/^https?:\/\/[^/]+/, worker.url))).status).toBe(200);
  });

  it('uploads a JPEG with overwrite and a folder', async () => {
    const first = await cloudinary.uploader.upload(join(root, 'samples/rocket.jpg'), { public_id: 'rocket', folder: 'sdk', overwrite: true });
    expect(first).toMatchObject({ public_id: 'sdk/rocket', width: 640, height: 427, format: 'jpg' });
  });

  it('uploads with eager transformations, an AI one queued', async () => {
    const result = await cloudinary.uploader.upload(join(root, 'samples/chelsea.png'), {
      public_id: 'sdk/eager-cat',
      eager: [{ width: 100, crop: 'scale' }, { effect: 'upscale' }],
      eager_async: true,
    });
    expect(result.eager[0]).toMatchObject({ transformation: 'c_scale,w_100', status: 'complete', width: 100, height: 67 });
    expect(result.eager[1]).toMatchObject({ transformation: 'e_upscale', status: 'processing' });
  });

  it('is refused with a wrong secret, and the SDK surfaces the reason', async () => {
    const error = await cloudinary.uploader.upload(join(root, 'samples/chelsea.png'), { public_id: 'sdk/nope', api_secret: 'wrong' }).then(
      () => null,
      (e: { http_code?: number; message?: string; error?: { http_code: number; message: string } }) => e.error ?? e,
    );
    expect(error?.http_code).toBe(401);
    expect(error?.message).toMatch(/Invalid Signature/i);
  });
});

describe('cloudinary.url() URLs resolve to the right sizes', () => {
  beforeAll(async () => {
    await cloudinary.uploader.upload(join(root, 'samples/coffee.png'), { public_id: 'sdk/coffee2' });
  });
  const cases: [string, Record<string, unknown>, string, string?][] = [
    ['fill with dpr 2.0', { width: 100, height: 100, crop: 'fill', dpr: 2.0 }, '200x200'],
    ['relative width', { width: 0.5, crop: 'scale' }, '300x200'],
    ['limit', { width: 1000, crop: 'limit' }, '600x400'],
    ['pad', { width: 150, height: 150, crop: 'pad', background: 'black' }, '150x150'],
    ['chained dpr', { transformation: [{ height: 150, crop: 'scale' }, { dpr: 2.0 }] }, '450x300'],
    ['auto gravity and format', { width: 120, height: 200, crop: 'fill', gravity: 'auto', fetch_format: 'webp' }, '120x200', 'webp'],
    ['effects', { width: 64, crop: 'scale', effect: 'blur:300' }, '64x43'],
    ['format by extension', { width: 80, crop: 'scale', format: 'jpg' }, '80x53', 'jpeg'],
    ['signed', { width: 50, crop: 'scale', sign_url: true }, '50x33'],
    ['variables', { variables: [['$small', 150]], width: '$small', crop: 'scale' }, '150x100'],
    ['conditions', { transformation: [{ if: 'w_gt_500', width: 300, crop: 'scale' }, { if: 'else', width: 100, crop: 'scale' }, { if: 'end' }] }, '300x200'],
    [
      'expressions in SDK spelling',
      { transformation: [{ variables: [['$small', 150]] }, { if: 'width > 500 && aspect_ratio > 1', width: '$small * 2', crop: 'scale' }] },
      '300x200',
    ],
  ];
  for (const [name, options, size, format] of cases) {
    it(`${name}: ${JSON.stringify(options)} → ${size}`, async () => {
      const u = url('sdk/coffee2', options);
      expect(u).toMatch(/\?_a=/);
      const got = await fetchImage(u);
      expect(got.size).toBe(size);
      if (format) expect(got.format).toBe(format);
    });
  }

  it('dpr auto and width auto use the client hints', async () => {
    const dpr = await fetchImage(url('sdk/coffee2', { width: 100, crop: 'scale', dpr: 'auto' }), { 'Sec-CH-DPR': '2.625' });
    expect(dpr.size).toBe('300x200');
    const w = await fetchImage(url('sdk/coffee2', { width: 'auto', crop: 'limit' }), { 'Sec-CH-Width': '333' });
    expect(w.size).toBe('400x267');
  });

  it('signed URLs for authenticated images', async () => {
    await cloudinary.uploader.upload(join(root, 'samples/chelsea.png'), { public_id: 'sdk/private-cat', type: 'authenticated' });
    const unsigned = await fetch(url('sdk/private-cat', { type: 'authenticated', width: 90, crop: 'scale' }));
    expect(unsigned.status).toBe(401);
    for (const long_url_signature of [false, true]) {
      const signed = url('sdk/private-cat', { type: 'authenticated', width: 90, crop: 'scale', sign_url: true, long_url_signature });
      expect((await fetchImage(signed)).size).toBe('90x60');
    }
  });

  it('private images: the original only through a signed URL, derived versions public', async () => {
    const up = await cloudinary.uploader.upload(join(root, 'samples/chelsea.png'), { public_id: 'sdk/private-only', type: 'private' });
    expect(up).toMatchObject({ type: 'private', public_id: 'sdk/private-only' });
    expect((await fetch(url('sdk/private-only', { type: 'private', format: 'png' }))).status).toBe(401);
    expect((await fetchImage(url('sdk/private-only', { type: 'private', format: 'png', sign_url: true }))).format).toBe('png');
    expect((await fetchImage(url('sdk/private-only', { type: 'private', width: 70, crop: 'scale' }))).size).toBe('70x47');
    expect((await fetch(url('sdk/private-only', { type: 'upload', width: 70, crop: 'scale' }))).status).toBe(404);
  });

  it("the SDK's text layer form (overlay: { font_family, font_size, text }) is served, its escapes decoded", async () => {
    for (const overlay of [
      { font_family: 'Arial', font_size: 40, font_weight: 'bold', text: 'Hi, there/you 100% 😍' },
      { font_family: 'Times New Roman', font_size: 30, text_align: 'center', letter_spacing: 2, line_spacing: 3, text: 'two\nlines' },
    ]) {
      const u = url('sdk/coffee2', {
        transformation: [
          { overlay, color: 'red', width: 300, crop: 'fit' },
          { flags: 'layer_apply', gravity: 'south' },
        ],
      });
      expect(u).toContain('l_text:');
      expect((await fetchImage(u)).size).toBe('600x400');
    }
  });

  it('a bad transformation comes back as 400 with X-Cld-Error', async () => {
    const res = await fetch(url('sdk/coffee2', { width: -5, crop: 'scale' }));
    expect(res.status).toBe(400);
    expect(res.headers.get('X-Cld-Error')).toMatch(/width/);
  });
});
