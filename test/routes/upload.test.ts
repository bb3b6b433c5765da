import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { unsignedPublicId } from '../../src/uploads/upload';
import { apiSignature } from '../../src/url/signature';
import { CLOUD, fixture, image, postForm, signedForm, upload } from './worker';

const endpoint = `/v1_1/${CLOUD}/image/upload`;

describe('upload API', () => {
  it('stores the file and answers Cloudinary-shaped JSON', async () => {
    const bytes = await fixture('medium.jpg');
    const body = await upload('folder/cam', bytes);
    expect(body).toMatchObject({
      public_id: 'folder/cam',
      width: 640,
      height: 427,
      format: 'jpg',
      resource_type: 'image',
      type: 'upload',
      bytes: bytes.byteLength,
      pages: 1,
      placeholder: false,
      tags: [],
      original_filename: 'upload',
      api_key: env.API_KEY,
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
    const dataUri = `data:image/png;base64,${btoa(binary)}`;
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
    [
      'a file that is not an image',
      async () => signedForm({ public_id: 'x' }, new TextEncoder().encode('hello world, not an image')),
      400,
      /Invalid image file/,
    ],
    // Remote files are fetched only from FETCH_ALLOWED_HOSTS (test/routes/fetch.test.ts): the rest is Cloudinary's restricted-fetch 401.
    ['a remote URL of a host not allowed', async () => signedForm({ public_id: 'x' }, 'https://example.com/a.jpg'), 401, /not in the allowed fetch hosts/],
    ['a remote URL to a loopback address', async () => signedForm({ public_id: 'x' }, 'https://127.0.0.1/a.jpg'), 400, /loopback/],
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

  it('concurrent overwrite=false uploads to a new public ID: exactly one is told it was created', async () => {
    const files = await Promise.all(['small.jpg', 'medium.jpg', 'gray.jpg', 'small.jpg', 'medium.jpg', 'gray.jpg', 'small.jpg', 'medium.jpg'].map(fixture));
    const bodies = await Promise.all(files.map((f) => upload('race/create', f, { overwrite: 'false' })));
    const created = bodies.filter((b) => !b.existing);
    expect(created).toHaveLength(1);
    const stored = (await env.IMAGES.head(`original/${CLOUD}/upload/race/create`))!;
    expect(stored.etag).toBe(created[0].etag);
    // Every other one was told the truth: the asset exists, and it is the winner's.
    for (const b of bodies.filter((b) => b.existing)) expect(b).toMatchObject({ etag: stored.etag, width: created[0].width, version: created[0].version });
  });

  it('concurrent unsigned uploads of one name: each is stored under its own unique public ID, none replaced', async () => {
    const names = ['small.jpg', 'medium.jpg', 'small.jpg', 'medium.jpg', 'small.jpg', 'medium.jpg'];
    const files = await Promise.all(names.map(fixture));
    const responses = await Promise.all(
      files.map((f) => {
        const form = new FormData();
        form.set('upload_preset', 'browser_uploads');
        form.set('public_id', 'race/same');
        form.set('file', new Blob([f]), 'same.jpg');
        return postForm(endpoint, form);
      }),
    );
    const bodies = await Promise.all(responses.map((r) => r.json() as Promise<{ public_id: string; width: number; existing?: boolean }>));
    expect(responses.map((r) => r.status)).toEqual(names.map(() => 200));
    expect(new Set(bodies.map((b) => b.public_id)).size).toBe(names.length);
    for (const [i, b] of bodies.entries()) {
      expect(b.public_id).toMatch(/^unsigned\/race\/same_[a-z0-9]{6}$/);
      expect(b.existing).toBeUndefined();
      // What each was told is what is stored.
      expect((await image(`/${CLOUD}/image/upload/${b.public_id}.jpg`)).header.width).toBe(names[i] === 'small.jpg' ? 200 : 640);
    }
  });

  it('unsigned public IDs: UNSIGNED_UPLOAD_FOLDER, the given public_id or the file name sanitised, a random suffix', async () => {
    const folder = { UNSIGNED_UPLOAD_FOLDER: 'unsigned' };
    expect(unsignedPublicId(folder, { public_id: 'My Photos/cat #1' }, 'ignored')).toMatch(/^unsigned\/My_Photos\/cat_1_[a-z0-9]{6}$/);
    expect(unsignedPublicId(folder, { public_id: '../../etc/passwd' })).toMatch(/^unsigned\/etc\/passwd_[a-z0-9]{6}$/);
    expect(unsignedPublicId(folder, {}, 'holiday pic')).toMatch(/^unsigned\/holiday_pic_[a-z0-9]{6}$/);
    expect(unsignedPublicId(folder, { folder: 'trips' }, 'rome')).toMatch(/^unsigned\/trips\/rome_[a-z0-9]{6}$/);
    expect(unsignedPublicId(folder, {})).toMatch(/^unsigned\/[a-z0-9]{20}$/);
    expect(unsignedPublicId(folder, {}, '...')).toMatch(/^unsigned\/[a-z0-9]{20}$/);
    expect(unsignedPublicId({ UNSIGNED_UPLOAD_FOLDER: 'web/drops' }, {}, 'x')).toMatch(/^web\/drops\/x_[a-z0-9]{6}$/);
    const ids = new Set(Array.from({ length: 50 }, () => unsignedPublicId(folder, {}, 'x')));
    expect(ids.size).toBe(50);

    const form = new FormData();
    form.set('upload_preset', 'browser_uploads');
    form.set('file', new Blob([await fixture('small.jpg')]), 'dropped.jpg');
    const body = (await (await postForm(endpoint, form)).json()) as { public_id: string; original_filename: string };
    expect(body.public_id).toMatch(/^unsigned\/dropped_[a-z0-9]{6}$/);
    expect(body.original_filename).toBe('dropped');
  });
});
