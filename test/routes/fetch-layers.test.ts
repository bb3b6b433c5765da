// Fetch layers (l_fetch:/u_fetch:<base64url of a URL>) through the Worker: the remote origin is
// test/remote/origin-server.ts under the allowlisted alias host origin.test (as in fetch.test.ts).
import { env } from 'cloudflare:workers';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { decode } from '../../src/codecs/decode';
import worker from '../../src/index';
import type { Raster } from '../../src/pixels/raster';
import { fetchedKey } from '../../src/remote';
import { formatLayerId, layerId } from '../../src/url/layer-id';
import { deliverySignature } from '../../src/url/signature';
import { px } from '../pixels/util';
import { CLOUD, fixture, get, image, SECRET, upload } from './worker';

const origin = inject('remoteOrigin');
const base = `/${CLOUD}/image/upload`;
const b64url = (s: string) => btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

async function hits(path: string): Promise<{ total: number }> {
  return (await fetch(`${origin}/hits?p=${encodeURIComponent(path)}`)).json();
}

async function raster(path: string): Promise<Raster> {
  const { bytes, header } = await image(path);
  return decode(bytes, header);
}

async function refusal(res: Response): Promise<{ status: number; reason: string | null }> {
  await res.body?.cancel();
  return { status: res.status, reason: res.headers.get('X-Cld-Error') };
}

async function withEnv(path: string, overrides: Record<string, string>): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`http://localhost${path}`), { ...env, ...overrides }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

const near = (a: number[], b: number[], tol: number) => a.every((v, i) => Math.abs(v - b[i]) <= tol);
const isBlue = (p: number[]) => near(p, [0, 0, 255, 255], 2);

beforeAll(async () => {
  await upload('fetch-layers/pepper', await fixture('pepper.jpg')); // 600x400
});

