// Fetch delivery (issue #14) through the Worker: /<cloud>/image/fetch/[s--sig--/][components/]<remote URL>.
// The remote origin is test/remote/origin-server.ts under the alias host origin.test (vitest.config.ts
// forwards it there and allowlists it in the Worker's FETCH_ALLOWED_HOSTS); every other host is refused.
import { env } from 'cloudflare:workers';
import { describe, expect, inject, it } from 'vitest';
import { config } from '../../src/config';
import { fetchedKey, fetchPolicyFromEnv } from '../../src/remote';
import { assertRemoteUrl } from '../../src/remote/policy';
import { deliverySignature } from '../../src/url/signature';
import { CLOUD, SECRET, dims, get, image, postForm, signedForm } from './worker';

const origin = inject('remoteOrigin');
const base = `/${CLOUD}/image/fetch`;
const remote = (path: string) => `https://origin.test${path}`;

/** What the test origin has seen for one path (and query). */
async function hits(path: string): Promise<{ total: number; conditional: number; notModified: number }> {
  return (await fetch(`${origin}/hits?p=${encodeURIComponent(path)}`)).json();
}

/** Makes the stored copy of `url` look fetched long ago (FETCH_TTL is 7 days). */
async function age(url: string): Promise<void> {
  const key = await fetchedKey(CLOUD, url);
  const obj = await env.IMAGES.get(key);
  if (!obj) throw new Error(`no fetched copy of ${url}`);
  await env.IMAGES.put(key, await obj.arrayBuffer(), { httpMetadata: obj.httpMetadata, customMetadata: { ...obj.customMetadata, fetchedAt: '0' } });
}

async function refusal(path: string): Promise<{ status: number; reason: string | null }> {
  const res = await get(path);
  await res.body?.cancel();
  return { status: res.status, reason: res.headers.get('X-Cld-Error') };
}

describe('fetch is off unless hosts are allowed', () => {
  it('no FETCH_ALLOWED_HOSTS: disabled, 401 as Cloudinary answers a restricted fetch', () => {
    expect(fetchPolicyFromEnv({}).allowedHosts).toEqual([]);
    let err: unknown;
    try {
      assertRemoteUrl('https://example.com/a.jpg', config({}).fetchPolicy);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ status: 401, message: expect.stringMatching(/Remote fetch is disabled/) });
  });

  it('a host not on the list is refused with 401 before anything is requested', async () => {
    expect(await refusal(`${base}/https://example.com/x.jpg`)).toEqual({ status: 401, reason: 'Remote host example.com is not in the allowed fetch hosts' });
  });
});

describe('fetched originals', () => {
  it('transforms a fetched JPEG, plain or percent-encoded, and caches the original and the derived image', async () => {
    const url = remote('/img/medium.jpg?type=image/jpeg&n=1');
    const path = '/img/medium.jpg?type=image/jpeg&n=1';
    const plain = `${base}/c_scale,w_150/https://origin.test/img/medium.jpg%3Ftype%3Dimage%2Fjpeg%26n%3D1`;
    const first = await image(plain);
    expect(dims(first.header)).toBe('150x100'); // medium.jpg is 640x427
    expect(first.res.headers.get('X-Dprox-Cache')).toBe('miss');
    expect(await hits(path)).toMatchObject({ total: 1 });

    // The same URL percent-encoded whole, another transformation: the stored original, no origin request.
    const encoded = await image(`${base}/c_scale,w_100/${encodeURIComponent(url)}`);
    expect(dims(encoded.header)).toBe('100x67');
    // f_auto as for uploads.
    const auto = await image(`${base}/f_auto,w_120/${encodeURIComponent(url)}`, { Accept: 'image/webp,*/*' });
    expect(auto.header.format).toBe('webp');
    // The first one again: a stored derived image.
    const again = await get(plain);
    expect(again.status).toBe(200);
    expect(['hit-edge', 'hit-r2']).toContain(again.headers.get('X-Dprox-Cache'));
    await again.body?.cancel();
    expect(await hits(path)).toMatchObject({ total: 1 });
  });

  it('the untouched original is served as fetched', async () => {
    const got = await image(`${base}/https://origin.test/img/alpha.png`);
    expect(got.header.format).toBe('png');
    expect(dims(got.header)).toBe('256x256');
    expect(got.res.headers.get('X-Dprox-Cache')).toBe('original');
  });

  it('stale: a conditional request, a 304 keeps the copy and its derived images', async () => {
    const path = '/img/small.jpg?n=stale';
    const url = remote(path);
    const at = `${base}/w_50/${encodeURIComponent(url)}`;
    const first = await image(at);
    expect(dims(first.header)).toBe('50x76'); // small.jpg is 200x303
    await age(url);
    const second = await get(at);
    expect(second.status).toBe(200);
    expect(second.headers.get('X-Dprox-Cache')).not.toBe('miss'); // the derived image was kept
    await second.body?.cancel();
    expect(await hits(path)).toEqual({ total: 2, conditional: 1, notModified: 1 });
    // Fresh again: no request.
    await (await get(`${base}/w_40/${encodeURIComponent(url)}`)).body?.cancel();
    await new Promise((r) => setTimeout(r, 50)); // the metadata is rewritten after the response
    await (await get(`${base}/w_30/${encodeURIComponent(url)}`)).body?.cancel();
    expect((await hits(path)).total).toBe(2);
  });

  it('changed at the origin: new bytes after the TTL, the old derived images dropped', async () => {
    const id = `m${Date.now()}`;
    await fetch(`${origin}/set/${id}?fixture=medium.jpg`);
    const url = remote(`/mutable/${id}`);
    const at = `${base}/w_64/${encodeURIComponent(url)}`;
    expect(dims((await image(at)).header)).toBe('64x43');
    await fetch(`${origin}/set/${id}?fixture=small.jpg`);
    // Within the TTL the stored copy is used.
    expect(dims((await image(at)).header)).toBe('64x43');
    await age(url);
    const changed = await image(at);
    expect(dims(changed.header)).toBe('64x97');
    expect(changed.res.headers.get('X-Dprox-Cache')).toBe('miss');
    expect(await hits(`/mutable/${id}`)).toMatchObject({ total: 2, conditional: 1, notModified: 0 });
  });

  it('origin error while a stale copy exists: the stale copy, cached briefly', async () => {
    const id = `e${Date.now()}`;
    await fetch(`${origin}/set/${id}?fixture=small.jpg`);
    const url = remote(`/mutable/${id}`);
    expect(dims((await image(`${base}/w_20/${encodeURIComponent(url)}`)).header)).toBe('20x30');
    await age(url);
    await fetch(`${origin}/set/${id}?fixture=no-such-file.jpg`); // the origin now answers 404
    const stale = await image(`${base}/w_21/${encodeURIComponent(url)}`);
    expect(dims(stale.header)).toBe('21x32');
    expect(stale.res.headers.get('X-Dprox-Fetch')).toBe('stale');
    expect(stale.res.headers.get('Cache-Control')).toBe('public, max-age=60');
  });
});

