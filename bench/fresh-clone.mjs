#!/usr/bin/env node
// Time from a fresh clone to the first served image, as a new user gets it:
//   git clone <this repo> && npm install && npm start, then the first example URL it prints.
//
//   node bench/fresh-clone.mjs [--cold-cache]
//
// --cold-cache installs with an empty npm cache (every package downloaded from the registry);
// without it npm's cache is the machine's own, as on a developer's second clone or on CI.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const repo = join(import.meta.dirname, '..');
const cold = process.argv.includes('--cold-cache');
const dir = mkdtempSync(join(tmpdir(), 'dprox-fresh-'));
const clone = join(dir, 'dprox');
const cache = join(dir, 'npm-cache');
const seconds = (ms) => (ms / 1000).toFixed(1);

try {
  const t0 = performance.now();
  execFileSync('git', ['clone', '--quiet', repo, clone]);
  const tClone = performance.now();
  const npmEnv = { ...process.env, ...(cold ? { npm_config_cache: cache } : {}) };
  execFileSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: clone, env: npmEnv, stdio: 'ignore' });
  const tInstall = performance.now();

  const port = await freePort();
  let output = '';
  const start = spawn('npm', ['start'], { cwd: clone, env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  start.stdout.on('data', (d) => (output += d));
  start.stderr.on('data', (d) => (output += d));
  const first = await firstExample(() => output, start);
  const tPrinted = performance.now();
  const res = await fetch(first);
  const bytes = (await res.arrayBuffer()).byteLength;
  if (res.status !== 200) throw new Error(`${first}: ${res.status} ${res.headers.get('X-Cld-Error')}`);
  const tImage = performance.now();
  start.kill('SIGTERM');
  await new Promise((r) => start.on('exit', r));

  console.log(`fresh clone -> first served image (${cold ? 'empty npm cache' : "machine's npm cache"})`);
  console.log(`  git clone           ${seconds(tClone - t0)} s`);
  console.log(`  npm install         ${seconds(tInstall - tClone)} s`);
  console.log(`  npm start -> URLs  ${seconds(tPrinted - tInstall)} s (wrangler ready, samples seeded)`);
  console.log(`  first image         ${seconds(tImage - tPrinted)} s (${bytes} bytes: ${first})`);
  console.log(`  npm install -> first image: ${seconds(tImage - tClone)} s`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function firstExample(output, child) {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const m = /^\s+(http:\/\/127\.0\.0\.1:\d+\/\S+\/image\/upload\/\S+)\s+\[/m.exec(output());
    if (m && output().includes('Stop with Ctrl-C.')) return m[1];
    if (child.exitCode !== null) throw new Error(`npm start exited (${child.exitCode}):\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`npm start printed no example URL within 120 s:\n${output()}`);
}
