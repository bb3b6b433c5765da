// AI effects through the Worker: signed URLs, the Durable Object queue (one job per id, a tile row
// per alarm in tests: AI_ROWS_PER_ALARM=1), 423 until ready, resume, the chain after the effect.
import { env } from 'cloudflare:workers';
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { decode } from '../../src/codecs/decode';
import { readHeader } from '../../src/codecs/header';
import { AI_MAX_ATTEMPTS } from '../../src/jobs/jobs';
import type { AiJobSpec, JobStatus } from '../../src/jobs/spec';
import { deliverySignature } from '../../src/url/signature';
import { psnr } from '../pixels/util';
import { CLOUD, dims, fixture, get, image, postForm, signedForm, upload } from './worker';

const base = `/${CLOUD}/image/upload`;
const signed = async (path: string) => `${base}/s--${await deliverySignature(path, 'test-secret', 'sha1', 8)}--/${path}`;

async function until200(path: string, headers: Record<string, string> = {}, tries = 200): Promise<Response> {
  for (let i = 0; i < tries; i++) {
    const res = await get(path, headers);
    if (res.status !== 423) return res;
    await res.arrayBuffer();
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${path} still 423`);
}

beforeAll(async () => {
  await upload('ai/tall-hall', await fixture('small.jpg')); // 200x303, the seed's example
  await upload('ai/astro-128', await fixture('astro-128.png'));
  await upload('ai/camera', await fixture('medium.jpg')); // 640x427
  await upload('ai/alpha', await fixture('alpha.png'));
  await upload('ai/warm-up', await fixture('gray.jpg'));
  // Loading onnxruntime-web under vitest takes ~7 s (0.3 s under wrangler dev: bench/ai-job.mjs
  // times that cold path); warm the isolate once so the tests below time the jobs themselves.
  await until200(await signed('e_gen_restore/ai/warm-up.jpg'), { Prefer: 'respond-async' });
});

describe('e_upscale', () => {
  it('needs a signed URL (unless AI_UNSIGNED)', async () => {
    const res = await get(`${base}/e_upscale/ai/tall-hall.jpg`);
    expect(res.status).toBe(401);
    expect(res.headers.get('X-Cld-Error')).toMatch(/e_upscale needs a signed URL/);
  });

  it("the seed's 200x303 example answers 200 directly with 800x1212", async () => {
    const t0 = Date.now();
    const { header, res } = await image(await signed('e_upscale/ai/tall-hall.jpg'));
    console.log(`200x303 e_upscale: request to 200 in ${Date.now() - t0} ms`);
    expect(dims(header)).toBe('800x1212');
    expect(res.headers.get('Content-Type')).toBe('image/jpeg');
  });

  it('restores detail better than c_scale,w_4.0 (PSNR against the full-size original)', async () => {
    const original = await fixture('rgb.png');
    const reference = await decode(original, readHeader(original));
    const ai = await image(await signed('e_upscale/ai/astro-128.png'));
    const plain = await image(`${base}/c_scale,w_4.0/ai/astro-128.png`);
    const aiPsnr = psnr(await decode(ai.bytes, ai.header), reference);
    const plainPsnr = psnr(await decode(plain.bytes, plain.header), reference);
    console.log(`astronaut 128 -> 512: e_upscale ${aiPsnr.toFixed(2)} dB, c_scale,w_4.0 ${plainPsnr.toFixed(2)} dB`);
    expect(dims(ai.header)).toBe('512x512');
    expect(aiPsnr).toBeGreaterThan(plainPsnr + 0.5);
  });

  it('chains: e_upscale/c_fill,ar_1:1,g_north/e_grayscale', async () => {
    const { header } = await image(await signed('e_upscale/c_fill,ar_1:1,g_north/e_grayscale/ai/tall-hall.jpg'));
    expect(dims(header)).toBe('800x800');
  });

  it('answers 423 with Retry-After and a status link until ready, then 200 from R2', async () => {
    const path = await signed('e_upscale/ai/camera.jpg');
    const first = await get(path, { Prefer: 'respond-async' });
    expect(first.status).toBe(423);
    expect(first.headers.get('X-Cld-Error')).toMatch(/being generated/);
    expect(Number(first.headers.get('Retry-After'))).toBeGreaterThan(0);
    expect(first.headers.get('Cache-Control')).toBe('no-store');
    const link = first.headers.get('X-Dprox-Job')!;
    const status = await (await get(link)).json<{ state: string; rowsTotal: number }>();
    expect(['queued', 'running', 'done']).toContain(status.state);
    const done = await until200(path, { Prefer: 'respond-async' });
    expect(done.status).toBe(200);
    const bytes = new Uint8Array(await done.arrayBuffer());
    expect(dims(readHeader(bytes))).toBe('2560x1708');
    const final = await (await get(link)).json<{ state: string; percent: number; slices: number; rowsTotal: number }>();
    expect(final).toMatchObject({ state: 'done', percent: 100 });
    expect(final.slices).toBe(final.rowsTotal); // one tile row per alarm in tests
  });

  it('100 concurrent requests for a new upscale make exactly one job', async () => {
    await upload('ai/tall-hall-2', await fixture('small.jpg'));
    const path = await signed('e_upscale/ai/tall-hall-2.jpg');
    const responses = await Promise.all(Array.from({ length: 100 }, () => get(path, { Prefer: 'respond-async' })));
    const links = new Set(responses.map((r) => r.headers.get('X-Dprox-Job') ?? 'ready'));
    for (const r of responses) await r.arrayBuffer();
    expect(links.size).toBe(1);
    await until200(path, { Prefer: 'respond-async' });
    const listed = await env.IMAGES.list({ prefix: `ai/${CLOUD}/upload/ai/tall-hall-2/` });
    expect(listed.objects.length).toBe(1);
    const status = await (await get([...links][0])).json<{ slices: number; rowsTotal: number }>();
    expect(status.slices).toBe(status.rowsTotal); // no tile row was done twice
  });

  it('resumes after the Durable Object is reset mid-job, with the same bytes', async () => {
    await upload('ai/camera-2', await fixture('medium.jpg'));
    const reference = new Uint8Array(await (await until200(await signed('e_upscale/ai/camera.jpg'))).arrayBuffer());
    const path = await signed('e_upscale/ai/camera-2.jpg');
    const first = await get(path, { Prefer: 'respond-async' });
    const link = first.headers.get('X-Dprox-Job')!;
    const id = link.split('/').pop()!;
    const stub = env.AI_JOBS.get(env.AI_JOBS.idFromName(id));
    // Wait for some progress, then throw the instance away (as an eviction or a crash would).
    for (let i = 0; i < 100; i++) {
      const s = await stub.status();
      if (s && s.rowsDone >= 1) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await runInDurableObject(stub, (_instance, state) => {
      try {
        state.abort('test: simulated eviction');
      } catch {
        /* abort throws in the caller by design */
      }
    }).catch(() => undefined);
    const done = new Uint8Array(await (await until200(path, { Prefer: 'respond-async' })).arrayBuffer());
    expect(done).toEqual(reference);
  });

  it('keeps transparency: the alpha channel is the source alpha upscaled', async () => {
    const { header, bytes } = await image(await signed('e_upscale/ai/alpha.png'));
    expect(header).toMatchObject({ format: 'png', width: 1024, height: 1024, hasAlpha: true });
    const out = await decode(bytes, header);
    const src = await decode(await fixture('alpha.png'), readHeader(await fixture('alpha.png')));
    const { resize } = await import('../../src/ops/resize');
    const expected = resize({ ...src, opaque: true }, 1024, 1024);
    let maxDiff = 0;
    for (let i = 3; i < out.data.length; i += 4) maxDiff = Math.max(maxDiff, Math.abs(out.data[i] - expected.data[i]));
    expect(maxDiff).toBeLessThanOrEqual(1);
    const flat = await image(await signed('e_upscale/c_scale,w_300/ai/alpha.jpg'));
    expect(flat.header).toMatchObject({ format: 'jpg', width: 300 });
  });

  it('refuses what Cloudinary refuses', async () => {
    const tooBig = await get(await signed('c_scale,w_2600/e_upscale/ai/camera.jpg'));
    expect(tooBig.status).toBe(400);
    expect(tooBig.headers.get('X-Cld-Error')).toMatch(/under 4.2 MP/);
    const alpha = await get(await signed('e_gen_restore/ai/alpha.png'));
    expect(alpha.status).toBe(400);
    expect(alpha.headers.get('X-Cld-Error')).toMatch(/transparency/);
    const twice = await get(await signed('e_upscale/e_upscale/ai/tall-hall.jpg'));
    expect(twice.status).toBe(400);
  });
});

describe('e_gen_restore', () => {
  it('keeps the size and runs through the same queue', async () => {
    const { header } = await image(await signed('e_gen_restore/ai/tall-hall.jpg'));
    expect(dims(header)).toBe('200x303');
  });
});

describe('eager and explicit', () => {
  it('upload with eager transformations: plain ones complete, AI ones are queued and answer later', async () => {
    const res = await postForm(
      `/v1_1/${CLOUD}/image/upload`,
      await signedForm({ public_id: 'ai/eager-hall', eager: 'c_scale,w_100|e_upscale/png', eager_async: 'true' }, await fixture('small.jpg')),
    );
    expect(res.status).toBe(200);
    const body = await res.json<{ eager: { transformation: string; status: string; width?: number; job?: string; secure_url: string; format: string }[] }>();
    expect(body.eager[0]).toMatchObject({ transformation: 'c_scale,w_100', status: 'complete', width: 100, format: 'jpg' });
    expect(body.eager[1]).toMatchObject({ transformation: 'e_upscale', status: 'processing', format: 'png' });
    expect(body.eager[1].job).toMatch(/^\/v1_1\/demo\/jobs\/[0-9a-f]{64}$/);
    const url = new URL(body.eager[1].secure_url);
    const done = await until200(url.pathname, { Prefer: 'respond-async' });
    const bytes = new Uint8Array(await done.arrayBuffer());
    expect(dims(readHeader(bytes))).toBe('800x1212');
    expect(readHeader(bytes).format).toBe('png');
  });

  it('eager_notification_url gets a signed POST when the AI job ends', async () => {
    const hook = 'https://hooks.example.test/dprox?case=eager';
    const res = await postForm(
      `/v1_1/${CLOUD}/image/upload`,
      await signedForm({ public_id: 'ai/notify-hall', eager: 'e_upscale', eager_async: 'true', eager_notification_url: hook }, await fixture('small.jpg')),
    );
    const body = await res.json<{ eager: { secure_url: string }[] }>();
    await until200(new URL(body.eager[0].secure_url).pathname, { Prefer: 'respond-async' });
    let sent: { url: string; headers: Record<string, string>; body: string } | undefined;
    for (let i = 0; i < 50 && !sent; i++) {
      const all = await (await env.FIXTURES.fetch('http://f/__notifications')).json<{ url: string; headers: Record<string, string>; body: string }[]>();
      sent = all.find((n) => n.url === hook && n.body.includes('ai/notify-hall'));
      if (!sent) await new Promise((r) => setTimeout(r, 50));
    }
    expect(sent).toBeDefined();
    const payload = JSON.parse(sent!.body);
    expect(payload).toMatchObject({ notification_type: 'eager', public_id: 'ai/notify-hall', eager: [{ transformation: 'e_upscale', status: 'complete' }] });
    const { notificationSignature } = await import('../../src/url/signature');
    expect(sent!.headers['x-cld-signature']).toBe(await notificationSignature(sent!.body, Number(sent!.headers['x-cld-timestamp']), 'test-secret'));
    const bad = await postForm(
      `/v1_1/${CLOUD}/image/explicit`,
      await signedForm({ public_id: 'ai/tall-hall', eager: 'e_upscale', notification_url: 'ftp://x' }),
    );
    expect(bad.status).toBe(400);
  });

  it('explicit runs eager transformations on a stored asset', async () => {
    const res = await postForm(`/v1_1/${CLOUD}/image/explicit`, await signedForm({ public_id: 'ai/tall-hall', eager: 'e_gen_restore/c_scale,w_50' }));
    expect(res.status).toBe(200);
    const body = await res.json<{ public_id: string; eager: { status: string; width: number; height: number }[] }>();
    expect(body.public_id).toBe('ai/tall-hall');
    expect(body.eager[0]).toMatchObject({ status: 'complete', width: 50, height: 76 });
  });

  it('an invalid eager transformation is a 400 and stores nothing', async () => {
    const res = await postForm(
      `/v1_1/${CLOUD}/image/upload`,
      await signedForm({ public_id: 'ai/never', eager: 'c_scale,w_100|zz_1' }, await fixture('small.jpg')),
    );
    expect(res.status).toBe(400);
    expect((await res.json<{ error: { message: string } }>()).error.message).toMatch(/Invalid eager transformation zz_1/);
    expect((await get(`${base}/ai/never.jpg`)).status).toBe(404);
    const missing = await postForm(`/v1_1/${CLOUD}/image/explicit`, await signedForm({ public_id: 'ai/nothing', eager: 'e_upscale' }));
    expect(missing.status).toBe(404);
  });
});

describe('incoming transformations', () => {
  it('an AI incoming transformation makes the original: pending, 420 until ready, then the upscaled image', async () => {
    const res = await postForm(
      `/v1_1/${CLOUD}/image/upload`,
      await signedForm({ public_id: 'ai/incoming-hall', transformation: 'e_upscale' }, await fixture('small.jpg')),
    );
    expect(res.status).toBe(200);
    const body = await res.json<{ status: string; width: number; height: number; job: string }>();
    expect(body).toMatchObject({ status: 'pending', width: 800, height: 1212 });
    const first = await get(`${base}/c_scale,w_100/ai/incoming-hall.jpg`);
    if (first.status !== 200) {
      expect(first.status).toBe(420);
      expect(first.headers.get('X-Cld-Error')).toMatch(/pending/);
      expect(first.headers.get('Cache-Control')).toBe('no-store');
      await first.arrayBuffer();
    }
    let done: Response | undefined;
    for (let i = 0; i < 200; i++) {
      const r = await get(`${base}/ai/incoming-hall.jpg`);
      if (r.status === 200) {
        done = r;
        break;
      }
      expect(r.status).toBe(420);
      await r.arrayBuffer();
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(dims(readHeader(new Uint8Array(await done!.arrayBuffer())))).toBe('800x1212');
    expect(dims((await image(`${base}/c_scale,w_100/ai/incoming-hall.jpg`)).header)).toBe('100x152');
    expect(await env.IMAGES.head(`incoming/${CLOUD}/upload/ai/incoming-hall`)).toBeNull();
  });

  it('a plain incoming transformation is applied before storage', async () => {
    const res = await postForm(
      `/v1_1/${CLOUD}/image/upload`,
      await signedForm({ public_id: 'ai/incoming-small', transformation: 'c_scale,w_50' }, await fixture('small.jpg')),
    );
    expect(await res.json()).toMatchObject({ width: 50, height: 76, format: 'jpg' });
    expect(dims((await image(`${base}/ai/incoming-small.jpg`)).header)).toBe('50x76');
  });

  it('refuses an AI incoming transformation followed by more components', async () => {
    const res = await postForm(
      `/v1_1/${CLOUD}/image/upload`,
      await signedForm({ public_id: 'ai/incoming-bad', transformation: 'e_upscale/c_scale,w_10' }, await fixture('small.jpg')),
    );
    expect(res.status).toBe(400);
  });
});

/** Polls a job's status document until it is done or failed. */
async function untilEnded(link: string, tries = 300): Promise<JobStatus> {
  for (let i = 0; i < tries; i++) {
    const res = await get(link);
    const status = await res.json<JobStatus>();
    if (status.state === 'done' || status.state === 'failed') return status;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${link} did not end`);
}

