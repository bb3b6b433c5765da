#!/usr/bin/env node
// `npm start`: wrangler dev, offline, with local R2 seeded from samples/ on first start, then the
// example URLs, each with the size and format it answers with (test/node/start.test.ts checks them).
//
// Stopping: Ctrl-C, SIGTERM (also through npm: package.json `exec`s this script) and SIGHUP stop
// wrangler and workerd; so does the end of this script by any other way, since wrangler runs
// under scripts/lib/child-guard.mjs, which ends wrangler's process group when our pipe to it closes.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { basename, dirname, extname, join } from 'node:path';
import { CLOUD as cloud, DEMO_UPLOAD_PRESET, signed as sign, upload } from './lib/api.mjs';

const root = join(import.meta.dirname, '..');
const port = Number(process.env.PORT ?? 8787);
const host = '127.0.0.1';
const origin = `http://${host}:${port}`;
// Public IDs seeded from another sample (samples/NOTICE): the docs' DPR example layers sale_icon over pepper.
const ALIASES = { pepper: 'coffee.png' };
const READY_TIMEOUT_MS = 60_000;

// No telemetry, no cf.json fetch, no update check: zero network lookups.
const env = {
  ...process.env,
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_SEND_ERROR_REPORTS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  WRANGLER_HIDE_BANNER: 'true',
};

let worker;
let stopping = false;

process.on('uncaughtException', (err) => fail(err.message ?? String(err)));
process.on('unhandledRejection', (err) => fail(err?.message ?? String(err)));
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => stop(0));

try {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`PORT must be a TCP port number, got ${process.env.PORT}`);
  if (!(await portIsFree(port)))
    throw new Error(`port ${port} on ${host} is already in use (another npm start?); stop it or choose another with PORT=<n> npm start`);
  const secret = devSecret();
  worker = startWrangler();
  watchParent();
  await waitForServer();
  await seed(secret).catch((err) => {
    throw new Error(`seeding the samples failed: ${err.message}`);
  });
  printExamples(secret);
} catch (err) {
  fail(err.message);
}

function devSecret() {
  const devVars = join(root, '.dev.vars');
  if (!existsSync(devVars)) {
    writeFileSync(devVars, `API_SECRET=${randomBytes(18).toString('base64url')}\n`);
    console.log('created .dev.vars with a random local API_SECRET');
  }
  const value = /^API_SECRET=(.*)$/m.exec(readFileSync(devVars, 'utf8'))?.[1]?.trim();
  if (!value) throw new Error('.dev.vars has no API_SECRET=<value> line: add one, or delete the file to get a new one');
  return value;
}

function startWrangler() {
  const bin = join(dirname(createRequire(import.meta.url).resolve('wrangler/package.json')), 'bin', 'wrangler.js');
  // The demo page at / with its unsigned upload preset: local only (both are off in wrangler.toml).
  const demoVars = ['--var', 'DEMO:true', '--var', `UNSIGNED_UPLOAD_PRESET:${DEMO_UPLOAD_PRESET}`];
  const args = [
    join(import.meta.dirname, 'lib', 'child-guard.mjs'),
    process.execPath,
    bin,
    'dev',
    '--ip',
    host,
    '--port',
    String(port),
    ...demoVars,
    ...process.argv.slice(2),
  ];
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['pipe', 'inherit', 'inherit'] });
  child.on('exit', (code) => {
    if (stopping) return;
    console.error(`dprox: wrangler dev exited (code ${code ?? 'none'}) before npm start was stopped`);
    process.exit(code || 1);
  });
  return child;
}

/** Re-parented (the terminal or process manager that started us is gone): stop too. */
function watchParent() {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) stop(1);
  }, 1000).unref();
}

function stop(code) {
  if (stopping) return;
  stopping = true;
  if (!worker || worker.exitCode !== null) process.exit(code);
  worker.once('exit', () => process.exit(code));
  worker.stdin.end();
  worker.kill('SIGTERM');
  setTimeout(() => process.exit(code || 1), 10_000).unref();
}

/** One line that says what went wrong, then everything stops with a non-zero exit. */
function fail(message) {
  console.error(`dprox: ${message}`);
  stop(1);
  if (!worker) process.exit(1);
}

function portIsFree(p) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(p, host, () => server.close(() => resolve(true)));
  });
}

async function waitForServer() {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    try {
      await fetch(`${origin}/`);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`wrangler dev did not answer on ${origin} within ${READY_TIMEOUT_MS / 1000} s`);
}

async function seed(secret) {
  const samples = readdirSync(join(root, 'samples')).filter((f) => /\.(png|jpe?g|webp|gif)$/i.test(f));
  const entries = [...samples.map((file) => [basename(file, extname(file)), file]), ...Object.entries(ALIASES)];
  let present = 0;
  for (const [publicId, file] of entries) {
    const head = await fetch(`${origin}/${cloud}/image/upload/${publicId}`, { method: 'HEAD' });
    if (head.ok) {
      present++;
      continue;
    }
    if (head.status !== 404) throw new Error(`HEAD ${publicId} answered ${head.status} ${head.headers.get('X-Cld-Error') ?? ''}`);
    await upload(origin, secret, publicId, readFileSync(join(root, 'samples', file)), file);
    console.log(`seeded ${publicId} (${file})`);
  }
  if (present) console.log(`${present} sample${present === 1 ? ' was' : 's were'} already in local R2 (.wrangler/state)`);
}

/** Each example with what it answers without client hints: [<width>x<height> <format>]. */
function printExamples(secret) {
  const base = `${origin}/${cloud}/image/upload`;
  const dpr = (n) =>
    `${base}/c_fill,h_100,w_100/r_max/l_sale_icon/c_scale,fl_relative,w_0.5/o_60/fl_layer_apply,g_south_east/dpr_${n}.0/pepper.png  [${n * 100}x${n * 100} png]`;
  console.log(`
dprox is serving cloud "${cloud}" at ${origin}
Try these in a browser:
  ${origin}/  (the demo page: drop an image on it)
  ${base}/c_fill,w_300,h_300,g_auto/astronaut.jpg  [300x300 jpg]
  ${base}/c_fill,w_100,h_100,dpr_2.0/chelsea.jpg  [200x200 jpg]
  ${base}/c_fill,w_200,h_200,dpr_auto/coffee.webp  [200x200 webp] (times the DPR a browser reports)
  ${base}/c_scale,w_400/e_sharpen/rocket.jpg  [400x267 jpg]
  ${base}/e_blur:300,c_scale,w_400/coffee.jpg  [400x267 jpg]
  ${base}/c_pad,w_400,h_200,b_lightblue/astronaut.png  [400x200 png]
  ${base}/c_fill,w_200,h_200,r_max/f_auto/chelsea  [200x200 png] (WebP or AVIF to browsers that accept them)
The docs' DPR example (a watermark half the image's width, the same at every DPR):
  ${dpr(1)}
  ${dpr(2)}
  ${dpr(3)}
AI effects need a signed URL (signed here with your local API_SECRET; 423 until the job is done):
  ${base}/${sign(secret, 'c_scale,w_200/e_upscale/chelsea.jpg')}  [800x532 jpg]
  ${base}/${sign(secret, 'e_gen_restore/rocket.jpg')}  [640x427 jpg]
Stop with Ctrl-C.
`);
}
