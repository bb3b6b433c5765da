import { env } from 'cloudflare:workers';
import { createExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { CLOUD, fixture, get, image, postForm, upload } from './worker';

const endpoint = `/v1_1/${CLOUD}/image/upload`;

function unsignedForm(params: Record<string, string>, file?: Uint8Array): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(params)) form.set(k, v);
  if (file) form.set('file', new Blob([file]), 'dropped.jpg');
  return form;
}

describe('unsigned upload preset', () => {
  it('uploads without a signature with the cloud preset', async () => {
    const res = await postForm(endpoint, unsignedForm({ upload_preset: 'browser_uploads', public_id: 'uploads/dropped' }, await fixture('small.jpg')));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { public_id: string };
    // Stored under UNSIGNED_UPLOAD_FOLDER with a unique suffix (Cloudinary's unique_filename).
    expect(body).toMatchObject({ type: 'upload', format: 'jpg' });
    expect(body.public_id).toMatch(/^unsigned\/uploads\/dropped_[a-z0-9]{6}$/);
    await image(`/${CLOUD}/image/upload/c_scale,w_20/${body.public_id}.jpg`);
  });

  it('never overwrites', async () => {
    const first = (await (
      await postForm(endpoint, unsignedForm({ upload_preset: 'browser_uploads', public_id: 'uploads/keep' }, await fixture('small.jpg')))
    ).json()) as { public_id: string };
    const again = (await (
      await postForm(endpoint, unsignedForm({ upload_preset: 'browser_uploads', public_id: 'uploads/keep' }, await fixture('medium.jpg')))
    ).json()) as { public_id: string; existing?: boolean; width: number };
    // The same public_id again is a new asset beside the first, which keeps its image.
    expect(again).toMatchObject({ width: 640 });
    expect(again.existing).toBeUndefined();
    expect(again.public_id).not.toBe(first.public_id);
    expect((await image(`/${CLOUD}/image/upload/${first.public_id}.jpg`)).header.width).toBe(200);
  });

  it('refuses unknown presets and parameters that transform, overwrite or pick the type', async () => {
    const file = await fixture('small.jpg');
    const unknown = await postForm(endpoint, unsignedForm({ upload_preset: 'other' }, file));
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toMatch(/Upload preset not found/);
    const extras: Record<string, string>[] = [
      { transformation: 'e_upscale' },
      { eager: 'w_10' },
      { overwrite: 'true' },
      { type: 'authenticated' },
      { notification_url: 'http://x/' },
    ];
    for (const extra of extras) {
      const res = await postForm(endpoint, unsignedForm({ upload_preset: 'browser_uploads', ...extra }, file));
      expect(res.status, JSON.stringify(extra)).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/not allowed when using unsigned upload/);
    }
  });

  it('is off without UNSIGNED_UPLOAD_PRESET', async () => {
    const form = unsignedForm({ upload_preset: '' }, await fixture('small.jpg'));
    const res = await worker.fetch(
      new Request(`http://localhost${endpoint}`, { method: 'POST', body: form }),
      { ...env, UNSIGNED_UPLOAD_PRESET: '' },
      createExecutionContext(),
    );
    expect(res.status).toBe(400);
  });
});

describe('demo page', () => {
  it('opts into client hints and says which DPR the browser reported', async () => {
    const res = await get('/', { 'Sec-CH-DPR': '2' });
    expect(res.status).toBe(200);
    expect(res.headers.get('Accept-CH')).toMatch(/Sec-CH-DPR/);
    expect(res.headers.get('Critical-CH')).toBe('Sec-CH-DPR');
    expect(res.headers.get('Vary')).toMatch(/Sec-CH-DPR/);
    const html = await res.text();
    expect(html).toContain('<span id="reported-dpr">2</span>');
    expect(html).toContain('"uploadPreset":"browser_uploads"');
    expect(html).toContain('id="dropzone"');
  });

  it('lists the gallery and gives one image comparison URLs, the AI ones signed', async () => {
    await upload('demo-cat', await fixture('small.jpg'));
    const list = (await (await get('/_dprox/demo/images')).json()) as { images: { public_id: string; thumbnail: string }[] };
    const cat = list.images.find((i) => i.public_id === 'demo-cat')!;
    expect(cat.thumbnail).toMatch(/^http:\/\/localhost\/demo\/image\/upload\/c_fill,dpr_auto,g_auto,h_120,w_120\/v\d+\/demo-cat$/);
    const res = await get('/_dprox/demo/comparisons?public_id=demo-cat');
    const body = (await res.json()) as { comparisons: { title: string; pictures: { label: string; url: string; ai?: boolean }[] }[] };
    const pictures = body.comparisons.flatMap((c) => c.pictures);
    expect(pictures.map((p) => p.label)).toEqual([
      'c_scale,w_4.0',
      'e_upscale',
      'c_scale,w_300',
      'e_sharpen',
      'c_scale,w_300',
      'e_gen_restore',
      'c_scale,w_128',
      'fl_premium_downscaling',
      'dpr_1.0',
      'dpr_2.0',
      'dpr_3.0',
      'dpr_auto',
    ]);
    for (const p of pictures) expect(p.url.includes('/s--'), p.label).toBe(!!p.ai);
    // Every URL the page shows is served, the AI ones accepted (200 or 423).
    for (const p of pictures) {
      const r = await get(new URL(p.url).pathname, { Prefer: 'respond-async' });
      expect([200, 423], `${p.label}: ${r.headers.get('X-Cld-Error')}`).toContain(r.status);
      await r.arrayBuffer();
    }
  });

  it('is off without DEMO=true: / lists nothing and the endpoints are 404', async () => {
    const off = { ...env, DEMO: 'false' };
    const page = await worker.fetch(new Request('http://localhost/'), off, createExecutionContext());
    const html = await page.text();
    expect(html).toContain('The demo page is off');
    expect(html).not.toContain('demo-cat');
    for (const path of ['/_dprox/demo/images', '/_dprox/demo/comparisons?public_id=demo-cat'])
      expect((await worker.fetch(new Request(`http://localhost${path}`), off, createExecutionContext())).status).toBe(404);
  });
});
