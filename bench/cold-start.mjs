#!/usr/bin/env node
// Cold start: the time from a fresh workerd (a new isolate) to the first response, against the
// same request once the isolate is warm, for case 1 (12 MP JPEG -> c_fill,w_800,h_600,q_80 JPEG, a
// miss) and for a cache hit. The bundle is the Worker as deployed (bench/lib/bundled-worker.mjs).
//
//   node bench/cold-start.mjs [--runs 5] [--part 1|2]
//
// 1. Worker start: raw workerd (`workerd serve` on a config that embeds the modules, no Miniflare,
//    whose own start copies every module through its config in JS) from spawn to its socket
//    accepting, for a script of a few lines with the same bindings, that script with onnxruntime's
//    .wasm declared, with every .wasm of the bundle declared, with every module (.wasm, .onnx, .ttf)
//    declared, the bundle itself (workerd compiles
//    each declared module and evaluates the main module before it listens), and the bundle without
//    onnxruntime's .wasm (what another Worker for the AI jobs would save); alternating.
// 2. First request in a fresh process (Miniflare, storage persisted on disk between processes): a
//    miss (a new v<n>: R2 read, decode, resize, encode; Server-Timing stages), a hit from R2's
//    derived copy (the Cache API empty: a new process), a hit from the Cache API (persisted too);
//    each against the same request repeated in that process after a warm-up.
// Per-module instantiation: bench/workerd/instantiate.test.ts. Figures in README "Performance".
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import sharp from 'sharp';
import { bundle, startBundled } from './lib/bundled-worker.mjs';
import { CLOUD, option, root, SECRET, upload } from './lib.mjs';

const RUNS = Math.max(1, Math.min(20, Number(option('runs', 5))));
const PART = option('part', ''); // '1' or '2': only that part
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (xs) => `${median(xs).toFixed(0)} ms (${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)})`;

const workerdBin = (await import('workerd')).default.default ?? (await import('workerd')).default;
const built = bundle();
const files = readdirSync(built.dir);
const wasmFiles = files.filter((f) => f.endsWith('.wasm'));
const ortWasm = wasmFiles.filter((f) => f.includes('ort-wasm'));
console.log(
  `cold start: bundle ${(built.bytes / 2 ** 20).toFixed(1)} MiB (${(built.wasm / 2 ** 20).toFixed(1)} MiB of it .wasm, ${wasmFiles.length} modules), ${RUNS} runs, workerd ${(await import('workerd')).default.version}`,
);

// ---- 1. worker start in raw workerd ----
const EMPTY = `import { DurableObject } from 'cloudflare:workers';
export class AiJobs extends DurableObject {}
export class Usage extends DurableObject {}
export default { fetch: () => new Response('ok') };
`;
writeFileSync(join(built.dir, 'empty.mjs'), EMPTY);

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const KIND = { '.wasm': 'wasm', '.onnx': 'data', '.ttf': 'data', '.js': 'esModule' };
function capnp(main, extra, port) {
  const mods = [main, ...extra].map((f) => `(name = "${f}", ${f === main ? 'esModule' : KIND[extname(f)]} = embed "${f}")`);
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .main), (name = "stub", worker = .stub) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const main :Workerd.Worker = (
  modules = [ ${mods.join(', ')} ],
  compatibilityDate = "2026-04-20",
  bindings = [ (name = "IMAGES", r2Bucket = "stub"), (name = "AI_JOBS", durableObjectNamespace = "AiJobs"), (name = "USAGE", durableObjectNamespace = "Usage"), (name = "CLOUD_NAME", text = "${CLOUD}") ],
  durableObjectNamespaces = [ (className = "AiJobs", uniqueKey = "dprox-ai", enableSql = true), (className = "Usage", uniqueKey = "dprox-usage", enableSql = true) ],
  durableObjectStorage = (inMemory = void),
);
const stub :Workerd.Worker = ( modules = [ (name = "s.js", esModule = "export default { fetch: () => new Response(null, { status: 404 }) };") ], compatibilityDate = "2026-04-20" );
`;
}

/** Spawn → the socket accepts a connection (workerd binds it once every service is loaded). */
async function workerdStart(main, extra) {
  const port = await freePort();
  const config = join(built.dir, `start-${port}.capnp`);
  writeFileSync(config, capnp(main, extra, port));
  const t0 = performance.now();
  const child = spawn(workerdBin, ['serve', config, '--experimental'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`workerd exited ${child.exitCode}: ${err}`);
      if (performance.now() - t0 > 60_000) throw new Error(`workerd not listening after 60 s: ${err}`);
      const ok = await new Promise((resolve) => {
        const s = connect(port, '127.0.0.1');
        s.once('connect', () => {
          s.destroy();
          resolve(true);
        });
        s.once('error', () => resolve(false));
      });
      if (ok) break;
      await new Promise((r) => setTimeout(r, 2));
    }
    const ms = performance.now() - t0;
    // The main module evaluated and answering (the bundle's 404 for an unknown path; the script's ok).
    const res = await fetch(`http://127.0.0.1:${port}/robots.txt`);
    const body = await res.text();
    return { ms, firstMs: performance.now() - t0 - ms, body };
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => (child.exitCode !== null ? r() : child.on('exit', r)));
    rmSync(config, { force: true });
  }
}