describe('l_fetch / u_fetch', () => {
  it('l_fetch composites the remote PNG where fl_layer_apply puts it; the origin is asked once', async () => {
    const path = '/img/blue-40x20.png?n=overlay';
    const layer = b64url(`https://origin.test${path}`);
    const url = `${base}/c_scale,w_300/l_fetch:${layer}/fl_layer_apply,g_north_west,x_10,y_5/fetch-layers/pepper.png`;
    const r = await raster(url);
    expect([r.width, r.height]).toEqual([300, 200]);
    expect(isBlue(px(r, 10, 5)) && isBlue(px(r, 49, 24))).toBe(true);
    expect(isBlue(px(r, 9, 10)) || isBlue(px(r, 50, 10)) || isBlue(px(r, 20, 25))).toBe(false);
    // Padded base64 is the same layer: the fetched copy is reused, the origin not asked again.
    const padded = await raster(url.replace(layer, btoa(`https://origin.test${path}`).replace(/\+/g, '-').replace(/\//g, '_')));
    expect(isBlue(px(padded, 10, 5))).toBe(true);
    expect((await hits(path)).total).toBe(1);
  });

  it('u_fetch puts the remote image under the base: it shows where the base is transparent', async () => {
    const layer = b64url('https://origin.test/img/blue-40x20.png?n=underlay');
    const r = await raster(`${base}/c_fill,w_100,h_100,r_max/u_fetch:${layer}/c_scale,w_100,h_100/fl_layer_apply/fetch-layers/pepper.png`);
    expect([r.width, r.height]).toEqual([100, 100]);
    expect(isBlue(px(r, 1, 1))).toBe(true); // outside the circle: the underlay
    expect(isBlue(px(r, 50, 50))).toBe(false); // the pepper
  });

  it('a changed remote layer makes a new derived image (its ETag is in the key)', async () => {
    const id = `layer-${Date.now()}`;
    await fetch(`${origin}/set/${id}?fixture=blue-40x20.png`);
    const layer = b64url(`https://origin.test/mutable/${id}`);
    const url = `${base}/c_scale,w_300/l_fetch:${layer}/fl_layer_apply,g_north_west/fetch-layers/pepper.png`;
    const first = await raster(url);
    expect(isBlue(px(first, 5, 5))).toBe(true);
    await fetch(`${origin}/set/${id}?fixture=green-half.png`);
    // Past FETCH_TTL the copy is revalidated: new bytes, a new key, a new composite.
    const k = await fetchedKey(CLOUD, `https://origin.test/mutable/${id}`);
    const obj = await env.IMAGES.get(k);
    if (!obj) throw new Error('no fetched copy');
    await env.IMAGES.put(k, await obj.arrayBuffer(), { httpMetadata: obj.httpMetadata, customMetadata: { ...obj.customMetadata, fetchedAt: '0' } });
    const second = await raster(url);
    expect(isBlue(px(second, 5, 5))).toBe(false);
    expect(px(second, 5, 5)[1]).toBeGreaterThan(100); // green over the pepper
  });

  it('the canonical form is url-safe base64 without padding (what the SDKs write)', async () => {
    const ref = layerId('l')(`fetch:${btoa('https://origin.test/a.png?x=1')}`);
    expect(ref).toBe('fetch:https://origin.test/a.png?x=1');
    expect(formatLayerId(ref)).toBe(`fetch:${b64url('https://origin.test/a.png?x=1')}`);
  });
});

describe('fetch layers are refused as fetch delivery refuses', () => {
  const path = '/img/blue-40x20.png?n=refused';
  const layerUrl = (u: string) => `${base}/l_fetch:${b64url(u)}/fl_layer_apply/fetch-layers/pepper.png`;

  it('FETCH_ALLOWED_HOSTS empty (the default): 401 before the origin is asked', async () => {
    const res = await withEnv(layerUrl(`https://origin.test${path}`), { FETCH_ALLOWED_HOSTS: '' });
    expect(await refusal(res)).toEqual({ status: 401, reason: expect.stringMatching(/Remote fetch is disabled/) });
    expect((await hits(path)).total).toBe(0);
  });

  it('a host not on the list: 401; localhost and private addresses: 400, nothing fetched', async () => {
    expect(await refusal(await get(layerUrl('https://example.com/x.png')))).toEqual({
      status: 401,
      reason: 'Remote host example.com is not in the allowed fetch hosts',
    });
    for (const u of ['https://localhost/x.png', 'https://10.0.0.1/x.png', 'http://127.0.0.1:1/x.png']) {
      const { status, reason } = await refusal(await get(layerUrl(u)));
      expect(status, u).toBe(400);
      expect(reason, u).toMatch(/Remote|http/);
    }
  });

  it('FETCH_SIGNED_ONLY: an unsigned URL with a fetch layer is 401, a signed one composites', async () => {
    const components = `c_scale,w_300/l_fetch:${b64url(`https://origin.test/img/blue-40x20.png?n=signed`)}/fl_layer_apply,g_north_west`;
    const unsigned = await withEnv(`${base}/${components}/fetch-layers/pepper.png`, { FETCH_SIGNED_ONLY: 'true' });
    expect(await refusal(unsigned)).toEqual({ status: 401, reason: expect.stringMatching(/FETCH_SIGNED_ONLY/) });
    const sig = await deliverySignature(`${components}/fetch-layers/pepper.png`, SECRET, 'sha1', 8);
    const signed = await withEnv(`${base}/s--${sig}--/${components}/fetch-layers/pepper.png`, { FETCH_SIGNED_ONLY: 'true' });
    expect(signed.status).toBe(200);
    await signed.body?.cancel();
  });

  it('invalid base64 or a value that is not a URL: 400 naming the overlay', async () => {
    for (const v of ['fetch:@@@', 'fetch:', `fetch:${b64url('not a url')}`, 'fetch:A']) {
      const { status, reason } = await refusal(await get(`${base}/l_${v}/fl_layer_apply/fetch-layers/pepper.png`));
      expect(status, v).toBe(400);
      expect(reason, v).toMatch(/Invalid overlay/);
    }
  });

  it('a remote layer that is not an image: 4xx with the reason', async () => {
    const { status, reason } = await refusal(await get(layerUrl('https://origin.test/html')));
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
    expect(reason).toBeTruthy();
  });
});
