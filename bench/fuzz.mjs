#!/usr/bin/env node
// The reliability fuzzer at scale: the same seeded generators as test/reliability/ (delivery URLs
// from the parameter table, hostile originals), against the Worker under wrangler on 127.0.0.1.
//
//   node bench/fuzz.mjs [--seed 1175586] [--per-class 1000] [--images 100] [--seconds 300] [--concurrency 4]
//
// Bounded by count and time (whichever ends first). Prints counts by status, distinct error
// messages, p50/p99 latency per kind of request, and every 5xx, hang (--timeout ms) or 4xx without
// X-Cld-Error with its URL and case seed; exits 1 if there was any.
import { build } from 'esbuild';
import { readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startWorker } from '../scripts/lib/start-worker.mjs';
import { CLOUD, option, root, SECRET, upload } from './lib.mjs';
import { API_KEY } from '../scripts/lib/api.mjs';
import { createHash } from 'node:crypto';

const SEED = Number(option('seed', 0x11f022));
const PER_CLASS = Number(option('per-class', 1000));
const IMAGES = Number(option('images', 100));
const SECONDS = Number(option('seconds', 300));
const CONCURRENCY = Number(option('concurrency', 4));
const TIMEOUT = Number(option('timeout', 20_000));

// The generators are TypeScript importing src/url: bundle them for Node with wrangler's esbuild.
const outDir = join(root, 'bench/.out');
mkdirSync(outDir, { recursive: true });
const genFile = join(outDir, 'fuzz-gen.mjs');
await build({
  stdin: { contents: "export * from './test/reliability/gen/urls.ts'; export * from './test/reliability/gen/images.ts';", resolveDir: root, loader: 'ts' },
  bundle: true,
  format: 'esm',
  platform: 'node',
  outfile: genFile,
  logLevel: 'warning',
});
const gen = await import(genFile);

const fixtures = join(root, 'test/.fixtures');
const fixture = (name) => new Uint8Array(readFileSync(join(fixtures, name)));
const ORIGINALS = {
  'fz/tiny': 'blue-40x20.png',
  'fz/photo': 'small.jpg',
  'fz/icon': 'sale_icon.png',
  'fz/anim': 'anim.gif',
  'fz/folder/alpha': 'alpha.webp',
  'fz/folder/badge': 'blue-40x20.png',
  'hz/base': 'small.jpg',
};

const { url: origin, dispose } = await startWorker({ secret: SECRET, vars: { DIAGNOSTICS: 'true' } });
const deadline = Date.now() + SECONDS * 1000;
const stats = new Map(); // kind -> { statuses, errors, ms[] }
const bad = [];
const slowest = [];

function record(kind, status, error, ms, url, label, failure) {
  if (!stats.has(kind)) stats.set(kind, { statuses: new Map(), errors: new Map(), ms: [] });
  const s = stats.get(kind);
  s.statuses.set(status, (s.statuses.get(status) ?? 0) + 1);
  if (error) {
    const shape = error
      .replace(/\d+/g, 'N')
      .replace(/: .*?( \(|$)/, ': …$1')
      .slice(0, 120);
    s.errors.set(shape, (s.errors.get(shape) ?? 0) + 1);
  }
  s.ms.push(ms);
  slowest.push({ ms, status, url, label });
  if (slowest.length > 40) slowest.sort((a, b) => b.ms - a.ms).splice(10);
  if (failure) bad.push({ kind, label, url, failure });
}

async function timed(url, init) {
  const started = performance.now();
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT) });
    const body = new Uint8Array(await res.arrayBuffer());
    return { res, body, ms: performance.now() - started };
  } catch (e) {
    return { error: e.name === 'TimeoutError' ? `no answer within ${TIMEOUT} ms` : `fetch failed: ${e.message}`, ms: performance.now() - started };
  }
}