const uploadApi = `/v1_1/${CLOUD}/image/upload`;
const incomingUpload = async (publicId: string, file: Uint8Array) => {
  const res = await postForm(uploadApi, await signedForm({ public_id: publicId, transformation: 'e_upscale' }, file));
  expect(res.status).toBe(200);
  return res.json<{ status: string; job: string; public_id: string }>();
};

describe('an incoming AI transformation holds its public ID', () => {
  it('an unsigned upload and a later signed upload while it is pending: neither is overwritten by the job', async () => {
    // The job runs in this same isolate, so whether it ends before the uploads below is up to the
    // scheduler: each assertion holds in either order (the next test fixes the order).
    const pending = await incomingUpload('ai/held-hall', await fixture('medium.jpg'));
    expect(pending.status).toBe('pending');

    // Unsigned: never the held public ID.
    const form = new FormData();
    form.set('upload_preset', 'browser_uploads');
    form.set('public_id', 'ai/held-hall');
    form.set('file', new Blob([await fixture('gray.jpg')]), 'gray.jpg');
    const anon = await (await postForm(uploadApi, form)).json<{ public_id: string; width: number }>();
    expect(anon.public_id).toMatch(/^unsigned\/ai\/held-hall_[a-z0-9]{6}$/);
    // overwrite=false: told that the asset exists (pending, or the job's result), nothing stored.
    const kept = await upload('ai/held-hall', await fixture('small.jpg'), { overwrite: 'false' });
    expect(kept.existing).toBe(true);
    if (kept.status === 'pending') expect(kept.job).toBe(pending.job);
    else expect(kept).toMatchObject({ width: 2560, height: 1708 });

    // A later signed upload wins: it supersedes the job (whose result is then never written), or
    // replaces the result if the job was done first.
    const newer = await upload('ai/held-hall', await fixture('small.jpg'));
    expect(newer).toMatchObject({ width: 200, height: 303 });
    const ended = await untilEnded(pending.job);
    console.log(`held-hall: the job ${ended.state === 'failed' ? 'was superseded' : 'was done before the signed upload'}`);
    if (ended.state === 'failed') {
      expect(ended.errorStatus).toBe(409);
      expect(ended.error).toMatch(/superseded by a newer upload/);
    }
    await new Promise((r) => setTimeout(r, 300));
    expect((await env.IMAGES.head(`original/${CLOUD}/upload/ai/held-hall`))!.etag).toBe(newer.etag);
    expect(dims((await image(`${base}/ai/held-hall.jpg`)).header)).toBe('200x303');
    expect(dims((await image(`${base}/${anon.public_id}.jpg`)).header)).toBe('160x120');
    expect(await env.IMAGES.head(`incoming/${CLOUD}/upload/ai/held-hall`)).toBeNull();
  });

  it('a job whose public ID got a newer original meanwhile does not write its result', async () => {
    // The jobs are made by hand so that the newer original is there before they can finish.
    const cases: [string, (v1: string | null) => string | null][] = [
      ['ai/raced-new', () => null], // started for a new ID: create only
      ['ai/raced-old', (v1) => v1], // started to replace v1
    ];
    for (const [publicId, replace] of cases) {
      const key = `original/${CLOUD}/upload/${publicId}`;
      const v1 = publicId === 'ai/raced-old' ? ((await upload(publicId, await fixture('gray.jpg'))).etag as string) : null;
      const id = [...crypto.getRandomValues(new Uint8Array(32))].map((b) => b.toString(16).padStart(2, '0')).join('');
      const source = `incoming/${CLOUD}/upload/${publicId}`;
      const held = await env.IMAGES.put(source, await fixture('small.jpg'), {
        customMetadata: { job: id, effect: 'upscale', version: '1', width: '800', height: '1212' },
      });
      const newer = await upload(publicId, await fixture('medium.jpg'));
      const stub = env.AI_JOBS.get(env.AI_JOBS.idFromName(id));
      await stub.start({
        id,
        cloud: CLOUD,
        type: 'upload',
        publicId,
        originalEtag: held.etag,
        pre: '',
        effect: 'upscale',
        output: `jobs/${id}/result.jpg`,
        quality: 95,
        source,
        outputMeta: { version: '1', format: 'jpg', width: '800', height: '1212', alpha: '0' },
        commit: { key, replaceEtag: replace(v1) },
      });
      const ended = await untilEnded(`/v1_1/${CLOUD}/jobs/${id}`);
      expect(ended, publicId).toMatchObject({ state: 'failed', errorStatus: 409, rowsDone: ended.rowsTotal });
      expect(ended.error).toMatch(/uploaded again while the job ran/);
      expect((await env.IMAGES.head(key))!.etag, publicId).toBe(newer.etag);
      expect(await env.IMAGES.head(`jobs/${id}/result.jpg`)).toBeNull();
      expect(await env.IMAGES.head(source)).toBeNull();
    }
  });

  it('while held: unsigned uploads go elsewhere, overwrite=false is told it is pending, a signed overwrite supersedes the job', async () => {
    // A job that cannot progress (waiting to retry: its model does not exist) holds ai/stuck for seconds.
    const id = [...crypto.getRandomValues(new Uint8Array(32))].map((b) => b.toString(16).padStart(2, '0')).join('');
    const source = `incoming/${CLOUD}/upload/ai/stuck`;
    const held = await env.IMAGES.put(source, await fixture('small.jpg'), {
      customMetadata: { job: id, effect: 'upscale', version: '1', width: '800', height: '1212' },
    });
    const stub = env.AI_JOBS.get(env.AI_JOBS.idFromName(id));
    await stub.start({
      id,
      cloud: CLOUD,
      type: 'upload',
      publicId: 'ai/stuck',
      originalEtag: held.etag,
      pre: '',
      effect: 'no_such_model' as AiJobSpec['effect'],
      output: `jobs/${id}/result.jpg`,
      quality: 95,
      source,
      outputMeta: { version: '1', format: 'jpg', width: '800', height: '1212', alpha: '0' },
      commit: { key: `original/${CLOUD}/upload/ai/stuck`, replaceEtag: null },
    });
    await runDurableObjectAlarm(stub);
    expect((await stub.status())!.state).not.toBe('failed');

    const form = new FormData();
    form.set('upload_preset', 'browser_uploads');
    form.set('public_id', 'ai/stuck');
    form.set('file', new Blob([await fixture('gray.jpg')]), 'gray.jpg');
    const anon = await (await postForm(uploadApi, form)).json<{ public_id: string }>();
    expect(anon.public_id).not.toBe('ai/stuck');
    const kept = await upload('ai/stuck', await fixture('gray.jpg'), { overwrite: 'false' });
    expect(kept).toMatchObject({ existing: true, status: 'pending', job: `/v1_1/${CLOUD}/jobs/${id}`, width: 800, height: 1212 });
    expect(await env.IMAGES.head(`original/${CLOUD}/upload/ai/stuck`)).toBeNull();
    expect((await get(`${base}/ai/stuck.jpg`)).status).toBe(420);

    const newer = await upload('ai/stuck', await fixture('medium.jpg'));
    expect(newer).toMatchObject({ width: 640 });
    expect(await stub.status()).toMatchObject({ state: 'failed', errorStatus: 409, error: 'superseded by a newer upload of ai/stuck' });
    expect(await env.IMAGES.head(source)).toBeNull();
    expect(await runInDurableObject(stub, (_instance, state) => state.storage.getAlarm())).toBeNull();
    expect(dims((await image(`${base}/ai/stuck.jpg`)).header)).toBe('640x427');
  });

  it('over an existing asset: the old original is served until the result replaces it', async () => {
    await upload('ai/replaced-hall', await fixture('small.jpg'));
    await image(`${base}/c_scale,w_40/ai/replaced-hall.jpg`);
    const pending = await incomingUpload('ai/replaced-hall', await fixture('small.jpg'));
    // Not deleted while the job runs.
    expect(dims((await image(`${base}/ai/replaced-hall.jpg`)).header)).toMatch(/^(200x303|800x1212)$/);
    expect(await untilEnded(pending.job)).toMatchObject({ state: 'done' });
    expect(dims((await image(`${base}/ai/replaced-hall.jpg`)).header)).toBe('800x1212');
    expect(dims((await image(`${base}/c_scale,w_40/ai/replaced-hall.jpg`)).header)).toBe('40x61');
  });

  it('a newer incoming upload supersedes the pending one: only the newer result is stored', async () => {
    const older = await incomingUpload('ai/twice-hall', await fixture('medium.jpg'));
    const newer = await incomingUpload('ai/twice-hall', await fixture('gray.jpg'));
    expect(newer.job).not.toBe(older.job);
    const first = await untilEnded(older.job);
    const second = await untilEnded(newer.job);
    expect(second.state).toBe('done');
    // Superseded, unless it was done before the newer upload came (whose result then replaced it).
    if (first.state === 'failed') expect(first).toMatchObject({ errorStatus: 409 });
    const gray = readHeader(await fixture('gray.jpg'));
    expect(dims((await image(`${base}/ai/twice-hall.jpg`)).header)).toBe(`${gray.width * 4}x${gray.height * 4}`);
  });
});

