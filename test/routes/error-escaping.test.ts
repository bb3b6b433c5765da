import { describe, expect, it } from 'vitest';
import { errorResponse, headerSafe } from '../../src/routes/responses';
import { CLOUD, fixture, get, postForm } from './worker';

const grin = '\u{1F600}';

describe('error messages outside the BMP', () => {
  it('are escaped whole in X-Cld-Error, lone surrogates as U+FFFD', () => {
    expect(headerSafe(`a ${grin} b`)).toBe('a %F0%9F%98%80 b');
    expect(headerSafe('x\ud800y\udc00z')).toBe('x%EF%BF%BDy%EF%BF%BDz');
    expect(headerSafe('é\n')).toBe('%C3%A9%0A');
    // Cut at the limit between characters, never inside an escape.
    expect(headerSafe(grin.repeat(100), 30)).toBe('%F0%9F%98%80%F0%9F%98%80');
    expect(errorResponse(400, `bad ${grin}`).headers.get('X-Cld-Error')).toBe('bad %F0%9F%98%80');
  });

  it('answer 4xx with a readable reason through the Worker, never 500', async () => {
    const cases: [string, () => Promise<Response>, RegExp][] = [
      ['public id', () => get(`/${CLOUD}/image/upload/%F0%9F%98%80.jpg`), /Resource not found - %F0%9F%98%80/],
      ['transformation', () => get(`/${CLOUD}/image/upload/w_%F0%9F%98%80/sample.jpg`), /%F0%9F%98%80/],
      ['lone surrogate', () => get(`/${CLOUD}/image/upload/w_%ED%A0%80/sample.jpg`), /./],
      ['usage cloud', () => get(`/v1_1/${encodeURIComponent(grin)}/usage`), /Unknown cloud_name %F0%9F%98%80/],
      [
        'upload preset',
        async () => {
          const form = new FormData();
          form.set('upload_preset', grin);
          form.set('file', new Blob([await fixture('small.jpg')]), 'a.jpg');
          return postForm(`/v1_1/${CLOUD}/image/upload`, form);
        },
        /%F0%9F%98%80/,
      ],
    ];
    for (const [name, request, reason] of cases) {
      const res = await request();
      const body = await res.text();
      expect(res.status, `${name}: ${body}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${name}: ${body}`).toBeLessThan(500);
      expect(res.headers.get('X-Cld-Error'), name).toMatch(reason);
    }
  });

  it('keep the message itself in the upload API JSON', async () => {
    const form = new FormData();
    form.set('upload_preset', grin);
    form.set('file', new Blob([await fixture('small.jpg')]), 'a.jpg');
    const res = await postForm(`/v1_1/${CLOUD}/image/upload`, form);
    expect(res.status).toBe(400);
    expect(res.headers.get('Content-Type')).toMatch(/application\/json/);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(grin);
  });
});
