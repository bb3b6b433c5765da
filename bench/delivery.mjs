#!/usr/bin/env node
// Delivery benchmark suite: each case through the Worker (local workerd under wrangler, original in
// local R2, a cache miss every time through a fresh v<version>) and through sharp doing the same work
// with one thread (same input, output size, format and quality), alternating, in the same run.
//
//   npm run bench                 (or: node bench/delivery.mjs [--runs 15] [--case 1] [--json bench/.out/delivery.json])
//
// Stop other CPU-heavy work first; both sides run on one core. Each case gets a fresh Worker, so the
// WASM memory it reports (GET /_dprox/memory: wasm memory never shrinks) is that case's high-water.
// Prints per case: median and p90 ms of each side, the ratio, output bytes, PSNR of dprox's output
// against sharp's, the Worker's WASM high-water and its per-stage medians (Server-Timing).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { startWorker } from '../scripts/lib/start-worker.mjs';
import { CLOUD, option, root, SECRET, upload } from './lib.mjs';

const RUNS = Number(option('runs', 15));
const ONLY = option('case', '');
const JSON_OUT = option('json', join(root, 'bench/.out/delivery.json'));

sharp.concurrency(1);
sharp.cache(false);

const KODAK = join(root, '../shared/datasets/Kodak');

/** Real photographic content at any size: a Kodak image scaled with Lanczos3 (a sample when the set is absent). */
function kodak(n) {
  const file = join(KODAK, `kodim${String(n).padStart(2, '0')}.png`);
  return existsSync(file) ? file : join(root, 'samples/rocket.jpg');
}
const photo = (n, width, height) => sharp(kodak(n)).resize(width, height, { fit: 'cover', kernel: 'lanczos3' }).jpeg({ quality: 90 }).toBuffer();

/** A photo with a soft elliptical alpha mask (transparent corners, partial alpha at the edge). */
async function photoWithAlpha(n, width, height) {
  const rgb = await sharp(kodak(n)).resize(width, height, { fit: 'cover', kernel: 'lanczos3' }).removeAlpha().raw().toBuffer();
  const rgba = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const dx = (x - width / 2) / (width / 2),
        dy = (y - height / 2) / (height / 2);
      const a = Math.max(0, Math.min(1, (1 - Math.hypot(dx, dy)) * 4));
      const i = y * width + x;
      rgba[i * 4] = rgb[i * 3];
      rgba[i * 4 + 1] = rgb[i * 3 + 1];
      rgba[i * 4 + 2] = rgb[i * 3 + 2];
      rgba[i * 4 + 3] = Math.round(a * 255);
    }
  }
  return sharp(rgba, { raw: { width, height, channels: 4 } })
    .png()
    .toBuffer();
}

const SOURCES = {
  '12mp': { make: () => photo(23, 4000, 3000), label: '4000x3000 JPEG q90 (kodim23)' },
  '3mp-alpha': { make: () => photoWithAlpha(3, 2000, 1500), label: '2000x1500 PNG RGBA (kodim03, elliptical alpha)' },
  '24mp': { make: () => photo(5, 6000, 4000), label: '6000x4000 JPEG q90 (kodim05)' },
  '50mp': { make: () => photo(8, 8660, 5774), label: '8660x5774 JPEG q90 (kodim08)' },
  '2mp': { make: () => photo(19, 1200, 1800), label: '1200x1800 JPEG q90 (kodim19, portrait)' },
};