describe('a job that keeps failing', () => {
  it(`ends failed after ${AI_MAX_ATTEMPTS} attempts with backoff, and its status and delivery say why`, async () => {
    // An incoming job whose model does not exist: every slice throws a TypeError (not bad input).
    const id = [...crypto.getRandomValues(new Uint8Array(32))].map((b) => b.toString(16).padStart(2, '0')).join('');
    const source = `incoming/${CLOUD}/upload/ai/failing`;
    const held = await env.IMAGES.put(source, await fixture('small.jpg'), {
      customMetadata: { job: id, effect: 'upscale', version: '1', width: '800', height: '1212' },
    });
    const spec: AiJobSpec = {
      id,
      cloud: CLOUD,
      type: 'upload',
      publicId: 'ai/failing',
      originalEtag: held.etag,
      pre: '',
      effect: 'no_such_model' as AiJobSpec['effect'],
      output: `jobs/${id}/result.jpg`,
      quality: 95,
      source,
      outputMeta: { version: '1', format: 'jpg', width: '800', height: '1212', alpha: '0' },
      commit: { key: `original/${CLOUD}/upload/ai/failing`, replaceEtag: null },
    };
    const stub = env.AI_JOBS.get(env.AI_JOBS.idFromName(id));
    await stub.start(spec);
    let status = (await stub.status())!;
    // The wait scheduled after each failed attempt (runDurableObjectAlarm runs the alarm at once).
    const delays = new Map<number, number>();
    for (let i = 0; i < 100 && status.state !== 'failed'; i++) {
      await runDurableObjectAlarm(stub);
      status = (await stub.status())!;
      if (status.state === 'failed') break;
      if (!status.attempts) {
        await new Promise((r) => setTimeout(r, 20)); // the first alarm is still running on its own
        continue;
      }
      expect(status.error).toMatch(/retrying \(attempt \d of 5\) after: .*scale/);
      if (!delays.has(status.attempts)) {
        const alarm = await runInDurableObject(stub, (_instance, state) => state.storage.getAlarm());
        if (alarm !== null) delays.set(status.attempts, alarm - Date.now());
      }
      // While it retries, the asset is pending.
      const res = await get(`${base}/ai/failing.jpg`);
      expect(res.status).toBe(420);
      await res.arrayBuffer();
    }
    expect(status).toMatchObject({ state: 'failed', errorStatus: 500, attempts: AI_MAX_ATTEMPTS });
    expect(status.error).toMatch(new RegExp(`failed ${AI_MAX_ATTEMPTS} times in a row, giving up: .*scale`));
    // Backoff: each wait longer than the one before (1, 2, 4, 8 s).
    const waits = [...delays].sort(([a], [b]) => a - b).map(([, ms]) => ms);
    expect(waits.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < waits.length; i++) expect(waits[i]).toBeGreaterThan(waits[i - 1]);
    // No alarm left: it does not retry any more.
    expect(await runInDurableObject(stub, (_instance, state) => state.storage.getAlarm())).toBeNull();

    const res = await get(`/v1_1/${CLOUD}/jobs/${id}`);
    expect(res.status).toBe(500);
    expect(res.headers.get('X-Cld-Error')).toMatch(/giving up/);
    expect(await res.json()).toMatchObject({ state: 'failed', errorStatus: 500 });
    const delivery = await get(`${base}/ai/failing.jpg`);
    expect(delivery.status).toBe(500);
    expect(delivery.headers.get('X-Cld-Error')).toMatch(/incoming transformation e_no_such_model failed: .*giving up/);
  });

  it('bad input fails at once with a 400', async () => {
    const id = [...crypto.getRandomValues(new Uint8Array(32))].map((b) => b.toString(16).padStart(2, '0')).join('');
    const source = `incoming/${CLOUD}/upload/ai/bad-input`;
    const bytes = await fixture('small.jpg');
    const held = await env.IMAGES.put(source, bytes.slice(0, 400), { customMetadata: { job: id, effect: 'upscale', version: '1' } });
    const stub = env.AI_JOBS.get(env.AI_JOBS.idFromName(id));
    await stub.start({
      id,
      cloud: CLOUD,
      type: 'upload',
      publicId: 'ai/bad-input',
      originalEtag: held.etag,
      pre: '',
      effect: 'upscale',
      output: `jobs/${id}/result.jpg`,
      quality: 95,
      source,
      outputMeta: {},
      commit: { key: `original/${CLOUD}/upload/ai/bad-input`, replaceEtag: null },
    });
    let status = (await stub.status())!;
    for (let i = 0; i < 10 && status.state !== 'failed'; i++) {
      await runDurableObjectAlarm(stub);
      status = (await stub.status())!;
    }
    expect(status).toMatchObject({ state: 'failed', errorStatus: 400 });
    expect(status.attempts).toBeUndefined();
    expect((await get(`/v1_1/${CLOUD}/jobs/${id}`)).status).toBe(400);
  });
});

