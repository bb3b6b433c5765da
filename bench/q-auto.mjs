#!/usr/bin/env node
// q_auto against a fixed quality on the Kodak set: each image (lossless PNG, read at run time from
// ../shared/datasets/Kodak, never copied into the repository) is uploaded to the Worker (local
// workerd under wrangler) and delivered at full size with q_auto:<level> and with q_<fixed>; the
// outputs are decoded with sharp and compared with the source by luma SSIM (the same algorithm as
// src/codecs/quality/ssim.ts: 11x11 Gaussian window, sigma 1.5, BT.601 luma).
//
//   node bench/q-auto.mjs [--format jpg|webp|avif] [--levels good] [--fixed 80] [--dir ../shared/datasets/Kodak]
//
// Prints per image: bytes, SSIM and the quality q_auto chose; then totals, mean SSIM, the byte
// ratio, and the mean delivery time of each (measured from outside the isolate).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { startWorker } from '../scripts/lib/start-worker.mjs';
import { CLOUD, option, root, SECRET, upload } from './lib.mjs';
import { filterValid } from './lib/ssim.mjs';

const FORMAT = option('format', 'jpg');
const LEVELS = option('levels', 'good').split(',');
const FIXED = Number(option('fixed', 80));
const DIR = join(root, option('dir', '../shared/datasets/Kodak'));

const files = readdirSync(DIR)
  .filter((f) => /\.png$/i.test(f))
  .sort();
if (!files.length) throw new Error(`no PNG in ${DIR}`);

// ---------------------------------------------------------------------------------------- SSIM

const C1 = (0.01 * 255) ** 2;
const C2 = (0.03 * 255) ** 2;

async function lumaOf(input) {
  const { data, info } = await sharp(input).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const n = info.width * info.height;
  const y = new Float32Array(n);
  for (let i = 0, p = 0; i < n; i++, p += 4) {
    const l = 0.299 * data[p] + 0.587 * data[p + 1] + 0.114 * data[p + 2];
    const a = data[p + 3];
    y[i] = a === 255 ? l : (l * a + 255 * (255 - a)) / 255;
  }
  return { y, width: info.width, height: info.height };
}

function ssim(a, b) {
  if (a.width !== b.width || a.height !== b.height) throw new Error(`size ${a.width}x${a.height} vs ${b.width}x${b.height}`);
  const { width: w, height: h } = a;
  const n = w * h;
  const xx = new Float32Array(n),
    yy = new Float32Array(n),
    xy = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    xx[i] = a.y[i] * a.y[i];
    yy[i] = b.y[i] * b.y[i];
    xy[i] = a.y[i] * b.y[i];
  }
  const [mx, my, sxx, syy, sxy] = [a.y, b.y, xx, yy, xy].map((p) => filterValid(p, w, h));
  let total = 0;
  for (let i = 0; i < mx.length; i++) {
    const ux = mx[i],
      uy = my[i];
    const vx = sxx[i] - ux * ux,
      vy = syy[i] - uy * uy,
      c = sxy[i] - ux * uy;
    total += ((2 * ux * uy + C1) * (2 * c + C2)) / ((ux * ux + uy * uy + C1) * (vx + vy + C2));
  }
  return total / mx.length;
}

// ---------------------------------------------------------------------------------------- run

const worker = await startWorker({ secret: SECRET });
const variants = [...LEVELS.map((l) => `q_auto:${l}`), `q_${FIXED}`];
const rows = [];
try {
  for (const file of files) {
    const id = file.replace(/\.png$/i, '');
    const source = readFileSync(join(DIR, file));
    await upload(worker.url, `kodak/${id}`, source);
    const ref = await lumaOf(source);
    const row = { id };
    for (const v of variants) {
      const t = performance.now();
      const res = await fetch(`${worker.url}/${CLOUD}/image/upload/${v}/kodak/${id}.${FORMAT}`);
      const body = Buffer.from(await res.arrayBuffer());
      const ms = performance.now() - t;
      if (res.status !== 200) throw new Error(`${v} ${id}: ${res.status} ${res.headers.get('X-Cld-Error')}`);
      row[v] = { bytes: body.length, ssim: ssim(ref, await lumaOf(body)), quality: Number(res.headers.get('X-Dprox-Quality')), ms };
    }
    rows.push(row);
    console.log(
      `${id.padEnd(8)} ${variants.map((v) => `${v} ${String(row[v].bytes).padStart(7)} B ${row[v].ssim.toFixed(4)} q${row[v].quality} ${row[v].ms.toFixed(0)} ms`).join(' | ')}`,
    );
  }
} finally {
  await worker.dispose();
}

const fixed = `q_${FIXED}`;
const sum = (v, f) => rows.reduce((s, r) => s + f(r[v]), 0);
console.log(`\n${rows.length} Kodak images, ${FORMAT}, full size (768x512):`);
for (const v of variants) {
  const bytes = sum(v, (x) => x.bytes);
  console.log(
    `${v.padEnd(14)} total ${(bytes / 1024).toFixed(1)} KiB (${(bytes / sum(fixed, (x) => x.bytes)).toFixed(3)} of ${fixed}), ` +
      `mean SSIM ${(sum(v, (x) => x.ssim) / rows.length).toFixed(4)}, min SSIM ${Math.min(...rows.map((r) => r[v].ssim)).toFixed(4)}, ` +
      `mean quality ${(sum(v, (x) => x.quality) / rows.length).toFixed(1)} (range ${Math.min(...rows.map((r) => r[v].quality))}-${Math.max(...rows.map((r) => r[v].quality))}), ` +
      `mean delivery ${(sum(v, (x) => x.ms) / rows.length).toFixed(0)} ms`,
  );
}
for (const l of LEVELS) {
  const v = `q_auto:${l}`;
  const smaller = rows.filter((r) => r[v].bytes < r[fixed].bytes).length;
  console.log(`${v}: smaller than ${fixed} on ${smaller}/${rows.length} images`);
}