const SIGNATURES = { jpg: [0xff, 0xd8], png: [0x89, 0x50], webp: [0x52, 0x49], gif: [0x47, 0x49], avif: [0, 0] };
async function deliver(kind, path, label) {
  const r = await timed(origin + path);
  if (r.error) return record(kind, 0, undefined, r.ms, path, label, r.error);
  const { res, body } = r;
  const error = res.headers.get('X-Cld-Error') ?? undefined;
  let failure;
  if (res.status >= 500) {
    // wrangler answers an exception thrown out of the Worker with an HTML page: its title names the error.
    const text = new TextDecoder().decode(body);
    failure = `${res.status} ${error ?? /<title>([^<]*)<\/title>/.exec(text)?.[1] ?? text.replace(/\s+/g, ' ').slice(0, 200)}`;
  } else if (res.status >= 400 && !error?.trim()) failure = `${res.status} without X-Cld-Error`;
  else if (res.status === 200) {
    const type = res.headers.get('Content-Type') ?? '';
    const fmt = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp', 'image/gif': 'gif', 'image/avif': 'avif' }[type];
    const sig = SIGNATURES[fmt];
    if (
      !sig ||
      body.length < 12 ||
      (fmt !== 'avif' && (body[0] !== sig[0] || body[1] !== sig[1])) ||
      (fmt === 'avif' && String.fromCharCode(...body.subarray(4, 8)) !== 'ftyp')
    )
      failure = `200 that is no ${type || 'image'} (${body.length} bytes)`;
  }
  record(kind, res.status, error, r.ms, path, label, failure);
}

/** Runs jobs with CONCURRENCY workers until they are done or the time is up. */
async function pool(jobs) {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < jobs.length && Date.now() < deadline) await jobs[next++]();
    }),
  );
  return next;
}

function signedUpload(publicId, bytes) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = createHash('sha1').update(`public_id=${publicId}&timestamp=${timestamp}${SECRET}`).digest('hex');
  const form = new FormData();
  form.set('file', new Blob([bytes]), 'upload.bin');
  for (const [k, v] of Object.entries({ public_id: publicId, timestamp, api_key: API_KEY, signature })) form.set(k, v);
  return form;
}

