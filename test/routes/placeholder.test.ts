// d_<public_id>: a missing original's placeholder, transformed by the same chain, with the reason in
// X-Cld-Error and short private caching; an existing original is never replaced by it.
import { beforeAll, describe, expect, it } from 'vitest';
import { CLOUD, dims, fixture, get, image, upload } from './worker';

const base = `/${CLOUD}/image/upload`;

beforeAll(async () => {
  await upload('placeholders/avatar', await fixture('blue-40x20.png'));
  await upload('people/present', await fixture('medium-444.jpg'));
});

describe('d_ placeholder', () => {
  it('serves the placeholder, transformed, for a missing original', async () => {
    const { res, header } = await image(`${base}/d_placeholders:avatar.png,c_scale,w_80/people/absent-1.png`);
    expect(res.status).toBe(200);
    expect(dims(header)).toBe('80x40');
    expect(res.headers.get('X-Cld-Error')).toBe('Resource not found - people/absent-1');
    expect(res.headers.get('Cache-Control')).toBe('private, max-age=60');
  });

  it('shares one derived copy between every missing public ID of the same chain', async () => {
    const first = await get(`${base}/c_scale,w_60,d_placeholders:avatar/people/absent-2.png`);
    await first.arrayBuffer();
    let source = '';
    for (let i = 0; i < 40 && source !== 'hit-r2' && source !== 'hit-edge'; i++) {
      const again = await get(`${base}/c_scale,w_60,d_placeholders:avatar/people/absent-3.png`);
      await again.arrayBuffer();
      expect(again.headers.get('X-Cld-Error')).toBe('Resource not found - people/absent-3');
      source = again.headers.get('X-Dprox-Cache') ?? '';
      if (source === 'miss') await new Promise((r) => setTimeout(r, 50));
    }
    expect(['hit-r2', 'hit-edge']).toContain(source);
  });

  it('leaves an existing original alone', async () => {
    const { res, header } = await image(`${base}/d_placeholders:avatar.png,c_scale,w_80/people/present.png`);
    expect(dims(header)).toBe('80x53');
    expect(res.headers.get('X-Cld-Error')).toBeNull();
    expect(res.headers.get('Cache-Control')).not.toMatch(/private/);
  });

  it('gives way to the original once it is uploaded', async () => {
    const before = await image(`${base}/d_placeholders:avatar,c_scale,w_50/people/late.png`);
    expect(dims(before.header)).toBe('50x25');
    await upload('people/late', await fixture('medium-444.jpg'));
    const after = await image(`${base}/d_placeholders:avatar,c_scale,w_50/people/late.png`);
    expect(dims(after.header)).toBe('50x33');
    expect(after.res.headers.get('X-Cld-Error')).toBeNull();
  });

  it('answers 404 when the placeholder is missing too, and 400 for a malformed one', async () => {
    const missing = await get(`${base}/d_placeholders:nothing/people/absent-4.png`);
    await missing.arrayBuffer();
    expect(missing.status).toBe(404);
    expect(missing.headers.get('X-Cld-Error')).toBe('Resource not found - people/absent-4');
    const bad = await get(`${base}/d_placeholders::avatar/people/absent-4.png`);
    await bad.arrayBuffer();
    expect(bad.status).toBe(400);
    expect(bad.headers.get('X-Cld-Error')).toMatch(/default_image/);
  });
});
