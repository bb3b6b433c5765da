// Named transformations: the Admin API (Basic auth) and t_<name> in delivery URLs, strict transformations.
import { env } from 'cloudflare:workers';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { deliverySignature } from '../../src/url/signature';
import { CLOUD, dims, fixture, get, image, SECRET, upload } from './worker';

const endpoint = `/v1_1/${CLOUD}/transformations`;
const basic = (secret = SECRET) => ({ Authorization: `Basic ${btoa(`${env.API_KEY}:${secret}`)}` });

async function adminCall(method: string, params: Record<string, string>, secret = SECRET): Promise<{ status: number; body: Record<string, unknown> }> {
  const form = new URLSearchParams(params).toString();
  const res = await worker.fetch(
    new Request(`http://localhost${endpoint}${method === 'GET' ? `?${form}` : ''}`, {
      method,
      headers: { ...basic(secret), 'Content-Type': 'application/x-www-form-urlencoded' },
      ...(method === 'GET' ? {} : { body: form }),
    }),
    env,
    createExecutionContext(),
  );
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const create = (name: string, transformation: string, extra: Record<string, string> = {}) => adminCall('POST', { name, transformation, ...extra });

describe('named transformations: Admin API', () => {
  it('creates, reads, lists, updates and deletes one', async () => {
    expect(await create('api_thumb', 'c_fill,h_40,w_60')).toEqual({ status: 200, body: { message: 'created' } });
    const details = await adminCall('GET', { transformation: 'api_thumb' });
    expect(details.body).toMatchObject({ name: 't_api_thumb', allowed_for_strict: false, named: true, info: [{ crop: 'fill', height: 40, width: 60 }] });
    expect((await adminCall('GET', { transformation: 't_api_thumb' })).body).toMatchObject({ name: 't_api_thumb' });
    const listed = await adminCall('GET', { max_results: '500' });
    expect(listed.body.transformations).toContainEqual({ name: 't_api_thumb', allowed_for_strict: false, named: true });
    expect(await adminCall('PUT', { transformation: 'api_thumb', allowed_for_strict: 'true', unsafe_update: 'c_scale,w_30' })).toEqual({
      status: 200,
      body: { message: 'updated' },
    });
    expect((await adminCall('GET', { transformation: 'api_thumb' })).body).toMatchObject({ allowed_for_strict: true, info: [{ crop: 'scale', width: 30 }] });
    expect(await adminCall('DELETE', { transformation: 'api_thumb' })).toEqual({ status: 200, body: { message: 'deleted' } });
    expect((await adminCall('GET', { transformation: 'api_thumb' })).status).toBe(404);
  });

  it('takes the name in the path too (older SDKs) and JSON bodies (pycloudinary)', async () => {
    const byPath = (method: string, name: string, body?: string) =>
      worker.fetch(
        new Request(`http://localhost${endpoint}/${name}`, { method, headers: { ...basic(), 'Content-Type': 'application/json' }, ...(body ? { body } : {}) }),
        env,
        createExecutionContext(),
      );
    expect((await byPath('POST', 'path_form', JSON.stringify({ transformation: 'c_scale,w_12' }))).status).toBe(200);
    expect(await (await byPath('GET', 'path_form')).json()).toMatchObject({ name: 't_path_form', info: [{ crop: 'scale', width: 12 }] });
    expect((await byPath('PUT', 'path_form', JSON.stringify({ allowed_for_strict: true }))).status).toBe(200);
    expect(await (await byPath('GET', 'path_form')).json()).toMatchObject({ allowed_for_strict: true });
    expect((await byPath('DELETE', 'path_form')).status).toBe(200);
    expect((await byPath('GET', 'path_form')).status).toBe(404);
  });

  it('pages the list with an opaque cursor', async () => {
    for (const n of ['page_a', 'page_b', 'page_c']) await create(n, 'w_10');
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const { body } = await adminCall('GET', { max_results: '1', ...(cursor ? { next_cursor: cursor } : {}) });
      seen.push(...(body.transformations as { name: string }[]).map((t) => t.name));
      cursor = body.next_cursor as string | undefined;
    } while (cursor);
    expect(seen).toEqual(expect.arrayContaining(['t_page_a', 't_page_b', 't_page_c']));
    expect((await adminCall('GET', { next_cursor: 'not-a-cursor' })).status).toBe(400);
    expect((await adminCall('GET', { max_results: '501' })).status).toBe(400);
  });

  const refusals: [string, Record<string, string>, number, RegExp][] = [
    ['dpr_auto', { name: 'bad1', transformation: 'c_scale,dpr_auto,w_100' }, 400, /cannot contain dpr_auto/],
    ['w_auto', { name: 'bad2', transformation: 'c_scale,w_auto' }, 400, /cannot contain w_auto/],
    ['f_auto', { name: 'bad3', transformation: 'w_100/f_auto' }, 400, /cannot contain f_auto/],
    ['a bad parameter', { name: 'bad4', transformation: 'w_abc' }, 400, /Invalid width/],
    ['itself', { name: 'bad5', transformation: 'w_10/t_bad5' }, 400, /refers to itself/],
    ['an extension', { name: 'bad6', transformation: 'w_10/jpg' }, 400, /no extension/],
    ['a bad name', { name: 'a.b', transformation: 'w_10' }, 400, /Invalid transformation name/],
    ['no name', { transformation: 'w_10' }, 400, /Missing required parameter - name/],
  ];
  for (const [what, params, status, message] of refusals)
    it(`refuses a definition with ${what}`, async () => {
      const res = await adminCall('POST', params);
      expect(res.status).toBe(status);
      expect((res.body.error as { message: string }).message).toMatch(message);
    });

  it('refuses a second create of a name (409), unknown names (404) and wrong credentials (401)', async () => {
    await create('twice', 'w_10');
    expect((await create('twice', 'w_20')).status).toBe(409);
    expect((await adminCall('PUT', { transformation: 'nosuch', allowed_for_strict: 'true' })).status).toBe(404);
    expect((await adminCall('DELETE', { transformation: 'nosuch' })).status).toBe(404);
    expect((await adminCall('GET', {}, 'wrong')).status).toBe(401);
    expect((await adminCall('POST', { name: 'x', transformation: 'w_1' }, 'wrong')).status).toBe(401);
  });
});

