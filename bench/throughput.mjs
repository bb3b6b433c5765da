#!/usr/bin/env node
// Throughput of case 1 (12 MP JPEG -> c_fill,w_800,h_600,q_80 JPEG) under load: dprox (the bundled
// Worker in local workerd, bench/lib/bundled-worker.mjs, no proxy in front) beside ipx (the
// sharp-based image server, from npm, installed on demand into bench/ipx/node_modules and run from
// there: never a dependency of dprox) on the same input and to the same output, with autocannon on
// 127.0.0.1 only, for a bounded time per run, the sides alternating at each connection count.
//
//   node bench/throughput.mjs [--seconds 10] [--connections 1,4,16] [--ipx 1/1,1/4]
//
// Scenarios, dprox: "miss", a new v<n> every request (read the original from R2, decode, resize,
// encode; the derived copy is written to R2 after the response), and "hit", one URL served from the
// Cache API (warmed first). ipx has no result cache: every request, the same URL or not, reads the
// file and runs sharp (its "repeated URL" figure is its miss figure). workerd runs a Worker's
// JavaScript and WASM on one thread; ipx runs once per --ipx entry <sharp threads>/<libuv threads>:
// "1/1" is one thread for all requests as workerd (sharp.concurrency(1), UV_THREADPOOL_SIZE=1),
// "1/4" is ipx as installed here (sharp's default on glibc Linux is 1 thread per image, libuv's
// pool 4 threads: up to 4 images at once on all cores).
// Prints per run: requests, req/s, p50, p99 and statuses (dprox: its X-Dprox-Cache values, and the
// Worker's own time from Server-Timing, which a miss has); then a table (README "Performance").
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import sharp from 'sharp';
import { bundle, startBundled } from './lib/bundled-worker.mjs';
import { CLOUD, option, root, SECRET, upload } from './lib.mjs';

const SECONDS = Math.min(60, Number(option('seconds', 10)));
const CONNECTIONS = option('connections', '1,4,16')
  .split(',')
  .map((n) => Math.min(64, Number(n)));
const IPX_RUNS = option('ipx', '1/1,1/4')
  .split(',')
  .map((v) => {
    const [threads, pool] = v.split('/').map((n) => Math.max(1, Math.min(16, Number(n))));
    return { threads, pool, name: `ipx ${threads}/${pool}` };
  });

// ipx, on demand, from its own lock file.
const IPX = join(root, 'bench/ipx');
if (!existsSync(join(IPX, 'node_modules/ipx'))) {
  console.log('installing ipx into bench/ipx/node_modules (npm ci --prefix bench/ipx)');
  await new Promise((resolve, reject) =>
    spawn('npm', ['ci', '--prefix', IPX, '--no-audit', '--no-fund'], { stdio: 'inherit' }).on('exit', (c) =>
      c === 0 ? resolve() : reject(new Error(`npm ci: ${c}`)),
    ),
  );
}

// Case 1's input, as bench/delivery.mjs builds it: kodim23 scaled to 4000x3000, q90 JPEG.
const kodak = join(root, '../shared/datasets/Kodak/kodim23.png');
const input = await sharp(existsSync(kodak) ? kodak : join(root, 'samples/rocket.jpg'))
  .resize(4000, 3000, { fit: 'cover', kernel: 'lanczos3' })
  .jpeg({ quality: 90 })
  .toBuffer();
const ipxDir = join(root, 'bench/.out/ipx-root');
mkdirSync(ipxDir, { recursive: true });
writeFileSync(join(ipxDir, '12mp.jpg'), input);

function startIpx({ threads, pool }) {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, UV_THREADPOOL_SIZE: String(pool) };
    const child = spawn(process.execPath, [join(IPX, 'server.mjs'), ipxDir, String(threads)], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /^listening (\d+) (.*)$/m.exec(out);
      if (m)
        resolve({
          url: `http://127.0.0.1:${m[1]}`,
          about: m[2],
          dispose: () =>
            new Promise((r) => {
              child.kill();
              child.on('exit', r);
            }),
        });
    });
    child.on('exit', (code) => reject(new Error(`ipx exited ${code}: ${out}`)));
  });
}

const base = `/${CLOUD}/image/upload`;
let version = 0;
const DPROX = {
  miss: () => ({ timed: true, setupRequest: (req) => ({ ...req, path: `${base}/c_fill,w_800,h_600,q_80/v${++version}/bench/12mp.jpg` }) }),
  hit: () => ({ path: `${base}/c_fill,w_800,h_600,q_80/bench/12mp.jpg` }),
};
const IPX_PATH = '/s_800x600,fit_cover,q_80,f_jpeg/12mp.jpg';

