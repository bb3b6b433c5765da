#!/usr/bin/env node
// Premium downscaling against plain Lanczos3, through the Worker, beside sharp's lanczos3 with and
// without its default sharpen (same sizes), on the Kodak set (read at run time from
// ../shared/datasets/Kodak, 24 images) at 256 px and 128 px on the long side, and a 1024x1024 zone
// plate. Metrics (bench/lib/downscale-metrics.mjs): detail = local contrast against the exact area
// average (higher keeps more detail), overshoot = levels beyond the source's local range (halos),
// aliasing = pattern left where the zone plate is above the output's Nyquist (lower is better).
//
//   node bench/premium-downscale.mjs [--images 24] [--json bench/.out/premium-downscale.json]
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { startWorker } from '../scripts/lib/start-worker.mjs';
import { aliasing, areaAverage, localContrast, luma, overshoot, zonePlate } from './lib/downscale-metrics.mjs';
import { CLOUD, option, root, SECRET, upload } from './lib.mjs';

const KODAK = join(root, '../shared/datasets/Kodak');
const LIMIT = Number(option('images', 24));
const JSON_OUT = option('json', join(root, 'bench/.out/premium-downscale.json'));
if (!existsSync(KODAK)) throw new Error(`Kodak set not found at ${KODAK}`);
const files = readdirSync(KODAK)
  .filter((f) => f.endsWith('.png'))
  .sort()
  .slice(0, LIMIT);

const METHODS = ['dprox Lanczos3', 'dprox premium', 'sharp lanczos3', 'sharp lanczos3 + sharpen()'];

const worker = await startWorker({ secret: SECRET });
const rows = [];
try {
  const zp = zonePlate(1024);
  const zonePng = await sharp(zp, { raw: { width: 1024, height: 1024, channels: 1 } })
    .png()
    .toBuffer();
  await upload(worker.url, 'premium/zone-plate', zonePng);
  for (const f of files) await upload(worker.url, `premium/${f.replace('.png', '')}`, await sharp(join(KODAK, f)).png().toBuffer());

  /** The four methods' outputs as raw RGB for one source, at n px on the long side. */
  async function outputs(id, png, n) {
    const meta = await sharp(png).metadata();
    const side = meta.width >= meta.height ? `w_${n}` : `h_${n}`;
    const get = async (t) => {
      const res = await fetch(`${worker.url}/${CLOUD}/image/upload/${t}/premium/${id}.png`);
      if (res.status !== 200) throw new Error(`${t} ${id}: ${res.status} ${res.headers.get('X-Cld-Error')}`);
      return Buffer.from(await res.arrayBuffer());
    };
    const plain = await get(`c_scale,${side}`);
    const { width: w, height: h } = await sharp(plain).metadata();
    const raw = (b) => sharp(b).removeAlpha().toColourspace('srgb').raw().toBuffer();
    return {
      w,
      h,
      out: {
        'dprox Lanczos3': await raw(plain),
        'dprox premium': await raw(await get(`c_scale,${side},fl_premium_downscaling`)),
        'sharp lanczos3': await sharp(png).removeAlpha().resize(w, h, { kernel: 'lanczos3', fit: 'fill' }).raw().toBuffer(),
        'sharp lanczos3 + sharpen()': await sharp(png).removeAlpha().resize(w, h, { kernel: 'lanczos3', fit: 'fill' }).sharpen().raw().toBuffer(),
      },
    };
  }

  for (const n of [256, 128]) {
    const sums = Object.fromEntries(METHODS.map((m) => [m, { detail: 0, overshoot: 0 }]));
    for (const f of files) {
      const png = await sharp(join(KODAK, f)).removeAlpha().png().toBuffer();
      const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
      const src = luma(data, info.width, info.height, 3);
      const { w, h, out } = await outputs(f.replace('.png', ''), png, n);
      const ref = localContrast(areaAverage(src, info.width, info.height, w, h), w, h);
      for (const m of METHODS) {
        const y = luma(out[m], w, h, 3);
        sums[m].detail += localContrast(y, w, h) / ref;
        sums[m].overshoot += overshoot(src, info.width, info.height, y, w, h);
      }
    }
    const zone = await outputs('zone-plate', zonePng, n);
    for (const m of METHODS) {
      const row = {
        size: n,
        method: m,
        detail: sums[m].detail / files.length,
        overshoot: sums[m].overshoot / files.length,
        aliasing: aliasing(luma(zone.out[m], n, n, 3), 1024, n),
      };
      rows.push(row);
    }
  }
} finally {
  await worker.dispose();
}

console.log(`Premium downscaling, ${files.length} Kodak images + a 1024x1024 zone plate, luma:`);
console.log('| long side | method | detail (vs area average) | overshoot (levels) | zone-plate aliasing (RMS) |');
console.log('|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.size} px | ${r.method} | ${r.detail.toFixed(3)} | ${r.overshoot.toFixed(3)} | ${r.aliasing.toFixed(2)} |`);
mkdirSync(dirname(JSON_OUT), { recursive: true });
writeFileSync(JSON_OUT, JSON.stringify({ images: files.length, rows, date: new Date().toISOString() }, null, 2));
console.log(`wrote ${JSON_OUT}`);
