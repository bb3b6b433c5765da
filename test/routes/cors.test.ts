// CORS (src/routes/middleware.ts): any origin may read images, errors and their reasons.
import { beforeAll, expect, it } from 'vitest';
import { CLOUD, fixture, get, upload } from './worker';

beforeAll(async () => {
  await upload('cors/cat', await fixture('small.jpg'));
});

it('lets any origin read an image, its 304 and an error with its reason', async () => {
  const res = await get(`/${CLOUD}/image/upload/w_50/cors/cat.jpg`, { Origin: 'https://example.com' });
  expect(res.status).toBe(200);
  expect(res.headers.get('Access-Control-Allow-Origin')).toBe('*');
  await res.arrayBuffer();
  const again = await get(`/${CLOUD}/image/upload/w_50/cors/cat.jpg`, { 'If-None-Match': res.headers.get('ETag')! });
  expect(again.status).toBe(304);
  expect(again.headers.get('Access-Control-Allow-Origin')).toBe('*');
  for (const path of [`/${CLOUD}/image/upload/w_50/cors/none.jpg`, '/nowhere', `/v1_1/other/usage`]) {
    const error = await get(path);
    expect(error.status, path).toBe(404);
    expect(error.headers.get('Access-Control-Allow-Origin'), path).toBe('*');
    expect(error.headers.get('Access-Control-Expose-Headers'), path).toContain('X-Cld-Error');
    expect(error.headers.get('X-Cld-Error'), path).toBeTruthy();
    await error.arrayBuffer();
  }
});