async function check(url, expect) {
  const res = await fetch(url);
  const body = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${res.headers.get('X-Cld-Error') ?? ''}`);
  const meta = await sharp(body).metadata();
  if (meta.width !== 800 || meta.height !== 600 || meta.format !== 'jpeg') throw new Error(`${url}: ${meta.width}x${meta.height} ${meta.format}`);
  if (expect && res.headers.get('X-Dprox-Cache') !== expect) throw new Error(`${url}: X-Dprox-Cache ${res.headers.get('X-Dprox-Cache')}, expected ${expect}`);
  return body.length;
}

const pct = (xs, p) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] : NaN);

/**
 * One bounded autocannon run; `cache` counts X-Dprox-Cache values (dprox) so that a miss run proves
 * it missed, `inWorker` collects the Server-Timing totals (the Worker's own time: handler start to
 * response ready, DIAGNOSTICS="true"), for misses only (`timed`): a hit replays the header that
 * its cached response was stored with.
 */
async function load(url, connections, request) {
  const cache = {};
  const inWorker = [];
  const result = await autocannon({
    url,
    connections,
    duration: SECONDS,
    timeout: 30,
    requests: [
      {
        ...request,
        onResponse: (_s, _b, _c, headers) => {
          const k = Object.entries(headers).find(([h]) => h.toLowerCase() === 'x-dprox-cache')?.[1] ?? '-';
          cache[k] = (cache[k] ?? 0) + 1;
          const timing = Object.entries(headers).find(([h]) => h.toLowerCase() === 'server-timing')?.[1] ?? '';
          const total = /(?:^|,)\s*total;dur=([\d.]+)/.exec(timing);
          if (total) inWorker.push(Number(total[1]));
        },
      },
    ],
  });
  const statuses = Object.entries(result.statusCodeStats ?? {})
    .map(([k, v]) => `${k}:${v.count}`)
    .join(' ');
  return {
    requests: result.requests.total,
    rps: result.requests.total / SECONDS,
    p50: result.latency.p50,
    p99: result.latency.p99,
    statuses: `${statuses}${result.errors ? ` errors:${result.errors}` : ''}${result.timeouts ? ` timeouts:${result.timeouts}` : ''}`,
    cache: Object.entries(cache)
      .map(([k, v]) => `${k}:${v}`)
      .join(' '),
    inWorker: inWorker.length && request.timed ? `in the Worker p50 ${pct(inWorker, 0.5)} ms, p99 ${pct(inWorker, 0.99)} ms` : '',
  };
}

const built = bundle();
console.log(
  `throughput, case 1 (12 MP JPEG ${input.length} B -> c_fill,w_800,h_600,q_80 JPEG), ${SECONDS} s per run, connections ${CONNECTIONS.join(',')}; ` +
    `${cpus().length} CPUs (${cpus()[0]?.model}), Node ${process.version}; bundle ${(built.bytes / 2 ** 20).toFixed(1)} MiB`,
);
const worker = await startBundled({ secret: SECRET, vars: { DIAGNOSTICS: 'true' } }); // Server-Timing on misses
const ipxs = [];
const rows = [];
try {
  await upload(worker.url, 'bench/12mp', input);
  for (const v of IPX_RUNS) ipxs.push({ ...v, ...(await startIpx(v)) });
  for (const i of ipxs) console.log(`${i.name} (sharp threads / libuv threads): ${i.about}`);
  // Warm-up: codecs instantiated and tiered up on both sides, the hit URL in the cache.
  for (let i = 0; i < 5; i++) await check(`${worker.url}${DPROX.miss().setupRequest({}).path}`, 'miss');
  await check(`${worker.url}${DPROX.hit().path}`);
  await new Promise((r) => setTimeout(r, 500)); // its cache put runs after the response (waitUntil)
  const hitBytes = await check(`${worker.url}${DPROX.hit().path}`, 'hit-edge');
  for (const i of ipxs) for (let k = 0; k < 5; k++) await check(`${i.url}${IPX_PATH}`);
  const ipxBytes = await check(`${ipxs[0].url}${IPX_PATH}`);
  console.log(`output: dprox ${hitBytes} B, ipx ${ipxBytes} B (800x600 baseline JPEG q80 both)\n`);

  const run = async (side, scenario, url, connections, request) => {
    const r = { side, scenario, connections, ...(await load(url, connections, request)) };
    rows.push(r);
    console.log(
      `${side.padEnd(18)} ${scenario.padEnd(14)} c=${String(connections).padEnd(3)} ${String(r.requests).padStart(5)} req  ${r.rps.toFixed(1).padStart(6)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  ${r.statuses}${side === 'dprox' ? `  (${r.cache}${r.inWorker ? `; ${r.inWorker}` : ''})` : ''}`,
    );
  };
  for (const c of CONNECTIONS) {
    // Alternating, so that both sides see the same machine at each connection count.
    await run('dprox', 'miss', worker.url, c, DPROX.miss());
    for (const i of ipxs) await run(i.name, 'every request', i.url, c, { path: IPX_PATH });
    await run('dprox', 'hit', worker.url, c, DPROX.hit());
  }
} finally {
  await worker.dispose();
  for (const i of ipxs) await i.dispose();
}

console.log(`\n| connections | dprox miss req/s | p50 / p99 | ${ipxs.map((i) => `${i.name} req/s | p50 / p99`).join(' | ')} | dprox hit req/s | p50 / p99 |`);
console.log(`|---|---|---|${ipxs.map(() => '---|---|').join('')}---|---|`);
for (const c of CONNECTIONS) {
  const cell = (r) => `${r.rps.toFixed(1)} | ${r.p50} / ${r.p99} ms`;
  const at = rows.filter((r) => r.connections === c);
  console.log(
    `| ${c} | ${cell(at.find((r) => r.side === 'dprox' && r.scenario === 'miss'))} | ${ipxs.map((i) => cell(at.find((r) => r.side === i.name))).join(' | ')} | ${cell(at.find((r) => r.side === 'dprox' && r.scenario === 'hit'))} |`,
  );
}
const ratios = CONNECTIONS.map((c) => {
  const at = rows.filter((r) => r.connections === c);
  const miss = at.find((r) => r.side === 'dprox' && r.scenario === 'miss');
  return `c=${c}: ${ipxs.map((i) => `${i.name} / dprox miss ${(at.find((r) => r.side === i.name).rps / miss.rps).toFixed(2)}x`).join(', ')}`;
});
console.log(`\nreq/s ratios: ${ratios.join('; ')}`);