const dataFiles = files.filter((f) => f.endsWith('.onnx') || f.endsWith('.ttf'));
const mib = (fs) => (fs.reduce((n, f) => n + statSync(join(built.dir, f)).size, 0) / 2 ** 20).toFixed(1);
const VARIANTS = [
  ['a script of a few lines, same bindings', 'empty.mjs', []],
  [`  + onnxruntime's .wasm declared (${mib(ortWasm)} MiB)`, 'empty.mjs', ortWasm],
  [`  + every .wasm of the bundle declared (${mib(wasmFiles)} MiB)`, 'empty.mjs', wasmFiles],
  [`  + every module of the bundle but index.js declared (${mib([...wasmFiles, ...dataFiles])} MiB)`, 'empty.mjs', [...wasmFiles, ...dataFiles]],
  [
    `the bundle (index.js + ${wasmFiles.length + dataFiles.length} modules, ${mib(files.filter((f) => KIND[extname(f)]))} MiB)`,
    'index.js',
    [...wasmFiles, ...dataFiles],
  ],
  // What the load would be if onnxruntime lived in another Worker (its import is dynamic: nothing else needs it to load).
  ["  the bundle without onnxruntime's .wasm", 'index.js', [...wasmFiles.filter((f) => !ortWasm.includes(f)), ...dataFiles]],
];

if (PART !== '2') {
  const starts = VARIANTS.map(() => []);
  const firsts = VARIANTS.map(() => []);
  for (let i = 0; i < RUNS; i++)
    for (const [k, [, main, extra]] of VARIANTS.entries()) {
      const r = await workerdStart(main, extra);
      starts[k].push(r.ms);
      firsts[k].push(r.firstMs);
    }
  console.log('\n1. worker start, raw workerd (spawn -> socket accepting; median (min-max)), then its first trivial response:');
  for (const [k, [name]] of VARIANTS.entries()) console.log(`  ${name.padEnd(52)} ${fmt(starts[k])}   first response ${fmt(firsts[k])}`);

  // The main module's evaluation alone: a few-line main that imports index.js on its first request
  // (its modules declared, so compiled at load), timed inside workerd.
  writeFileSync(
    join(built.dir, 'probe.mjs'),
    `${EMPTY.replace(/export default .*/, '')}export default { async fetch() { const t = performance.now(); await import('./index.js'); return new Response(String(performance.now() - t)); } };\n`,
  );
  const evals = [];
  for (let i = 0; i < RUNS; i++) evals.push(Number((await workerdStart('probe.mjs', ['index.js', ...wasmFiles, ...dataFiles])).body));
  console.log(`  index.js evaluated (import() on the first request, timed in workerd): ${fmt(evals)}`);
  rmSync(join(built.dir, 'probe.mjs'), { force: true });
}
rmSync(join(built.dir, 'empty.mjs'), { force: true });

if (PART === '1') process.exit(0);

// ---- 2. first request in a fresh process ----
const kodak = join(root, '../shared/datasets/Kodak/kodim23.png');
const input = await sharp(existsSync(kodak) ? kodak : join(root, 'samples/rocket.jpg'))
  .resize(4000, 3000, { fit: 'cover', kernel: 'lanczos3' })
  .jpeg({ quality: 90 })
  .toBuffer();
