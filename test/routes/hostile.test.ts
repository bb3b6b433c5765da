// What an attacker sends: random transformation strings and corrupted images. Every answer must be
// a 2xx/3xx or a 4xx with X-Cld-Error, never a 500, and the Worker must keep serving afterwards.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLOUD, fixture, get, upload } from './worker';

const base = `/${CLOUD}/image/upload`;

// A small deterministic PRNG so that a failure can be reproduced.
function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

const KEYS = ['w', 'h', 'c', 'ar', 'g', 'x', 'y', 'dpr', 'e', 'a', 'r', 'b', 'o', 'q', 'f', 'fl', 'zz', '', 'w_w'];
const VALUES = [
  '0',
  '1',
  '-1',
  '0.5',
  '4.0',
  '99999',
  '1e9',
  'NaN',
  'auto',
  'auto:0',
  'auto:100:x',
  'iw',
  'fill',
  'pad',
  'max',
  'blur:2000',
  'sharpen:-3',
  'rgb:zzz',
  '16:9',
  '0:0',
  '%00',
  '..',
  '%2F',
  'grayscale',
  '90',
  '45',
  'hflip',
  'progressive',
  '',
];

function randomComponent(next: () => number): string {
  const n = 1 + Math.floor(next() * 4);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(`${KEYS[Math.floor(next() * KEYS.length)]}_${VALUES[Math.floor(next() * VALUES.length)]}`);
  return parts.join(next() < 0.2 ? '%2C' : ',');
}

beforeAll(async () => {
  await upload('hostile/ok', await fixture('small.jpg'));
});

async function expectClean(path: string) {
  const res = await get(path);
  if (res.status >= 400) expect(res.headers.get('X-Cld-Error'), path).toBeTruthy();
  expect(res.status, `${path}: ${res.headers.get('X-Cld-Error')}`).toBeLessThan(500);
  await res.arrayBuffer();
  return res.status;
}

describe('hostile URLs', () => {
  it('300 random transformation chains answer 2xx or 4xx with a reason', async () => {
    const next = rng(42);
    const statuses = new Map<number, number>();
    for (let i = 0; i < 300; i++) {
      const chain = Array.from({ length: 1 + Math.floor(next() * 3) }, () => randomComponent(next)).join('/');
      const ext = ['jpg', 'png', 'webp', 'gif', '', 'exe'][Math.floor(next() * 6)];
      const status = await expectClean(`${base}/${chain}/hostile/ok${ext ? `.${ext}` : ''}`);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    console.log('statuses', JSON.stringify([...statuses]));
    expect(statuses.get(400)).toBeGreaterThan(0);
  });

  it('malformed paths', async () => {
    for (const path of [
      `${base}/`,
      `${base}//`,
      `${base}/s----/x.jpg`,
      `${base}/s--${'A'.repeat(200)}--/x.jpg`,
      `${base}/v/x.jpg`,
      `${base}/v99999999999999999999/hostile/ok.jpg`,
      `${base}/../../etc/passwd`,
      `${base}/%2e%2e/%2e%2e/x.jpg`,
      `${base}/w_100/${'a/'.repeat(300)}x.jpg`,
      `${base}/${'w_1,'.repeat(2000)}w_2/hostile/ok.jpg`,
      `${base}/%ZZ.jpg`,
      `${base}/hostile/ok.jpg%00.png`,
      `/${CLOUD}/image/nonsense/x.jpg`,
      `/${CLOUD}/image/fetch/http://example.com/x.jpg`,
      `/${'x'.repeat(5000)}/image/upload/x.jpg`,
    ])
      await expectClean(path);
  });
});

describe('hostile images', () => {
  it('truncated, bit-flipped and lying originals are 4xx and the Worker keeps serving', async () => {
    const next = rng(7);
    for (const name of ['medium.jpg', 'alpha.png', 'lossy.webp', 'still.gif', 'medium-444.jpg']) {
      const good = await fixture(name);
      const variants: Uint8Array[] = [good.slice(0, 64), good.slice(0, good.length >> 1), good.slice(0, good.length - 3)];
      for (let v = 0; v < 4; v++) {
        const bad = good.slice();
        for (let i = 0; i < 20; i++) bad[Math.floor(next() * bad.length)] ^= 1 << Math.floor(next() * 8);
        variants.push(bad);
      }
      for (const [i, bytes] of variants.entries()) {
        const id = `hostile/${name.replace('.', '-')}-${i}`;
        await env.IMAGES.put(`original/${CLOUD}/upload/${id}`, bytes);
        await expectClean(`${base}/c_fill,w_50,h_50/${id}.png`);
      }
    }
    expect((await get(`${base}/c_scale,w_60/hostile/ok.jpg`)).status).toBe(200);
  });
});