describe('t_<name> in delivery URLs', () => {
  it('expands, chained and mixed with other components, nested, and matches the explicit chain', async () => {
    await upload('named/cam', await fixture('medium.jpg')); // 640x427
    await create('n_fill', 'c_fill,h_100,w_200');
    await create('n_half', 'c_scale,w_0.5');
    await create('n_nested', 't_n_fill/t_n_half');
    expect(dims((await image(`/${CLOUD}/image/upload/t_n_fill/named/cam.jpg`)).header)).toBe('200x100');
    expect(dims((await image(`/${CLOUD}/image/upload/t_n_fill/c_scale,w_50/named/cam.jpg`)).header)).toBe('50x25');
    expect(dims((await image(`/${CLOUD}/image/upload/t_n_fill.n_half/named/cam.jpg`)).header)).toBe('100x50');
    expect(dims((await image(`/${CLOUD}/image/upload/t_n_nested/named/cam.jpg`)).header)).toBe('100x50');
    // Its other parameters apply after the names.
    expect(dims((await image(`/${CLOUD}/image/upload/c_scale,t_n_fill,w_20/named/cam.jpg`)).header)).toBe('20x10');
    const named = await image(`/${CLOUD}/image/upload/t_n_fill/e_grayscale/named/cam.png`);
    const plain = await image(`/${CLOUD}/image/upload/c_fill,h_100,w_200/e_grayscale/named/cam.png`);
    expect(plain.bytes).toEqual(named.bytes);
  });

  it('answers 400 for an unknown name, a cycle and a chain nested too deep', async () => {
    await upload('named/small', await fixture('small.jpg'));
    const unknown = await get(`/${CLOUD}/image/upload/t_no_such_name/named/small.jpg`);
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('X-Cld-Error')).toMatch(/Unknown transformation t_no_such_name/);
    // A cycle through two definitions (each was valid when written).
    await create('cyc_a', 'w_10');
    await create('cyc_b', 't_cyc_a');
    await adminCall('PUT', { transformation: 'cyc_a', unsafe_update: 't_cyc_b' });
    const cycle = await get(`/${CLOUD}/image/upload/t_cyc_a/named/small.jpg`);
    expect(cycle.status).toBe(400);
    expect(cycle.headers.get('X-Cld-Error')).toMatch(/refers to itself/);
    await create('deep0', 'w_10');
    for (let i = 1; i <= 6; i++) await create(`deep${i}`, `t_deep${i - 1}`);
    expect(dims((await image(`/${CLOUD}/image/upload/t_deep4/named/small.jpg`)).header)).toMatch(/^10x/);
    const deep = await get(`/${CLOUD}/image/upload/t_deep6/named/small.jpg`);
    expect(deep.status).toBe(400);
    expect(deep.headers.get('X-Cld-Error')).toMatch(/nested too deeply/);
  });

  it('an update or a delete reaches the derived images built through it', async () => {
    await upload('named/upd', await fixture('medium.jpg'));
    await create('n_upd', 'c_scale,w_100');
    const path = `/${CLOUD}/image/upload/t_n_upd/named/upd.jpg`;
    expect(dims((await image(path)).header)).toBe('100x67');
    expect((await image(path)).res.headers.get('X-Dprox-Cache')).toMatch(/^hit-/);
    await adminCall('PUT', { transformation: 'n_upd', unsafe_update: 'c_scale,w_50' });
    const after = await image(path);
    expect(after.res.headers.get('X-Dprox-Cache')).toBe('miss');
    expect(dims(after.header)).toBe('50x33');
    await adminCall('DELETE', { transformation: 'n_upd' });
    expect((await get(path)).status).toBe(400);
  });
});

