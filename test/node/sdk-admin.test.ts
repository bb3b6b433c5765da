// The official cloudinary npm SDK's Admin API calls against the Worker under wrangler (real local
// R2 and Durable Objects), with strict transformations on (STRICT_TRANSFORMATIONS=true).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker } from '../../scripts/lib/start-worker.mjs';

const root = join(import.meta.dirname, '../..');
const SECRET = 'node-admin-secret';
const API_KEY = /^API_KEY\s*=\s*"([^"]+)"/m.exec(readFileSync(join(root, 'wrangler.toml'), 'utf8'))![1];

let worker: Awaited<ReturnType<typeof startWorker>>;
let cloudinary: typeof import('cloudinary').v2;
let host: string;

beforeAll(async () => {
  worker = await startWorker({ secret: SECRET, vars: { STRICT_TRANSFORMATIONS: 'true' } });
  host = new URL(worker.url).host;
  process.env.CLOUDINARY_URL = `cloudinary://${API_KEY}:${SECRET}@demo?upload_prefix=${worker.url}`;
  cloudinary = (await import('cloudinary')).v2;
  await cloudinary.uploader.upload(join(root, 'samples/coffee.png'), { public_id: 'admin/coffee' }); // 600x400
});
afterAll(async () => {
  await worker?.dispose();
});

const url = (publicId: string, options: Record<string, unknown>) => cloudinary.url(publicId, { secure: false, cname: host, ...options });
type SdkError = { error?: { http_code: number; message: string }; http_code?: number; message?: string };
const failure = (p: Promise<unknown>) =>
  p.then(
    () => ({ http_code: 0, message: 'resolved' }),
    (e: SdkError) => e.error ?? { http_code: e.http_code, message: e.message },
  );

async function size(u: string): Promise<string> {
  const res = await fetch(u);
  if (res.status !== 200) throw new Error(`${u}: ${res.status} ${res.headers.get('X-Cld-Error')}`);
  const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
  return `${meta.width}x${meta.height}`;
}

describe('cloudinary SDK: named transformations', () => {
  it('create_transformation, transformation, transformations, update_transformation, delete_transformation', async () => {
    expect(await cloudinary.api.create_transformation('sdk_thumb', { width: 60, height: 40, crop: 'fill' })).toMatchObject({ message: 'created' });
    expect(await cloudinary.api.transformation('sdk_thumb')).toMatchObject({
      name: 't_sdk_thumb',
      named: true,
      allowed_for_strict: false,
      info: [{ crop: 'fill', height: 40, width: 60 }],
    });
    const list = await cloudinary.api.transformations({ max_results: 500 });
    expect(list.transformations).toContainEqual(expect.objectContaining({ name: 't_sdk_thumb', named: true }));
    expect(await cloudinary.api.update_transformation('sdk_thumb', { allowed_for_strict: true })).toMatchObject({ message: 'updated' });
    expect((await cloudinary.api.transformation('t_sdk_thumb')).allowed_for_strict).toBe(true);
    expect(await cloudinary.api.update_transformation('sdk_thumb', { unsafe_update: { width: 30, crop: 'scale' } })).toMatchObject({ message: 'updated' });
    expect((await cloudinary.api.transformation('sdk_thumb')).info).toEqual([{ crop: 'scale', width: 30 }]);
    expect(await cloudinary.api.delete_transformation('sdk_thumb')).toMatchObject({ message: 'deleted' });
    expect((await failure(cloudinary.api.transformation('sdk_thumb'))).http_code).toBe(404);
  });

  it('refuses dpr_auto, a duplicate name and wrong credentials with the SDK surfacing the reason', async () => {
    const auto = await failure(cloudinary.api.create_transformation('sdk_auto', { width: 100, crop: 'scale', dpr: 'auto' }));
    expect(auto).toMatchObject({ http_code: 400, message: expect.stringMatching(/dpr_auto/) });
    await cloudinary.api.create_transformation('sdk_dup', { width: 10, crop: 'scale' });
    expect((await failure(cloudinary.api.create_transformation('sdk_dup', { width: 20, crop: 'scale' }))).http_code).toBe(409);
    expect((await failure(cloudinary.api.transformations({ api_secret: 'wrong' }))).http_code).toBe(401);
  });

  it('t_<name> in SDK-built URLs, signed (strict is on) and mixed with other components', async () => {
    await cloudinary.api.create_transformation('sdk_fill', { width: 200, height: 100, crop: 'fill' });
    expect(await size(url('admin/coffee', { transformation: 'sdk_fill', sign_url: true }))).toBe('200x100');
    expect(await size(url('admin/coffee', { transformation: [{ transformation: 'sdk_fill' }, { width: 50, crop: 'scale' }], sign_url: true }))).toBe('50x25');
  });
});

describe('cloudinary SDK: strict transformations', () => {
  it('refuses unsigned new transformations with 401, serves signed, eager and allowed named ones', async () => {
    const refused = await fetch(url('admin/coffee', { width: 70, crop: 'scale' }));
    expect(refused.status).toBe(401);
    expect(refused.headers.get('X-Cld-Error')).toMatch(/Transformation c_scale,w_70 is not allowed/);
    expect(await size(url('admin/coffee', { width: 70, crop: 'scale', sign_url: true }))).toBe('70x47');

    const eager = await cloudinary.uploader.upload(join(root, 'samples/coffee.png'), { public_id: 'admin/eager', eager: [{ width: 120, crop: 'scale' }] });
    expect(await size(url('admin/eager', { width: 120, crop: 'scale', version: eager.version, format: 'png' }))).toBe('120x80');
    expect((await fetch(url('admin/eager', { width: 121, crop: 'scale', version: eager.version, format: 'png' }))).status).toBe(401);

    await cloudinary.api.create_transformation('sdk_strict', { width: 90, crop: 'scale' });
    expect((await fetch(url('admin/coffee', { transformation: 'sdk_strict' }))).status).toBe(401);
    await cloudinary.api.update_transformation('sdk_strict', { allowed_for_strict: true });
    expect(await size(url('admin/coffee', { transformation: 'sdk_strict' }))).toBe('90x60');
  });
});
