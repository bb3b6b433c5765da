#!/usr/bin/env node
// Delivery benchmark: the Worker (local workerd under wrangler, original in local R2, cache miss every
// time through a fresh v<version>) against sharp with one thread doing the same work, in the same run.
//
//   npm run bench                 (or: node bench/delivery.mjs [--runs 15] [--json bench/.out/delivery.json])
//
// Stop other CPU-heavy work first (training: kill -STOP -- -<pid>); both sides run on one core.
// Prints per case: median and p90 milliseconds of each side, the ratio, output bytes, PSNR of dprox's
// output against sharp's, and the Worker's WASM memory high-water mark.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { startWorker } from '../scripts/lib/start-worker.mjs';
import { CLOUD, option, root, SECRET, upload } from './lib.mjs';

const RUNS = Number(option('runs', 15));
const JSON_OUT = option('json', join(root, 'bench/.out/delivery.json'));

sharp.concurrency(1);
sharp.cache(false);


/** A photo-like JPEG of the given size, made at run time from a Kodak image (or a sample when absent). */
async function photo(width, height) {
  const kodak = join(root, '../shared/datasets/Kodak/kodim23.png');
  const source = existsSync(kodak) ? kodak : join(root, 'samples/rocket.jpg');
  return sharp(source).resize(width, height, { fit: 'cover', kernel: 'lanczos3' }).jpeg({ quality: 90 }).toBuffer();
}

// Each case: a Cloudinary transformation and the sharp pipeline that does the same.
const CASES = [
  {
    name: '12 MP JPEG -> c_fill,w_800,h_600,q_80 JPEG',
    source: '12mp',
    transformation: 'c_fill,w_800,h_600,q_80',
    ext: 'jpg',
    sharp: (b) => sharp(b).resize(800, 600, { fit: 'cover', kernel: 'lanczos3' }).jpeg({ quality: 80 }).toBuffer(),
  },
  {
    name: '12 MP JPEG -> c_fill,w_800,h_600,q_80 WebP',
    source: '12mp',
    transformation: 'c_fill,w_800,h_600,q_80',
    ext: 'webp',
    sharp: (b) => sharp(b).resize(800, 600, { fit: 'cover', kernel: 'lanczos3' }).webp({ quality: 80 }).toBuffer(),
  },
  {
    name: '12 MP JPEG -> c_scale,w_2000 JPEG (shrink 2)',
    source: '12mp',
    transformation: 'c_scale,w_2000',
    ext: 'jpg',
    sharp: (b) => sharp(b).resize(2000, null, { kernel: 'lanczos3' }).jpeg({ quality: 80 }).toBuffer(),
  },
  {
    name: '24 MP JPEG -> c_fill,w_800,h_600,q_80 JPEG',
    source: '24mp',
    transformation: 'c_fill,w_800,h_600,q_80',
    ext: 'jpg',
    sharp: (b) => sharp(b).resize(800, 600, { fit: 'cover', kernel: 'lanczos3' }).jpeg({ quality: 80 }).toBuffer(),
  },
  {
    name: '12 MP JPEG -> c_fill,w_400,h_400/e_sharpen JPEG',
    source: '12mp',
    transformation: 'c_fill,w_400,h_400/e_sharpen',
    ext: 'jpg',
    sharp: (b) =>
      sharp(b).resize(400, 400, { fit: 'cover', kernel: 'lanczos3' }).sharpen({ sigma: 1 }).jpeg({ quality: 80 }).toBuffer(),
  },
];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.9))];
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

async function psnr(a, b) {
  const [ra, rb] = await Promise.all([a, b].map((x) => sharp(x).removeAlpha().raw().toBuffer({ resolveWithObject: true })));
  if (ra.info.width !== rb.info.width || ra.info.height !== rb.info.height) return NaN;
  let se = 0;
  for (let i = 0; i < ra.data.length; i++) se += (ra.data[i] - rb.data[i]) ** 2;
  return 10 * Math.log10((255 * 255 * ra.data.length) / se);
}

