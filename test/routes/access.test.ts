// The demo without a signing oracle: it signs AI URLs only for upload-type images that no
// authenticated or private image shares a public ID with, sizes the AI input to at most 1 MP,
// and limits how often one client gets signed URLs.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { encode } from '../../src/codecs/encode';
import { createRaster } from '../../src/pixels/raster';
import { downscaleFor, MAX_AI_INPUT_PIXELS } from '../../src/routes/demo/comparisons';
import { clientKey, DEMO_COMPARISONS_LIMIT, TokenBuckets } from '../../src/routes/demo/rate-limit';
import { incomingKey } from '../../src/store/originals';
import { CLOUD, dims, fixture, get, image, postForm, upload } from './worker';

const endpoint = `/v1_1/${CLOUD}/image/upload`;
type Picture = { label: string; url: string; ai?: boolean };
type Comparisons = { width: number; height: number; comparisons: { title: string; pictures: Picture[] }[] };

let ip = 0;
/** A client of its own for each test: the rate limit is per client. */
const newClient = () => ({ 'CF-Connecting-IP': `192.0.2.${++ip}` });

function comparisons(publicId: string, client: Record<string, string>): Promise<Response> {
  return get(`/_dprox/demo/comparisons?public_id=${encodeURIComponent(publicId)}`, client);
}

async function unsignedUpload(publicId: string, file: Uint8Array): Promise<{ public_id: string }> {
  const form = new FormData();
  form.set('upload_preset', 'browser_uploads');
  form.set('public_id', publicId);
  form.set('file', new Blob([file]), 'dropped.jpg');
  const res = await postForm(endpoint, form);
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json();
}

describe('the demo is no signing oracle', () => {
  it('a decoy uploaded under an authenticated image’s public ID gets no signature that opens it', async () => {
    const victim = 'victim/secret';
    await upload(victim, await fixture('medium.jpg'), { type: 'authenticated' });
    const decoy = await unsignedUpload(victim, await fixture('small.jpg'));
    const client = newClient();
    const signed: string[] = [];
    for (const id of new Set([victim, decoy.public_id])) {
      const res = await comparisons(id, client);
      if (id === victim) {
        // Refused: the upload-type decoy shares the public ID (403), or the preset stored it elsewhere (404).
        expect([403, 404], res.headers.get('X-Cld-Error') ?? '').toContain(res.status);
        if (res.status === 403)
          expect(res.headers.get('X-Cld-Error')).toMatch(/does not sign URLs for victim\/secret: an image of type authenticated has the same public ID/);
        await res.arrayBuffer();
        continue;
      }
      expect(res.status).toBe(200);
      const body = (await res.json()) as Comparisons;
      signed.push(
        ...body.comparisons
          .flatMap((c) => c.pictures)
          .filter((p) => p.ai)
          .map((p) => p.url),
      );
    }
    // Whatever was signed opens nothing of type authenticated.
    for (const url of signed) {
      const res = await get(new URL(url).pathname.replace('/image/upload/', '/image/authenticated/'));
      expect(res.status).not.toBe(200);
      await res.arrayBuffer();
    }
    // The victim itself is still there, for signed URLs only.
    expect((await get(`/${CLOUD}/image/authenticated/c_scale,w_20/${victim}.jpg`)).status).toBe(401);
  });

  it('refuses upload-type images with an authenticated, private or pending twin (403, with the reason)', async () => {
    const small = await fixture('small.jpg');
    await upload('twin/auth', small);
    await upload('twin/auth', small, { type: 'authenticated' });
    await upload('twin/priv', small);
    await upload('twin/priv', small, { type: 'private' });
    await upload('twin/pending', small);
    await env.IMAGES.put(incomingKey(CLOUD, 'authenticated', 'twin/pending'), small); // an incoming AI job's file
    const client = newClient();
    for (const [id, type] of [
      ['twin/auth', 'authenticated'],
      ['twin/priv', 'private'],
      ['twin/pending', 'authenticated'],
    ]) {
      const res = await comparisons(id, client);
      expect(res.status, id).toBe(403);
      expect(res.headers.get('X-Cld-Error')).toContain(`an image of type ${type} has the same public ID`);
      expect(await res.text()).not.toContain('s--');
    }
    await upload('twin/alone', small);
    expect((await comparisons('twin/alone', client)).status).toBe(200);
    expect((await comparisons('twin/nothing', client)).status).toBe(404);
  });
});