describe('refused remote URLs', () => {
  const cases: [string, number, RegExp][] = [
    [`${base}/https://127.0.0.1/x.jpg`, 400, /loopback/],
    [`${base}/http://169.254.169.254/latest/meta-data`, 400, /http:|metadata/],
    [`${base}/https://localhost/x.jpg`, 400, /localhost/],
    [`${base}/https://origin.test/to%3Fl%3Dhttps%253A%252F%252F127.0.0.1%252Fx.jpg`, 400, /redirect to https:\/\/127\.0\.0\.1\/x\.jpg refused: .*loopback/],
    [`${base}/https://origin.test/huge-length`, 413, /File size too large/],
    [`${base}/https://origin.test/html`, 400, /not an image/],
    [`${base}/https://origin.test/text-as-image`, 400, /not a JPEG, PNG, WebP, GIF, AVIF, BMP or TIFF image/],
    [`${base}/https://origin.test/status/404`, 404, /Error in loading https:\/\/origin\.test\/status\/404 - origin answered 404/],
    [`${base}/w_100/`, 400, /Missing public ID|Missing remote URL|absolute/],
    [`${base}/e_upscale/https://origin.test/img/small.jpg`, 400, /not supported for fetched images/],
  ];
  for (const [path, status, reason] of cases)
    it(`${path} → ${status}`, async () => {
      const got = await refusal(path);
      expect(got.status, got.reason ?? '').toBe(status);
      expect(got.reason).toMatch(reason);
    });
});

describe('signed fetch URLs', () => {
  it('a valid signature is served, a wrong one is 401', async () => {
    const toSign = 'w_30/https://origin.test/img/small.jpg';
    const sig = await deliverySignature(toSign, SECRET, 'sha1', 8);
    expect(dims((await image(`${base}/s--${sig}--/${toSign}`)).header)).toBe('30x45');
    expect(await refusal(`${base}/s--AAAAAAAA--/${toSign}`)).toEqual({
      status: 401,
      reason: 'Invalid signature: it does not match the transformation and remote URL',
    });
  });
});

describe('file=https://... uploads', () => {
  it('fetches the file under the fetch policy, then uploads it as any other', async () => {
    const res = await postForm(`/v1_1/${CLOUD}/image/upload`, await signedForm({ public_id: 'fetched/up' }, 'https://origin.test/img/small.jpg'));
    expect(res.status, res.headers.get('X-Cld-Error') ?? '').toBe(200);
    expect(await res.json()).toMatchObject({ public_id: 'fetched/up', width: 200, height: 303, format: 'jpg', original_filename: 'small' });
    expect(dims((await image(`/${CLOUD}/image/upload/w_50/fetched/up.jpg`)).header)).toBe('50x76');
  });

  it('refuses what delivery refuses: not an image, too large, a redirect to loopback', async () => {
    for (const [url, status, message] of [
      ['https://origin.test/html', 400, /not an image/],
      ['https://origin.test/huge-length', 413, /File size too large/],
      ['https://origin.test/to?l=https%3A%2F%2F127.0.0.1%2Fx.jpg', 400, /loopback/],
    ] as const) {
      const res = await postForm(`/v1_1/${CLOUD}/image/upload`, await signedForm({ public_id: 'fetched/bad' }, url));
      expect(res.status, url).toBe(status);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(message);
    }
  });
});