let version = 1;
async function viaWorker(url, c) {
  const path = `${url}/${CLOUD}/image/upload/${c.transformation}/v${version++}/bench/${c.source}.${c.ext}`;
  const t0 = process.hrtime.bigint();
  const res = await fetch(path);
  const body = Buffer.from(await res.arrayBuffer());
  const t = ms(t0);
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${res.headers.get('X-Cld-Error')}`);
  if (res.headers.get('X-Dprox-Cache') !== 'miss') throw new Error(`${path}: expected a cache miss, got ${res.headers.get('X-Dprox-Cache')}`);
  return { t, body };
}

async function viaSharp(c, bytes) {
  const t0 = process.hrtime.bigint();
  const body = await c.sharp(bytes);
  return { t: ms(t0), body };
}

const sources = { '12mp': await photo(4000, 3000), '24mp': await photo(6000, 4000) };
const worker = await startWorker({ secret: SECRET, vars: { DIAGNOSTICS: 'true' } });
const results = [];
try {
  for (const [id, bytes] of Object.entries(sources)) await upload(worker.url, `bench/${id}`, bytes);
  console.log(`dprox delivery benchmark: ${RUNS} runs per case, cache miss each time; sharp ${sharp.versions.sharp} (libvips ${sharp.versions.vips}), concurrency 1`);
  console.log(`sources: 12 MP ${sources['12mp'].length} B, 24 MP ${sources['24mp'].length} B (Kodak kodim23, upscaled, q90)\n`);
  for (const c of CASES) {
    const bytes = sources[c.source];
    for (let i = 0; i < 2; i++) await Promise.all([viaWorker(worker.url, c)]).then(() => viaSharp(c, bytes)); // warm-up
    const w = [];
    const s = [];
    let last;
    for (let i = 0; i < RUNS; i++) {
      // Alternate so that both sides see the same machine conditions.
      const a = await viaWorker(worker.url, c);
      const b = await viaSharp(c, bytes);
      w.push(a.t);
      s.push(b.t);
      last = { dprox: a.body, sharp: b.body };
    }
    const r = {
      case: c.name,
      dprox_ms: { median: median(w), p90: p90(w) },
      sharp_ms: { median: median(s), p90: p90(s) },
      ratio: median(w) / median(s),
      dprox_bytes: last.dprox.length,
      sharp_bytes: last.sharp.length,
      psnr_vs_sharp_db: await psnr(last.dprox, last.sharp),
    };
    results.push(r);
    console.log(
      `${c.name}\n  dprox ${r.dprox_ms.median.toFixed(1)} ms (p90 ${r.dprox_ms.p90.toFixed(1)})  sharp ${r.sharp_ms.median.toFixed(1)} ms (p90 ${r.sharp_ms.p90.toFixed(1)})  ratio ${r.ratio.toFixed(2)}x\n` +
        `  bytes dprox ${r.dprox_bytes} / sharp ${r.sharp_bytes}  PSNR dprox vs sharp ${r.psnr_vs_sharp_db.toFixed(2)} dB`,
    );
  }
  // Cache hits, for scale: the same URL again.
  const hitPath = `${worker.url}/${CLOUD}/image/upload/c_fill,w_800,h_600,q_80/bench/12mp.jpg`;
  await fetch(hitPath).then((r) => r.arrayBuffer());
  const hits = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    const res = await fetch(hitPath);
    await res.arrayBuffer();
    hits.push(ms(t0));
  }
  const memory = await (await fetch(`${worker.url}/_dprox/memory`)).json();
  console.log(`\ncache hit (same URL again): median ${median(hits).toFixed(1)} ms`);
  console.log(`Worker WASM memory high-water after all cases: ${(memory.total / 2 ** 20).toFixed(1)} MiB ${JSON.stringify(memory.modules)}`);
  mkdirSync(dirname(JSON_OUT), { recursive: true });
  writeFileSync(JSON_OUT, JSON.stringify({ runs: RUNS, results, cache_hit_ms: median(hits), wasm_memory: memory, node: process.version, date: new Date().toISOString() }, null, 2));
  console.log(`wrote ${JSON_OUT}`);
} finally {
  await worker.dispose();
}
