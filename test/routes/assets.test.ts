// The asset calls over HTTP: destroy, rename, tags, context (signed forms) and the Admin API's resources (Basic auth).
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { CLOUD, fixture, get, image, postForm, SECRET, signedForm, upload } from './worker';

const api = (path: string) => `/v1_1/${CLOUD}${path}`;
const basic = { Authorization: `Basic ${btoa(`${env.API_KEY}:${SECRET}`)}` };

async function call(path: string, params: Record<string, string | string[]>) {
  const form = await signedForm(Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v])));
  // Lists go as name[] fields, as the SDKs send them (signed joined with commas).
  for (const [k, v] of Object.entries(params))
    if (Array.isArray(v)) {
      form.delete(k);
      for (const item of v) form.append(`${k}[]`, item);
    }
  const res = await postForm(api(path), form);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function admin(method: string, path: string, query = '') {
  const res = await get(api(`${path}${query ? `?${query}` : ''}`), basic, method);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('destroy and rename', () => {
  it('destroy drops the derived images in R2 and the edge cache, and the cached untouched original', async () => {
    const { version } = (await upload('http/gone', await fixture('small.jpg'))) as { version: number };
    const derived = `/${CLOUD}/image/upload/c_scale,w_20/http/gone.jpg`;
    const original = `/${CLOUD}/image/upload/v${version}/http/gone.jpg`;
    await image(derived);
    await image(original);
    expect((await image(derived)).res.headers.get('X-Dprox-Cache')).toBe('hit-edge');
    expect((await image(original)).res.headers.get('X-Dprox-Cache')).toBe('hit-edge');
    expect(await call('/image/destroy', { public_id: 'http/gone' })).toEqual({ status: 200, body: { result: 'ok' } });
    expect((await get(derived)).status).toBe(404);
    expect((await get(original)).status).toBe(404);
    expect((await env.IMAGES.list({ prefix: `derived/${CLOUD}/upload/http/gone/` })).objects).toHaveLength(0);
  });

  it('an unsigned or wrongly signed destroy is refused', async () => {
    await upload('http/kept', await fixture('small.jpg'));
    const form = new FormData();
    form.set('public_id', 'http/kept');
    expect((await postForm(api('/image/destroy'), form)).status).toBe(401);
    const wrong = await signedForm({ public_id: 'http/kept' }, undefined, 'wrong');
    expect((await postForm(api('/image/destroy'), wrong)).status).toBe(401);
    expect((await get(`/${CLOUD}/image/upload/http/kept.jpg`)).status).toBe(200);
  });

  it('rename moves the original, drops the old derived images and refuses a taken name without overwrite (400)', async () => {
    await upload('http/a', await fixture('small.jpg'));
    await upload('http/b', await fixture('medium.jpg'));
    await image(`/${CLOUD}/image/upload/c_scale,w_20/http/a.jpg`);
    expect((await call('/image/rename', { from_public_id: 'http/a', to_public_id: 'http/b' })).status).toBe(400);
    const moved = await call('/image/rename', { from_public_id: 'http/a', to_public_id: 'http/c' });
    expect(moved.body).toMatchObject({ public_id: 'http/c', width: 200 });
    expect((await env.IMAGES.list({ prefix: `derived/${CLOUD}/upload/http/a/` })).objects).toHaveLength(0);
    expect((await get(`/${CLOUD}/image/upload/c_scale,w_20/http/a.jpg`)).status).toBe(404);
    expect((await get(`/${CLOUD}/image/upload/http/c.jpg`)).status).toBe(200);
  });
});

describe('tags, context and resources', () => {
  it('bounds tags and context, and keeps a folder out of its parent asset’s derived list', async () => {
    await upload('http/t', await fixture('small.jpg'));
    await upload('http/t/child', await fixture('small.jpg'));
    const many = Array.from({ length: 101 }, (_, i) => `t${i}`).join(',');
    expect((await call('/image/tags', { command: 'add', tag: many, public_ids: ['http/t'] })).status).toBe(400);
    expect((await call('/image/tags', { command: 'set_exclusive', tag: 'x', public_ids: ['http/t'] })).status).toBe(400);
    expect((await call('/image/context', { command: 'add', context: `k=${'v'.repeat(1025)}`, public_ids: ['http/t'] })).status).toBe(400);
    expect((await call('/image/context', { command: 'add', context: 'a\\=b=c\\|d|e=f', public_ids: ['http/t'] })).body).toEqual({ public_ids: ['http/t'] });
    await image(`/${CLOUD}/image/upload/c_scale,w_30/http/t/child.jpg`);
    const details = await admin('GET', '/resources/image/upload/http/t');
    expect(details.body).toMatchObject({ public_id: 'http/t', context: { custom: { 'a=b': 'c|d', e: 'f' } }, derived: [] });
  });

  it('lists are bounded and their cursors opaque; deletes take at most 100 public IDs', async () => {
    expect((await admin('GET', '/resources/image/upload', 'max_results=501')).status).toBe(400);
    expect((await admin('GET', '/resources/image/upload', 'next_cursor=%2Fetc')).status).toBe(400);
    expect((await admin('GET', '/resources/image/nosuchtype')).status).toBe(400);
    const ids = Array.from({ length: 101 }, (_, i) => `public_ids[]=x${i}`).join('&');
    expect((await admin('DELETE', '/resources/image/upload', ids)).status).toBe(400);
    expect((await admin('GET', '/resources/image/upload', '')).status).toBe(200);
    expect((await get(api('/resources/image/upload'))).status).toBe(401);
  });

  it('delete_resources by prefix, keep_original keeps the original', async () => {
    await upload('http/p/one', await fixture('small.jpg'));
    await image(`/${CLOUD}/image/upload/c_scale,w_10/http/p/one.jpg`);
    const kept = await admin('DELETE', '/resources/image/upload', 'prefix=http/p/&keep_original=true');
    expect(kept.body).toMatchObject({ deleted: { 'http/p/one': 'deleted' }, deleted_counts: { 'http/p/one': { original: 0, derived: 1 } }, partial: false });
    expect((await get(`/${CLOUD}/image/upload/http/p/one.jpg`)).status).toBe(200);
    await admin('DELETE', '/resources/image/upload', 'prefix=http/p/');
    expect((await get(`/${CLOUD}/image/upload/http/p/one.jpg`)).status).toBe(404);
  });
});
