// The conditional R2 writes that uploads and AI results rely on, against local R2 (miniflare).
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { onlyIf, putOriginal } from '../../src/store/originals';

const meta = { version: 1, format: 'jpg', width: 1, height: 1, alpha: '0' };

describe('conditional original writes', () => {
  it("create-if-absent (etagDoesNotMatch: '*') succeeds once", async () => {
    const first = await putOriginal(env.IMAGES, 'demo', 'upload', 'cond/a', new Uint8Array([1]), meta, 'image/jpeg', null);
    expect(first).not.toBeNull();
    const second = await putOriginal(env.IMAGES, 'demo', 'upload', 'cond/a', new Uint8Array([2]), meta, 'image/jpeg', null);
    expect(second).toBeNull();
    expect(new Uint8Array(await (await env.IMAGES.get('original/demo/upload/cond/a'))!.arrayBuffer())).toEqual(new Uint8Array([1]));
  });

  it('an ETag match replaces exactly that version', async () => {
    const v1 = (await putOriginal(env.IMAGES, 'demo', 'upload', 'cond/b', new Uint8Array([1]), meta, 'image/jpeg', null))!;
    const v2 = await putOriginal(env.IMAGES, 'demo', 'upload', 'cond/b', new Uint8Array([2]), meta, 'image/jpeg', v1.etag);
    expect(v2).not.toBeNull();
    expect(await putOriginal(env.IMAGES, 'demo', 'upload', 'cond/b', new Uint8Array([3]), meta, 'image/jpeg', v1.etag)).toBeNull();
    expect((await env.IMAGES.head('original/demo/upload/cond/b'))!.etag).toBe(v2!.etag);
  });

  it('of 20 concurrent creates of one key exactly one wins', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => env.IMAGES.put('cond/race', new Uint8Array([i, i, i]), { onlyIf: onlyIf(null) })));
    const winners = results.filter((r) => r !== null);
    expect(winners).toHaveLength(1);
    expect((await env.IMAGES.head('cond/race'))!.etag).toBe(winners[0]!.etag);
  });
});
