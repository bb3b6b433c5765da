import { env } from 'cloudflare:workers';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { derivedMetadata } from '../../src/store/derived';
import { formatTransformation, parseComponent } from '../../src/url/component';
import { CLOUD, fixture, upload } from './worker';

/** One request through the Worker, waiting for its waitUntil work (the R2 and edge-cache puts) to finish. */
async function fetchSettled(path: string): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`http://localhost${path}`), env, ctx);
  await res.arrayBuffer().then((b) => new Response(b)); // read the body so the clone put in the cache can finish
  await waitOnExecutionContext(ctx);
  return res;
}

const metadataBytes = (m: Record<string, string>) => Object.entries(m).reduce((n, [k, v]) => n + new TextEncoder().encode(k + v).length, 0);

describe('edge cache and derived copies', () => {
  it('the second request of a URL is served by the Cache API', async () => {
    await upload('edge/cat', await fixture('small.jpg'));
    const path = `/${CLOUD}/image/upload/c_scale,w_40/edge/cat.jpg`;
    const first = await fetchSettled(path);
    expect(first.status).toBe(200);
    expect(first.headers.get('X-Dprox-Cache')).toBe('miss');
    const second = await fetchSettled(path);
    expect(second.status).toBe(200);
    expect(second.headers.get('X-Dprox-Cache')).toBe('hit-edge');
    expect(second.headers.get('Cache-Control')).toBe('public, max-age=2592000');
    expect(second.headers.get('ETag')).toBe(first.headers.get('ETag'));
    // DIAGNOSTICS is on: the miss says how long its render took; the hit rendered nothing.
    expect(first.headers.get('Server-Timing')).toMatch(/decode;dur=/);
    expect(second.headers.get('Server-Timing')).toBeNull();
  });

  it('an overwrite drops the cached copies of the original', async () => {
    await upload('edge/over', await fixture('small.jpg'));
    const path = `/${CLOUD}/image/upload/c_scale,w_0.5/edge/over.jpg`;
    const before = await fetchSettled(path);
    expect((await fetchSettled(path)).headers.get('X-Dprox-Cache')).toBe('hit-edge');
    await upload('edge/over', await fixture('medium.jpg'));
    const after = await fetchSettled(path);
    expect(after.headers.get('X-Dprox-Cache')).toBe('miss');
    expect(after.headers.get('ETag')).not.toBe(before.headers.get('ETag'));
  });

  it('the untouched original is edge-cached only under a version, so an overwrite is seen at once', async () => {
    await upload('edge/plain', await fixture('small.jpg'));
    const path = `/${CLOUD}/image/upload/edge/plain.jpg`;
    const before = await fetchSettled(path);
    expect(before.headers.get('X-Dprox-Cache')).toBe('original');
    expect((await fetchSettled(path)).headers.get('X-Dprox-Cache')).toBe('original');
    await upload('edge/plain', await fixture('medium.jpg'));
    const after = await fetchSettled(path);
    expect(after.headers.get('ETag')).not.toBe(before.headers.get('ETag'));
    const versioned = `/${CLOUD}/image/upload/v7/edge/plain.jpg`;
    await fetchSettled(versioned);
    expect((await fetchSettled(versioned)).headers.get('X-Dprox-Cache')).toBe('hit-edge');
  });

  it('public IDs that are not URL-safe do not share cache entries', async () => {
    await upload('edge/hash#one', await fixture('small.jpg'));
    await upload('edge/hash#two', await fixture('medium.jpg'));
    const one = await fetchSettled(`/${CLOUD}/image/upload/c_scale,w_30/edge/hash%23one.jpg`);
    const two = await fetchSettled(`/${CLOUD}/image/upload/c_scale,w_30/edge/hash%23two.jpg`);
    expect(one.status).toBe(200);
    expect(two.headers.get('X-Dprox-Cache')).toBe('miss');
    expect(two.headers.get('ETag')).not.toBe(one.headers.get('ETag'));
  });

  it('never caches errors', async () => {
    const path = `/${CLOUD}/image/upload/c_scale,w_40/edge/missing.jpg`;
    expect((await fetchSettled(path)).status).toBe(404);
    await upload('edge/missing', await fixture('small.jpg'));
    const res = await fetchSettled(path);
    expect(res.status).toBe(200);
    expect(res.headers.get('X-Dprox-Cache')).toBe('miss');
  });

  it('a transformation longer than R2 metadata allows is stored, and hit the next time', async () => {
    await upload('edge/long', await fixture('small.jpg'));
    const component = 'a_hflip,b_rgb:fafafa,c_scale,e_blur:1,g_north_west,q_80,w_1.0';
    const chain = Array(40).fill(component).join('/');
    const canonical = formatTransformation(chain.split('/').map(parseComponent));
    expect(canonical.length).toBeGreaterThan(2048);
    const meta = await derivedMetadata(canonical, { width: '100', height: '100', quality: '80' });
    expect(metadataBytes(meta)).toBeLessThan(512);
    const path = `/${CLOUD}/image/upload/${chain}/edge/long.jpg`;
    const first = await fetchSettled(path);
    expect(first.status, first.headers.get('X-Cld-Error') ?? '').toBe(200);
    expect(first.headers.get('X-Dprox-Cache')).toBe('miss');
    const second = await fetchSettled(path);
    expect(second.headers.get('X-Dprox-Cache')).toMatch(/^hit-(edge|r2)$/);
    // The derived copy itself is in R2 (not only in the edge cache).
    const listed = await env.IMAGES.list({ prefix: `derived/${CLOUD}/upload/edge/long/`, include: ['customMetadata'] });
    expect(listed.objects).toHaveLength(1);
    expect(listed.objects[0].customMetadata).toMatchObject({ transformationSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('a failed derived put is logged, not thrown', async () => {
    const { putDerived } = await import('../../src/store/derived');
    const failing = { put: () => Promise.reject(new Error('metadata too large')) } as unknown as R2Bucket;
    await expect(putDerived(failing, 'derived/x', new Uint8Array(1), 'image/jpeg', 'a_hflip', {})).resolves.toBeUndefined();
  });
});