const base = `/${CLOUD}/image/upload`;
const HIT = `${base}/c_fill,w_800,h_600,q_80/bench/12mp.jpg`;
let version = 0;
const missPath = () => `${base}/c_fill,w_800,h_600,q_80/v${++version}/bench/12mp.jpg`;

function stages(header) {
  const out = {};
  for (const part of (header ?? '').split(',')) {
    const m = /^\s*([\w-]+);dur=([\d.]+)/.exec(part);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}
async function get(url, expect) {
  const t0 = performance.now();
  const res = await fetch(url);
  await res.arrayBuffer();
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${res.headers.get('X-Cld-Error')}`);
  if (res.headers.get('X-Dprox-Cache') !== expect) throw new Error(`${url}: X-Dprox-Cache ${res.headers.get('X-Dprox-Cache')}, expected ${expect}`);
  return { ms, stages: stages(res.headers.get('Server-Timing')) };
}

const persist = mkdtempSync(join(tmpdir(), 'dprox-cold-'));
const vars = { DIAGNOSTICS: 'true' };
// Derived copies made beforehand, for warm hits from R2 (each URL is a hit-r2 once per process, then in the Cache API).
const stored = Array.from({ length: 8 }, (_, k) => `${base}/c_fill,w_800,h_600,q_80/v${900001 + k}/bench/12mp.jpg`);
const SCEN = {
  miss: { about: 'case 1, a new v<n>', cold: [], warm: [], start: [], st: { cold: {}, warm: {} } },
  'hit-r2': { about: "R2's derived copy, the Cache API empty", cold: [], warm: [], start: [] },
  'hit-edge': { about: 'the Cache API (persisted)', cold: [], warm: [], start: [] },
};
try {
  // One process uploads the original and makes the derived copies (R2 and the Cache API, on disk).
  {
    const w = await startBundled({ secret: SECRET, vars, persist });
    await upload(w.url, 'bench/12mp', input);
    for (const p of [HIT, ...stored]) await get(`${w.url}${p}`, 'miss');
    await new Promise((r) => setTimeout(r, 1500)); // the R2 writes and cache puts run after the responses
    await get(`${w.url}${HIT}`, 'hit-edge');
    await w.dispose();
  }
  for (let i = 0; i < RUNS; i++) {
    for (const [scenario, s] of Object.entries(SCEN)) {
      const w = await startBundled({ secret: SECRET, vars, persist, cache: scenario !== 'hit-r2' });
      try {
        s.start.push(w.startMs);
        const path = scenario === 'miss' ? missPath : () => HIT;
        const first = await get(`${w.url}${path()}`, scenario);
        s.cold.push(first.ms);
        if (s.st) for (const [k, v] of Object.entries(first.stages)) (s.st.cold[k] ??= []).push(v);
        const next = scenario === 'hit-r2' ? stored.values() : null;
        const again = () => (next ? next.next().value : path());
        for (let k = 0; k < 3; k++) await get(`${w.url}${again()}`, scenario);
        const warm = [];
        for (let k = 0; k < 5; k++) {
          const r = await get(`${w.url}${again()}`, scenario);
          warm.push(r.ms);
          if (s.st) for (const [key, v] of Object.entries(r.stages)) (s.st.warm[key] ??= []).push(v);
        }
        s.warm.push(median(warm));
      } finally {
        await w.dispose();
      }
    }
  }
} finally {
  rmSync(persist, { recursive: true, force: true });
}

console.log('\n2. first request in a fresh process (Miniflare: new Miniflare() to ready, then the request end to end; medians (min-max) over runs):');
console.log('| request | process start | first request (cold) | same request warm | cold - warm |');
console.log('|---|---|---|---|---|');
for (const [name, s] of Object.entries(SCEN))
  console.log(`| ${name}: ${s.about} | ${fmt(s.start)} | ${fmt(s.cold)} | ${fmt(s.warm)} | ${(median(s.cold) - median(s.warm)).toFixed(0)} ms |`);
const st = SCEN.miss.st;
const line = (o) =>
  Object.entries(o)
    .map(([k, v]) => `${k} ${median(v)}`)
    .join(', ');
console.log(`\nmiss, Server-Timing stages (median ms), cold: ${line(st.cold)}\n                                        warm: ${line(st.warm)}`);