// Each case: a Cloudinary transformation and the sharp pipeline that does the same.
const CASES = [
  {
    name: '1. 12 MP JPEG -> c_fill,w_800,h_600,q_80 JPEG',
    source: '12mp',
    transformation: 'c_fill,w_800,h_600,q_80',
    ext: 'jpg',
    sharp: (b) => sharp(b).resize(800, 600, { fit: 'cover', kernel: 'lanczos3' }).jpeg({ quality: 80 }).toBuffer(),
  },
  {
    name: '2. 12 MP JPEG -> w_800,q_75 WebP',
    source: '12mp',
    transformation: 'w_800,q_75',
    ext: 'webp',
    sharp: (b) => sharp(b).resize(800, null, { kernel: 'lanczos3' }).webp({ quality: 75 }).toBuffer(),
  },
  {
    name: '3. 3 MP PNG with alpha -> w_400 PNG',
    source: '3mp-alpha',
    transformation: 'w_400',
    ext: 'png',
    sharp: (b) => sharp(b).resize(400, null, { kernel: 'lanczos3' }).png().toBuffer(),
  },
  {
    name: '4. 24 MP JPEG -> w_2400 JPEG',
    source: '24mp',
    transformation: 'w_2400',
    ext: 'jpg',
    sharp: (b) => sharp(b).resize(2400, null, { kernel: 'lanczos3' }).jpeg({ quality: 80 }).toBuffer(),
  },
  {
    name: '5. 50 MP JPEG -> w_1000 JPEG',
    source: '50mp',
    transformation: 'w_1000',
    ext: 'jpg',
    sharp: (b) => sharp(b).resize(1000, null, { kernel: 'lanczos3' }).jpeg({ quality: 80 }).toBuffer(),
  },
  {
    // sharp has no premium downscaling: its lanczos3 plus its default sharpen is the nearest equivalent.
    name: '6. 2 MP JPEG -> c_fill,w_200,h_200, premium downscaling',
    source: '2mp',
    transformation: 'c_fill,w_200,h_200',
    ext: 'jpg',
    vars: { PREMIUM_DOWNSCALING: 'true' },
    sharp: (b) => sharp(b).resize(200, 200, { fit: 'cover', kernel: 'lanczos3' }).sharpen().jpeg({ quality: 80 }).toBuffer(),
  },
];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.9))];
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

async function psnr(a, b) {
  const [ra, rb] = await Promise.all([a, b].map((x) => sharp(x).ensureAlpha().raw().toBuffer({ resolveWithObject: true })));
  if (ra.info.width !== rb.info.width || ra.info.height !== rb.info.height) return NaN;
  let se = 0;
  for (let i = 0; i < ra.data.length; i++) se += (ra.data[i] - rb.data[i]) ** 2;
  return 10 * Math.log10((255 * 255 * ra.data.length) / se);
}

