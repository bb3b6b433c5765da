import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { apiSignature } from '../../src/url/signature';
import { CLOUD, fixture, image, postForm, signedForm, upload } from './worker';

const endpoint = `/v1_1/${CLOUD}/image/upload`;

describe('upload API', () => {
  it('stores the file and answers Cloudinary-shaped JSON', async () => {
    const bytes = await fixture('medium.jpg');
    const body = await upload('folder/cam', bytes);
    expect(body).toMatchObject({
      public_id: 'folder/cam', width: 640, height: 427, format: 'jpg', resource_type: 'image', type: 'upload', bytes: bytes.byteLength,
      pages: 1, placeholder: false, tags: [], original_filename: 'upload', api_key: env.API_KEY,
    });
    expect(typeof body.version).toBe('number');
    expect(body.secure_url).toBe(`http://localhost/${CLOUD}/image/upload/v${body.version}/folder/cam.jpg`);
    expect(body.signature).toBe(await apiSignature({ public_id: 'folder/cam', version: body.version as number }, 'test-secret', 'sha1', 1));
    const { header } = await image(new URL(body.secure_url as string).pathname);
    expect(header.width).toBe(640);
  });

  it('accepts base64 data URIs and generates a public id when none is given', async () => {
    const png = await fixture('alpha.png');
    let binary = '';
    for (const b of png) binary += String.fromCharCode(b);
    const dataUri = 'data:image/png;base64,' + btoa(binary);
    const res = await postForm(endpoint, await signedForm({}, dataUri));
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.public_id).toMatch(/^[a-z0-9]{20}$/);
    expect(body).toMatchObject({ format: 'png', width: 256, height: 256 });
  });

  it('overwrite=false keeps the existing asset; overwrite drops derived images', async () => {
    await upload('ow', await fixture('small.jpg'));
    await image(`/${CLOUD}/image/upload/c_scale,w_50/ow.jpg`);
    expect((await env.IMAGES.list({ prefix: `derived/${CLOUD}/upload/ow/` })).objects).toHaveLength(1);
    const kept = await upload('ow', await fixture('medium.jpg'), { overwrite: 'false' });
    expect(kept).toMatchObject({ existing: true, width: 200 });
    const replaced = await upload('ow', await fixture('medium.jpg'));
    expect(replaced).toMatchObject({ width: 640 });
    expect((replaced.version as number) > (kept.version as number)).toBe(true);
    expect((await env.IMAGES.list({ prefix: `derived/${CLOUD}/upload/ow/` })).objects).toHaveLength(0);
  });

  const refusals: [string, () => Promise<FormData>, number, RegExp][] = [
    ['a wrong signature', async () => signedForm({ public_id: 'x' }, new Uint8Array([1]), 'wrong-secret'), 401, /Invalid Signature/],
    ['a stale timestamp', async () => signedForm({ public_id: 'x', timestamp: '1000' }, new Uint8Array([1])), 401, /Stale request/],
    ['no file', async () => signedForm({ public_id: 'x' }), 400, /Missing required parameter - file/],
    ['a file that is not an image', async () => signedForm({ public_id: 'x' }, new TextEncoder().encode('hello world, not an image')), 400, /Invalid image file/],
    ['a remote URL', async () => signedForm({ public_id: 'x' }, 'https://example.com/a.jpg'), 400, /remote URL/],
    ['a bad public id', async () => signedForm({ public_id: 'a/../b' }, await fixture('small.jpg')), 400, /public_id/],
  ];
  for (const [what, form, status, message] of refusals) {
    it(`refuses ${what}`, async () => {
      const res = await postForm(endpoint, await form());
      expect(res.status).toBe(status);
      const body = (await res.json()) as { error: { message: string } };
      expect(body.error.message).toMatch(message);
      expect(res.headers.get('X-Cld-Error')).toMatch(message);
    });
  }

  it('refuses a signature that only covers some of the parameters', async () => {
    const form = await signedForm({ public_id: 'x' }, await fixture('small.jpg'));
    form.set('overwrite', 'false');
    expect((await postForm(endpoint, form)).status).toBe(401);
  });

  it('refuses an unknown API key and a non-form body', async () => {
    const form = await signedForm({ public_id: 'x' }, await fixture('small.jpg'));
    form.set('api_key', '1');
    expect((await postForm(endpoint, form)).status).toBe(401);
    const json = await postForm(endpoint, undefined as unknown as FormData);
    expect(json.status).toBe(400);
  });
});
