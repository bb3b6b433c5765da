// The official cloudinary npm SDK's Admin API calls against the Worker under wrangler (real local
// R2 and Durable Objects), with strict transformations on (STRICT_TRANSFORMATIONS=true).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker } from '../../scripts/lib/start-worker.mjs';

const root = join(import.meta.dirname, '../..');
const SECRET = 'node-admin-secret';
const TOKEN_KEY = 'a1b2c3d4e5f60718';
const API_KEY = /^API_KEY\s*=\s*"([^"]+)"/m.exec(readFileSync(join(root, 'wrangler.toml'), 'utf8'))![1];

let worker: Awaited<ReturnType<typeof startWorker>>;
let cloudinary: typeof import('cloudinary').v2;
let host: string;

beforeAll(async () => {
  worker = await startWorker({ secret: SECRET, vars: { STRICT_TRANSFORMATIONS: 'true', AUTH_TOKEN_KEY: TOKEN_KEY, API_KEYS: 'rotated-key:rotated-secret' } });
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

describe('cloudinary SDK: assets', () => {
  const upload = (publicId: string, options: Record<string, unknown> = {}) =>
    cloudinary.uploader.upload(join(root, 'samples/coffee.png'), { public_id: publicId, ...options });

  it('uploader.destroy drops the asset and its derived images', async () => {
    await upload('assets/gone');
    expect(await size(url('assets/gone', { width: 40, crop: 'scale', sign_url: true }))).toBe('40x27');
    expect(await cloudinary.uploader.destroy('assets/gone', { invalidate: true })).toEqual({ result: 'ok' });
    expect((await fetch(url('assets/gone', { width: 40, crop: 'scale', sign_url: true }))).status).toBe(404);
    expect(await cloudinary.uploader.destroy('assets/gone')).toEqual({ result: 'not found' });
  });

  it('uploader.rename, with overwrite and to_type', async () => {
    await upload('assets/from', { tags: ['kept'] });
    await upload('assets/taken');
    const renamed = await cloudinary.uploader.rename('assets/from', 'assets/to');
    expect(renamed).toMatchObject({ public_id: 'assets/to', type: 'upload', width: 600, height: 400, tags: ['kept'] });
    expect((await fetch(url('assets/from', { sign_url: true, format: 'png' }))).status).toBe(404);
    expect(await size(url('assets/to', { width: 30, crop: 'scale', sign_url: true }))).toBe('30x20');
    const refused = await failure(cloudinary.uploader.rename('assets/to', 'assets/taken'));
    expect(refused).toMatchObject({ http_code: 400, message: expect.stringMatching(/already exists/) });
    expect(await cloudinary.uploader.rename('assets/to', 'assets/taken', { overwrite: true })).toMatchObject({ public_id: 'assets/taken' });
    const moved = await cloudinary.uploader.rename('assets/taken', 'assets/secret', { to_type: 'authenticated' });
    expect(moved).toMatchObject({ public_id: 'assets/secret', type: 'authenticated' });
    expect(await size(url('assets/secret', { type: 'authenticated', width: 20, crop: 'scale', sign_url: true }))).toBe('20x13');
    expect((await failure(cloudinary.uploader.rename('assets/nosuch', 'assets/x'))).http_code).toBe(404);
  });

  it('add_tag, remove_tag, replace_tag, resources_by_tag and add_context', async () => {
    await upload('assets/t1', { tags: 'red,blue' });
    await upload('assets/t2');
    expect(await cloudinary.uploader.add_tag('green', ['assets/t1', 'assets/t2', 'assets/none'])).toEqual({ public_ids: ['assets/t1', 'assets/t2'] });
    expect(await cloudinary.uploader.remove_tag('red', ['assets/t1'])).toEqual({ public_ids: ['assets/t1'] });
    const green = await cloudinary.api.resources_by_tag('green', { tags: true });
    expect(green.resources.map((r: { public_id: string }) => r.public_id).sort()).toEqual(['assets/t1', 'assets/t2']);
    expect(green.resources.find((r: { public_id: string }) => r.public_id === 'assets/t1')!.tags.sort()).toEqual(['blue', 'green']);
    await cloudinary.uploader.replace_tag('solo', ['assets/t2']);
    expect((await cloudinary.api.resources_by_tag('green')).resources.map((r: { public_id: string }) => r.public_id)).toEqual(['assets/t1']);
    expect(await cloudinary.uploader.add_context({ alt: 'a cup = coffee', caption: 'x|y' } as unknown as string, ['assets/t2'])).toEqual({
      public_ids: ['assets/t2'],
    });
    const details = await cloudinary.api.resource('assets/t2');
    expect(details).toMatchObject({ tags: ['solo'], context: { custom: { alt: 'a cup = coffee', caption: 'x|y' } } });
  });

  it('api.resources pages with prefix, type, max_results and next_cursor', async () => {
    for (const n of ['a', 'b', 'c']) await upload(`listing/${n}`);
    const seen: string[] = [];
    let next_cursor: string | undefined;
    do {
      const page = await cloudinary.api.resources({ type: 'upload', prefix: 'listing/', max_results: 2, ...(next_cursor ? { next_cursor } : {}) });
      expect(page.resources.length).toBeLessThanOrEqual(2);
      seen.push(...page.resources.map((r: { public_id: string }) => r.public_id));
      next_cursor = page.next_cursor;
    } while (next_cursor);
    expect(seen).toEqual(['listing/a', 'listing/b', 'listing/c']);
    expect((await failure(cloudinary.api.resources({ type: 'upload', max_results: 501 }))).http_code).toBe(400);
  });

  it('api.resource lists derived images; delete_derived_resources and delete_resources drop them', async () => {
    await upload('assets/d1');
    await upload('assets/d2');
    // explicit's eager images are in R2 when it answers (a delivery's copy is written after its response).
    const made = await cloudinary.uploader.explicit('assets/d1', {
      type: 'upload',
      eager: [
        { width: 50, crop: 'scale' },
        { width: 60, crop: 'scale' },
      ],
    });
    expect(made.eager.map((e: { width: number; height: number }) => `${e.width}x${e.height}`)).toEqual(['50x33', '60x40']);
    const details = await cloudinary.api.resource('assets/d1');
    expect(details).toMatchObject({ public_id: 'assets/d1', width: 600, height: 400 });
    expect(details.derived.map((d: { transformation: string }) => d.transformation).sort()).toEqual(['c_scale,w_50', 'c_scale,w_60']);
    const w50 = details.derived.find((d: { transformation: string }) => d.transformation === 'c_scale,w_50');
    expect(await cloudinary.api.delete_derived_resources([w50.id])).toEqual({ deleted: { [w50.id]: 'deleted' } });
    expect((await cloudinary.api.resource('assets/d1')).derived).toHaveLength(1);
    const result = await cloudinary.api.delete_resources(['assets/d1', 'assets/d2', 'assets/nope']);
    expect(result.deleted).toEqual({ 'assets/d1': 'deleted', 'assets/d2': 'deleted', 'assets/nope': 'not_found' });
    expect(result.deleted_counts['assets/d1']).toEqual({ original: 1, derived: 1 });
    expect((await failure(cloudinary.api.resource('assets/d1'))).http_code).toBe(404);
  });
});

describe('cloudinary SDK: token auth for authenticated images', () => {
  it('a URL token from url(..., { sign_url, auth_token }) and an ACL token from generate_auth_token', async () => {
    await cloudinary.uploader.upload(join(root, 'samples/coffee.png'), { public_id: 'tokens/cup', type: 'authenticated' });
    const plain = url('tokens/cup', { type: 'authenticated', width: 80, crop: 'scale' });
    expect((await fetch(plain)).status).toBe(401);
    const tokenUrl = url('tokens/cup', { type: 'authenticated', width: 80, crop: 'scale', sign_url: true, auth_token: { key: TOKEN_KEY, duration: 300 } });
    expect(tokenUrl).toContain('__cld_token__=');
    expect(tokenUrl).not.toContain('s--');
    expect(await size(tokenUrl)).toBe('80x53');
    const wrongKey = url('tokens/cup', { type: 'authenticated', width: 80, crop: 'scale', sign_url: true, auth_token: { key: 'ffff', duration: 300 } });
    expect((await fetch(wrongKey)).status).toBe(401);
    const expired = url('tokens/cup', {
      type: 'authenticated',
      width: 80,
      crop: 'scale',
      sign_url: true,
      auth_token: { key: TOKEN_KEY, start_time: 1000, expiration: 2000 },
    });
    expect((await fetch(expired)).headers.get('X-Cld-Error')).toMatch(/expired/);

    const acl = cloudinary.utils.generate_auth_token({ key: TOKEN_KEY, duration: 300, acl: '/image/authenticated/*' });
    const original = url('tokens/cup', { type: 'authenticated', format: 'png' });
    expect((await fetch(`${original}&${acl}`)).status).toBe(200);
    expect((await fetch(original, { headers: { Cookie: acl } })).status).toBe(200);
    const other = cloudinary.utils.generate_auth_token({ key: TOKEN_KEY, duration: 300, acl: '/image/upload/*' });
    expect((await fetch(original, { headers: { Cookie: other } })).status).toBe(401);
  });
});

describe('cloudinary SDK: a second API key (API_KEYS)', () => {
  it('uploads, Admin API calls and signed URLs work with either pair', async () => {
    const second = { api_key: 'rotated-key', api_secret: 'rotated-secret' };
    const up = await cloudinary.uploader.upload(join(root, 'samples/coffee.png'), { public_id: 'keys/cup', ...second });
    expect(up).toMatchObject({ public_id: 'keys/cup' });
    expect((await cloudinary.api.resource('keys/cup', second)).public_id).toBe('keys/cup');
    expect(await size(url('keys/cup', { width: 33, crop: 'scale', sign_url: true, ...second }))).toBe('33x22');
    expect(await size(url('keys/cup', { width: 34, crop: 'scale', sign_url: true }))).toBe('34x23');
    expect((await fetch(url('keys/cup', { width: 35, crop: 'scale', sign_url: true, api_secret: 'nope' }))).status).toBe(401);
    expect((await failure(cloudinary.api.resource('keys/cup', { api_key: 'rotated-key', api_secret: SECRET }))).http_code).toBe(401);
  });
});