const t0 = Date.now();
try {
  for (const [id, name] of Object.entries(ORIGINALS)) await upload(origin, id, fixture(name));
  const fuzzer = new gen.UrlFuzzer({
    cloud: CLOUD,
    images: Object.keys(ORIGINALS).filter((id) => id.startsWith('fz/') && id !== 'fz/folder/badge'),
    layers: ['fz/icon', 'fz/folder/badge'],
  });
  const missing = gen.uncoveredKeys(fuzzer.pools);
  if (missing.length) console.log(`parameters without a valid pool (hostile values only): ${missing.join(', ')}`);

  // Interleave the classes so that a time limit cuts every class alike.
  const iters = gen.URL_CLASSES.map((cls) => fuzzer.cases(SEED, PER_CLASS, [cls]));
  const urlJobs = [];
  for (let i = 0; i < PER_CLASS; i++)
    for (const it of iters) {
      const c = it.next().value;
      urlJobs.push(() => deliver(`url ${c.cls}`, c.path, `${c.cls}#${c.index} seed ${c.seed}`));
    }
  const ran = await pool(urlJobs);
  console.log(`URL cases: ${ran} of ${urlJobs.length} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  if (IMAGES > 0 && Date.now() < deadline) {
    const t1 = Date.now();
    const bases = Object.fromEntries(gen.BASES.map((n) => [n, fixture(n)]));
    const imageJobs = [];
    for (const cls of gen.IMAGE_CLASSES) {
      const images = await gen.hostileImages(SEED, cls, IMAGES, bases);
      for (const [i, img] of images.entries())
        imageJobs.push(async () => {
          const id = `hz/${cls}/${i}`;
          const label = `${cls}#${i} (${img.name})`;
          const r = await timed(`${origin}/v1_1/${CLOUD}/image/upload`, { method: 'POST', body: signedUpload(id, img.bytes) });
          const where = `/v1_1/${CLOUD}/image/upload (public_id ${id})`;
          if (r.error) return record(`upload ${cls}`, 0, undefined, r.ms, where, label, r.error);
          const error = r.res.headers.get('X-Cld-Error') ?? undefined;
          const failure =
            r.res.status >= 500
              ? `upload ${r.res.status}`
              : r.res.status >= 400 && !error
                ? `upload ${r.res.status} without X-Cld-Error`
                : r.res.status !== 200 && r.res.status < 400
                  ? `upload ${r.res.status}`
                  : undefined;
          record(`upload ${cls}`, r.res.status, error, r.ms, where, label, failure);
          if (r.res.status !== 200) return;
          for (const path of [
            `/${CLOUD}/image/upload/c_fill,w_50,h_50/${id}.png`,
            `/${CLOUD}/image/upload/w_0.5/${id}.jpg`,
            `/${CLOUD}/image/upload/l_${id.split('/').join(':')},w_30/fl_layer_apply,g_south_east/hz/base.webp`,
          ])
            await deliver(`image ${cls}`, path, label);
        });
    }
    const ranImages = await pool(imageJobs);
    console.log(`hostile originals: ${ranImages} of ${imageJobs.length} in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
  }
} finally {
  await dispose();
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};
const allMs = [];
const allStatuses = new Map();
const allErrors = new Map();
console.log(`\nseed ${SEED}, ${CONCURRENCY} concurrent, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log('kind                          requests  statuses                                   p50 ms   p99 ms');
for (const [kind, s] of [...stats].sort()) {
  allMs.push(...s.ms);
  for (const [k, v] of s.statuses) allStatuses.set(k, (allStatuses.get(k) ?? 0) + v);
  for (const [k, v] of s.errors) allErrors.set(k, (allErrors.get(k) ?? 0) + v);
  const st = [...s.statuses]
    .sort((a, b) => a[0] - b[0])
    .map(([k, v]) => `${k}:${v}`)
    .join(' ');
  console.log(
    `${kind.padEnd(30)}${String(s.ms.length).padStart(8)}  ${st.padEnd(42)} ${pct(s.ms, 50).toFixed(1).padStart(7)}  ${pct(s.ms, 99).toFixed(1).padStart(7)}`,
  );
}
console.log(
  `${'all'.padEnd(30)}${String(allMs.length).padStart(8)}  ${[...allStatuses]
    .sort((a, b) => a[0] - b[0])
    .map(([k, v]) => `${k}:${v}`)
    .join(' ')
    .padEnd(42)} ${pct(allMs, 50).toFixed(1).padStart(7)}  ${pct(allMs, 99).toFixed(1).padStart(7)}`,
);
console.log(`\n${allErrors.size} distinct error messages (numbers and echoed values folded), most frequent first:`);
for (const [msg, n] of [...allErrors].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`${String(n).padStart(7)}  ${msg}`);
if (allErrors.size > 40) console.log(`      … ${allErrors.size - 40} more`);
console.log('\nslowest requests:');
for (const x of slowest.sort((a, b) => b.ms - a.ms).slice(0, 10))
  console.log(`${x.ms.toFixed(0).padStart(7)} ms ${x.status}  ${x.label}  ${x.url.length > 200 ? `${x.url.slice(0, 200)}…` : x.url}`);
console.log(`\n${bad.length} failures (5xx, hangs, 4xx without X-Cld-Error, 200 that is no image)`);
const byCause = new Map();
for (const b of bad) {
  const cause = b.failure.split('\n')[0].replace(/\d+/g, 'N').slice(0, 160);
  if (!byCause.has(cause)) byCause.set(cause, []);
  byCause.get(cause).push(b);
}
for (const [cause, list] of byCause) {
  console.log(`\n${list.length} x ${cause}`);
  for (const b of list.slice(0, 5)) console.log(`  ${b.label}\n    ${origin}${b.url.length > 300 ? `${b.url.slice(0, 300)}…` : b.url}`);
}
process.exit(bad.length ? 1 : 0);