describe('the demo’s AI work is bounded', () => {
  it('e_gen_restore gets at most 1 MP: a 100x4600 upload is fitted, not scaled to 300x13800', async () => {
    const tall = await encode(createRaster(100, 4600, true), 'jpg', { quality: 80 });
    const { public_id } = await unsignedUpload('tall/strip', tall);
    const res = await comparisons(public_id, newClient());
    expect(res.status).toBe(200);
    const body = (await res.json()) as Comparisons;
    const [input, ai] = body.comparisons.find((c) => c.pictures.some((p) => p.label === 'e_gen_restore'))?.pictures ?? [];
    expect(ai?.label).toBe('e_gen_restore');
    expect(input.label).toBe('c_fit,h_3333,w_300');
    // The AI URL is the input's transformation plus the effect, signed.
    const strip = (u: string) => new URL(u).pathname.replace(/\/s--[\w-]{8}--/, '');
    expect(strip(ai.url)).toBe(strip(input.url).replace('/c_fit,h_3333,w_300/', '/c_fit,h_3333,w_300/e_gen_restore/'));
    const { header } = await image(new URL(input.url).pathname);
    expect(dims(header)).toBe('72x3333');
    expect(header.width * header.height).toBeLessThanOrEqual(MAX_AI_INPUT_PIXELS);
    // The upscale's input is 160x160 at most.
    const upscale = body.comparisons.flatMap((c) => c.pictures).find((p) => p.label === 'e_upscale');
    expect(upscale?.url).toMatch(/\/c_limit,h_160,w_160\/e_upscale\//);
  });

  it('sizes the downscale for any shape and orientation within 1 MP', () => {
    expect(downscaleFor(600, 400)).toEqual({ width: 300, crop: 'scale' });
    expect(downscaleFor(100, 4600)).toEqual({ width: 300, height: 3333, crop: 'fit' });
    expect(downscaleFor(4600, 100)).toEqual({ width: 300, height: 3333, crop: 'fit' }); // EXIF may turn it
    expect(downscaleFor(NaN, NaN)).toEqual({ width: 300, height: 3333, crop: 'fit' }); // size unknown
    for (const [w, h] of [
      [1, 11],
      [1, 12],
      [300, 3333],
      [3333, 300],
      [1000, 1],
    ]) {
      const t = downscaleFor(w, h);
      const ratio = Math.max(w / h, h / w);
      const pixels = t.crop === 'scale' ? 300 * 300 * ratio : 300 * 3333;
      expect(pixels, `${w}x${h}`).toBeLessThanOrEqual(MAX_AI_INPUT_PIXELS);
    }
  });

  it('a client gets signed comparisons for a burst, then 429 with Retry-After; others are not affected', async () => {
    await upload('limited/cat', await fixture('small.jpg'));
    const client = newClient();
    for (let i = 0; i < DEMO_COMPARISONS_LIMIT.capacity; i++) {
      const res = await comparisons('limited/cat', client);
      expect(res.status, `request ${i + 1}`).toBe(200);
      await res.arrayBuffer();
    }
    const refused = await comparisons('limited/cat', client);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('Retry-After'))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get('X-Cld-Error')).toMatch(/Too many comparison requests/);
    expect(refused.headers.get('Cache-Control')).toBe('no-store');
    expect((await comparisons('limited/cat', newClient())).status).toBe(200);
  });

  it('token buckets refill over time, and IPv6 clients are counted by /64', () => {
    const buckets = new TokenBuckets({ capacity: 2, refillSeconds: 5 });
    expect([buckets.take('a', 0), buckets.take('a', 0), buckets.take('a', 0)]).toEqual([0, 0, 5]);
    expect(buckets.take('a', 2500)).toBe(3); // half a token back: 2.5 s more, rounded up
    expect(buckets.take('a', 5000)).toBe(0);
    expect(buckets.take('b', 0)).toBe(0);
    const key = (ip: string) => clientKey(new Request('http://x/', { headers: { 'CF-Connecting-IP': ip } }));
    expect(key('2001:db8:1:2::1')).toBe(key('2001:0db8:0001:0002:ffff:1:2:3'));
    expect(key('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(key('2001:db8:1:3::1')).not.toBe(key('2001:db8:1:2::1'));
    expect(key('::1')).toBe('0:0:0:0::/64');
    expect(key('203.0.113.9')).toBe('203.0.113.9');
    expect(clientKey(new Request('http://x/'))).toBe('local');
  });
});
