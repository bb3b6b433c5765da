#!/usr/bin/env node
// Load on the Worker under wrangler (local workerd, 127.0.0.1 only) with autocannon: cache hits
// (one URL), misses (a new URL every request: w_ and v<version> vary) and a mix with AI jobs
// (signed e_upscale URLs answered 423 while their job runs). A fresh Worker per scenario, so the
// WASM memory it reports (/_dprox/memory, DIAGNOSTICS="true") is that scenario's high-water mark.
//
//   node bench/load.mjs [--seconds 10] [--connections 8,32] [--scenario hits|misses|ai-mix]
//
// Case 1 misses and hits beside ipx (sharp), on the bundled Worker: bench/throughput.mjs; cold start:
// bench/cold-start.mjs (both in README "Performance").
//
// Prints per scenario and connection count: requests, req/s, p50/p99 latency, status counts,
// and the Worker's WASM memory after the run.
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startWorker } from '../scripts/lib/start-worker.mjs';
import { CLOUD, option, root, signed, upload } from './lib.mjs';

const SECONDS = Number(option('seconds', 10));
const CONNECTIONS = option('connections', '8,32').split(',').map(Number);
const ONLY = option('scenario', '');

const photo = readFileSync(join(root, 'test/.fixtures/medium.jpg')); // 640x427 JPEG
const small = readFileSync(join(root, 'test/.fixtures/small.jpg')); // 200x303 JPEG
const base = `/${CLOUD}/image/upload`;

let serial = 0;
const SCENARIOS = {
  hits: {
    about: 'one URL, served from the edge cache after the first request',
    requests: () => [{ path: `${base}/c_fill,w_200,h_200/load/photo.jpg` }],
  },
  misses: {
    about: 'a new derived image every request (c_fill to w_100..w_599, new v<n>): read, decode, resize, encode',
    requests: () => [{ setupRequest: (req) => ({ ...req, path: `${base}/c_fill,w_${100 + (serial % 500)},h_200/v${++serial}/load/photo.jpg` }) }],
  },
  'ai-mix': {
    about: '8 of 10 hits, 1 miss, 1 of 8 signed e_upscale URLs (Prefer: respond-async: 423 while the job runs)',
    requests: () => [
      {
        setupRequest: (req) => {
          const n = ++serial;
          if (n % 10 === 0) {
            const rest = `c_limit,w_${48 + ((n / 10) % 8)}/e_upscale/load/small.jpg`;
            return { ...req, path: `${base}/${signed(rest)}`, headers: { ...req.headers, prefer: 'respond-async' } };
          }
          if (n % 10 === 5) return { ...req, path: `${base}/c_fill,w_${100 + (n % 500)},h_200/v${n}/load/photo.jpg` };
          return { ...req, path: `${base}/c_fill,w_200,h_200/load/photo.jpg` };
        },
      },
    ],
  },
};

const mib = (bytes) => (bytes / 1048576).toFixed(1);
const rows = [];
for (const [name, scenario] of Object.entries(SCENARIOS)) {
  if (ONLY && ONLY !== name) continue;
  const { url, dispose } = await startWorker({ secret: (await import('./lib.mjs')).SECRET, vars: { DIAGNOSTICS: 'true' } });
  try {
    await upload(url, 'load/photo', photo);
    await upload(url, 'load/small', small);
    // Warm the isolate (codecs instantiated) and the hit URL's cache entry.
    for (let i = 0; i < 3; i++) await (await fetch(`${url}${base}/c_fill,w_200,h_200/load/photo.jpg`)).arrayBuffer();
    for (const connections of CONNECTIONS) {
      const result = await autocannon({ url, connections, duration: SECONDS, requests: scenario.requests(), timeout: 30 });
      const memory = await (await fetch(`${url}/_dprox/memory`)).json();
      const statuses = Object.entries(result.statusCodeStats ?? {})
        .map(([k, v]) => `${k}:${v.count}`)
        .join(' ');
      const row = {
        scenario: name,
        connections,
        requests: result.requests.total,
        rps: result.requests.average,
        p50: result.latency.p50,
        p99: result.latency.p99,
        statuses,
        errors: result.errors,
        timeouts: result.timeouts,
        wasm: memory.total,
      };
      rows.push(row);
      console.log(
        `${name} (${scenario.about}), ${connections} connections, ${SECONDS} s: ${row.requests} requests, ${row.rps.toFixed(1)} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms, ${statuses}${row.errors ? `, ${row.errors} errors` : ''}${row.timeouts ? `, ${row.timeouts} timeouts` : ''}; WASM ${mib(row.wasm)} MiB`,
      );
    }
  } finally {
    await dispose();
  }
}

console.log('\n| scenario | connections | requests | req/s | p50 | p99 | statuses | WASM memory after |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of rows)
  console.log(
    `| ${r.scenario} | ${r.connections} | ${r.requests} | ${r.rps.toFixed(1)} | ${r.p50} ms | ${r.p99} ms | ${r.statuses}${r.errors ? `, ${r.errors} errors` : ''}${r.timeouts ? `, ${r.timeouts} timeouts` : ''} | ${mib(r.wasm)} MiB |`,
  );