/** `Server-Timing: decode;dur=12.3, resize;dur=4.5` → { decode: 12.3, resize: 4.5 } */
function stages(header) {
  const out = {};
  for (const part of (header ?? '').split(',')) {
    const m = /^\s*([\w-]+);dur=([\d.]+)/.exec(part);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
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
  return { t, body, stages: stages(res.headers.get('Server-Timing')) };
}

async function viaSharp(c, bytes) {
  const t0 = process.hrtime.bigint();
  const body = await c.sharp(bytes);
  return { t: ms(t0), body };
}

const cases = CASES.filter((_c, i) => !ONLY || ONLY.split(',').includes(String(i + 1)));
const sources = {};
for (const c of cases) sources[c.source] ??= await SOURCES[c.source].make();

console.log(
  `dprox delivery benchmark: ${RUNS} runs per case, cache miss each time, a fresh Worker per case; sharp ${sharp.versions.sharp} (libvips ${sharp.versions.vips}), concurrency 1`,
);
for (const [id, bytes] of Object.entries(sources)) console.log(`  source ${id}: ${SOURCES[id].label}, ${bytes.length} B`);
console.log('');

const results = [];
for (const c of cases) {
  const bytes = sources[c.source];
  const worker = await startWorker({ secret: SECRET, vars: { DIAGNOSTICS: 'true', ...c.vars } });
  try {
    await upload(worker.url, `bench/${c.source}`, bytes);
    for (let i = 0; i < 2; i++) await viaWorker(worker.url, c).then(() => viaSharp(c, bytes)); // warm-up
    const w = [];
    const s = [];
    const st = {};
    let last;
    for (let i = 0; i < RUNS; i++) {
      // Alternate so that both sides see the same machine conditions.
      const a = await viaWorker(worker.url, c);
      const b = await viaSharp(c, bytes);
      w.push(a.t);
      s.push(b.t);
      for (const [k, v] of Object.entries(a.stages)) (st[k] ??= []).push(v);
      last = { dprox: a.body, sharp: b.body };
    }
    const memory = await (await fetch(`${worker.url}/_dprox/memory`)).json();
    const meta = await sharp(last.dprox).metadata();
    const r = {
      case: c.name,
      dprox_ms: { median: median(w), p90: p90(w) },
      sharp_ms: { median: median(s), p90: p90(s) },
      ratio: median(w) / median(s),
      // The Worker's own time (Server-Timing total: parse to response), without wrangler's local proxy hop.
      in_worker_ms: st.total ? median(st.total) : NaN,
      in_worker_ratio: st.total ? median(st.total) / median(s) : NaN,
      dprox_bytes: last.dprox.length,
      sharp_bytes: last.sharp.length,
      output: `${meta.width}x${meta.height} ${meta.format}`,
      psnr_vs_sharp_db: await psnr(last.dprox, last.sharp),
      wasm_high_water_mib: memory.total / 2 ** 20,
      wasm_modules_mib: Object.fromEntries(Object.entries(memory.modules).map(([k, v]) => [k, +(v / 2 ** 20).toFixed(1)])),
      stages_ms: Object.fromEntries(Object.entries(st).map(([k, v]) => [k, +median(v).toFixed(1)])),
    };
    results.push(r);
    console.log(
      `${c.name}  (${r.output})\n` +
        `  dprox ${r.dprox_ms.median.toFixed(1)} ms (p90 ${r.dprox_ms.p90.toFixed(1)})  sharp ${r.sharp_ms.median.toFixed(1)} ms (p90 ${r.sharp_ms.p90.toFixed(1)})  ratio ${r.ratio.toFixed(2)}x` +
        `  (in the Worker ${r.in_worker_ms.toFixed(0)} ms: ${r.in_worker_ratio.toFixed(2)}x)\n` +
        `  bytes dprox ${r.dprox_bytes} / sharp ${r.sharp_bytes}  PSNR vs sharp ${r.psnr_vs_sharp_db.toFixed(2)} dB  WASM high-water ${r.wasm_high_water_mib.toFixed(1)} MiB ${JSON.stringify(r.wasm_modules_mib)}\n` +
        `  stages (median ms): ${Object.entries(r.stages_ms)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}`,
    );
  } finally {
    await worker.dispose();
  }
}

console.log('\n| case | dprox ms | sharp ms | ratio | in the Worker | dprox bytes | sharp bytes | PSNR vs sharp | WASM high-water |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of results)
  console.log(
    `| ${r.case} | ${r.dprox_ms.median.toFixed(1)} | ${r.sharp_ms.median.toFixed(1)} | ${r.ratio.toFixed(2)}x | ${r.in_worker_ms.toFixed(0)} ms (${r.in_worker_ratio.toFixed(2)}x) | ${r.dprox_bytes} | ${r.sharp_bytes} | ${r.psnr_vs_sharp_db.toFixed(1)} dB | ${r.wasm_high_water_mib.toFixed(1)} MiB |`,
  );
console.log('\nstages (median ms, Server-Timing):');
for (const r of results)
  console.log(
    `  ${r.case}: ${Object.entries(r.stages_ms)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
mkdirSync(dirname(JSON_OUT), { recursive: true });
writeFileSync(JSON_OUT, JSON.stringify({ runs: RUNS, results, node: process.version, date: new Date().toISOString() }, null, 2));
console.log(`wrote ${JSON_OUT}`);
