#!/usr/bin/env node
// AI job benchmark through the Worker (local workerd under wrangler, Durable Object queue, R2):
//   node bench/ai-job.mjs [--size 2048] [--effect upscale]
// Uploads a photo of size x size (a Kodak image scaled at run time), requests e_<effect> with a
// signed URL, polls the 423 until 200, and prints the time from request to 200, seconds per input
// megapixel, the result's size and bytes, and the isolate's WASM memory high-water mark (codecs
// and onnxruntime-web). The seed's 200x303 example is timed too. Stop CPU-heavy work first.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { startWorker } from '../scripts/lib/start-worker.mjs';
import { CLOUD, option, root, SECRET, signed, upload } from './lib.mjs';

const SIZE = Number(option('size', 2048));
const EFFECT = option('effect', 'upscale');

async function run(url, publicId, inputPixels) {
  const rest = `e_${EFFECT}/${publicId}.jpg`;
  const path = `${url}/${CLOUD}/image/upload/${signed(rest)}`;
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
  await upload(
    worker.url,
    'bench/tall-hall',
    await sharp(join(root, 'samples/astronaut.png')).resize(200, 303, { fit: 'fill' }).jpeg({ quality: 85 }).toBuffer(),
  );
  await run(worker.url, 'bench/tall-hall', 200 * 303);
  await upload(worker.url, `bench/ai-${SIZE}`, await sharp(source).resize(SIZE, SIZE, { fit: 'cover' }).jpeg({ quality: 90 }).toBuffer());
  await run(worker.url, `bench/ai-${SIZE}`, SIZE * SIZE);
  const memory = await (await fetch(`${worker.url}/_dprox/memory`)).json();
  console.log(`WASM memory high-water: ${(memory.total / 2 ** 20).toFixed(1)} MiB ${JSON.stringify(memory.modules)}`);
} finally {
  await worker.dispose();
}
