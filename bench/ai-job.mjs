#!/usr/bin/env node
// AI job benchmark through the Worker (local workerd under wrangler, Durable Object queue, R2):
//   node bench/ai-job.mjs [--size 2048] [--effect upscale]
// Uploads a photo of size x size (a Kodak image scaled at run time), requests e_<effect> with a
// signed URL, polls the 423 until 200, and prints the time from request to 200, seconds per input
// megapixel, the result's size and bytes, and the isolate's WASM memory high-water mark (codecs
// and onnxruntime-web). The seed's 200x303 example is timed too. Stop CPU-heavy work first.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { startWorker } from '../scripts/lib/start-worker.mjs';

const root = join(import.meta.dirname, '..');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const SIZE = Number(opt('size', 2048));
const EFFECT = opt('effect', 'upscale');
const toml = readFileSync(join(root, 'wrangler.toml'), 'utf8');
const CLOUD = /^CLOUD_NAME\s*=\s*"([^"]+)"/m.exec(toml)[1];
const API_KEY = /^API_KEY\s*=\s*"([^"]+)"/m.exec(toml)[1];
const SECRET = 'bench-secret';

const sign = (s) => createHash('sha1').update(s + SECRET).digest('base64url').slice(0, 8);

async function upload(url, publicId, bytes) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = createHash('sha1').update(`public_id=${publicId}&timestamp=${timestamp}${SECRET}`).digest('hex');
  const form = new FormData();
  form.set('file', new Blob([bytes]), `${publicId}.jpg`);
  for (const [k, v] of Object.entries({ public_id: publicId, timestamp, api_key: API_KEY, signature })) form.set(k, v);
  const res = await fetch(`${url}/v1_1/${CLOUD}/image/upload`, { method: 'POST', body: form });
  if (!res.ok) throw new Error(`upload ${publicId}: ${res.status} ${await res.text()}`);
}

async function run(url, publicId, inputPixels) {
  const rest = `e_${EFFECT}/${publicId}.jpg`;
  const path = `${url}/${CLOUD}/image/upload/s--${sign(rest)}--/${rest}`;
  const t0 = Date.now();
  let polls = 0;
  for (;;) {
    const t1 = Date.now();
    const res = await fetch(path, { signal: AbortSignal.timeout(120_000) });
    if (process.env.VERBOSE) console.log(`  ${res.status} after ${Date.now() - t1} ms: ${res.headers.get('X-Cld-Error') ?? ''}`);
    if (res.status === 200) {
      const body = Buffer.from(await res.arrayBuffer());
      const ms = Date.now() - t0;
      const meta = await sharp(body).metadata();
      console.log(
        `${publicId}: e_${EFFECT} -> ${meta.width}x${meta.height}, ${body.length} B, request to 200 in ${(ms / 1000).toFixed(2)} s ` +
          `(${polls} x 423), ${(ms / 1000 / (inputPixels / 1e6)).toFixed(1)} s per input MP`,
      );
      return;
    }
    if (res.status !== 423) throw new Error(`${path}: ${res.status} ${res.headers.get('X-Cld-Error')}`);
    await res.arrayBuffer();
    polls++;
    await new Promise((r) => setTimeout(r, Math.min(2000, Number(res.headers.get('Retry-After')) * 1000 || 1000)));
  }
}

const kodak = join(root, '../shared/datasets/Kodak/kodim23.png');
const source = existsSync(kodak) ? kodak : join(root, 'samples/rocket.jpg');
const worker = await startWorker({ secret: SECRET, vars: { DIAGNOSTICS: 'true' } });
try {
  await upload(worker.url, 'bench/tall-hall', await sharp(join(root, 'samples/astronaut.png')).resize(200, 303, { fit: 'fill' }).jpeg({ quality: 85 }).toBuffer());
  await run(worker.url, 'bench/tall-hall', 200 * 303);
  await upload(worker.url, `bench/ai-${SIZE}`, await sharp(source).resize(SIZE, SIZE, { fit: 'cover' }).jpeg({ quality: 90 }).toBuffer());
  await run(worker.url, `bench/ai-${SIZE}`, SIZE * SIZE);
  const memory = await (await fetch(`${worker.url}/_dprox/memory`)).json();
  console.log(`WASM memory high-water: ${(memory.total / 2 ** 20).toFixed(1)} MiB ${JSON.stringify(memory.modules)}`);
} finally {
  await worker.dispose();
}