describe('usage', () => {
  const auth = { Authorization: `Basic ${btoa(`${env.API_KEY}:test-secret`)}` };
  type Report = { transformations: { usage: number }; uploads: number; derived_resources: number; special_transformations: { e_upscale: number } };
  const read = async () => (await get(`/v1_1/${CLOUD}/usage`, auth)).json<Report>();
  async function settle(check: (r: Report) => boolean): Promise<Report> {
    for (let i = 0; i < 50; i++) {
      const r = await read();
      if (check(r)) return r;
      await new Promise((res) => setTimeout(res, 50));
    }
    return read();
  }

  it('counts uploads, new derived images once, and AI effects as special transformations', async () => {
    expect((await get(`/v1_1/${CLOUD}/usage`)).status).toBe(401);
    const before = await read();
    await upload('ai/usage-hall', await fixture('small.jpg'));
    await image(`${base}/c_scale,w_64/ai/usage-hall.jpg`);
    await image(`${base}/c_scale,w_64/ai/usage-hall.jpg`); // the same derived image: not counted again
    await until200(await signed('e_upscale/ai/usage-hall.jpg'));
    const after = await settle(
      (r) => r.special_transformations.e_upscale >= before.special_transformations.e_upscale + 10 && r.derived_resources > before.derived_resources,
    );
    expect(after.uploads - before.uploads).toBe(1);
    expect(after.derived_resources - before.derived_resources).toBe(1);
    expect(after.special_transformations.e_upscale - before.special_transformations.e_upscale).toBe(10); // 200x303 < 0.5 MP
    expect(after.transformations.usage - before.transformations.usage).toBe(1 + 1 + 10);
  });
});