describe('strict transformations (STRICT_TRANSFORMATIONS=true)', () => {
  const strictEnv = { ...env, STRICT_TRANSFORMATIONS: 'true' };
  const fetchStrict = async (path: string) => {
    const ctx = createExecutionContext();
    const res = await worker.fetch(new Request(`http://localhost${path}`), strictEnv, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  };

  it('serves signed URLs, existing derived images, the original and allowed named ones; refuses the rest with 401', async () => {
    await upload('strict/cam', await fixture('medium.jpg'));
    await create('s_allowed', 'c_scale,w_90', { allowed_for_strict: 'true' });
    await create('s_denied', 'c_scale,w_80');
    const base = `/${CLOUD}/image/upload`;
    const refused = await fetchStrict(`${base}/c_scale,w_70/strict/cam.jpg`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('X-Cld-Error')).toMatch(/Transformation c_scale,w_70 is not allowed/);
    expect((await fetchStrict(`${base}/t_s_denied/strict/cam.jpg`)).status).toBe(401);
    expect((await fetchStrict(`${base}/t_s_allowed/c_scale,w_10/strict/cam.jpg`)).status).toBe(401);
    expect((await fetchStrict(`${base}/t_s_allowed/strict/cam.jpg`)).status).toBe(200);
    expect((await fetchStrict(`${base}/strict/cam.jpg`)).status).toBe(200);
    const sig = await deliverySignature('c_scale,w_70/strict/cam.jpg', SECRET, 'sha1', 8);
    expect((await fetchStrict(`${base}/s--${sig}--/c_scale,w_70/strict/cam.jpg`)).status).toBe(200);
    // Now that the signed URL made it, the unsigned one is an existing derived image.
    const existing = await fetchStrict(`${base}/c_scale,w_70/strict/cam.jpg`);
    expect(existing.status).toBe(200);
    expect(existing.headers.get('X-Dprox-Cache')).toMatch(/^hit-/);
  });
});
