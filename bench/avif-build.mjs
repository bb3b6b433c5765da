#!/usr/bin/env node
// dprox's AVIF encoder (src/kernels/avif-encode.wasm: libaom 3.6.0 + src/kernels/avif-encode.c,
// scripts/build-avif.sh) and the other flavours of that script (bench/.out/avif-<flavour>/), against
// @jsquash/avif's avif_enc.wasm (libavif 1.0 + aom 3.7.0, dprox's encoder before its own), on
// Kodak photos (../shared/datasets/Kodak, read at run time) resized with sharp to 800x600.
// The reference is jsquash at speed 8, libavif quality 64 (dprox's old reference). For every
// encoder x speed and image the libavif quality reaching the reference's luma SSIM (11x11 Gaussian,
// sigma 1.5, BT.601 luma, as bench/avif.mjs) is bisected and the bytes at exactly that SSIM are
// interpolated between the bracketing qualities; then each encoder x speed is timed at its
// per-image equal-SSIM quality (rounded), rounds alternating the order within one process.
// All modules are instantiated from a precompiled WebAssembly.Module via instantiateWasm (the
// way a Worker must).
//
//   node bench/avif-build.mjs [--builds dprox,generic] [--speeds 8,9] [--rounds 3] [--ids 01,04,...]
//   node bench/avif-build.mjs --memory [--alpha] [--builds ...]   WASM memory after one encode (a fresh instance
//                                                        per encoder and size: its high-water), kodim01 at q64
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { defaultOptions } from '@jsquash/avif/meta.js';
import { option, root } from './lib.mjs';
import { luma, median, ssim, ssimRef } from './lib/ssim.mjs';

const MAIN = option('main', root); // the checkout whose node_modules (sharp, @jsquash/avif) to use
const req = createRequire(join(MAIN, 'package.json'));
const sharp = req('sharp');
const JSQ = join(MAIN, 'node_modules/@jsquash/avif/codec');
const BUILDS = option('builds', 'dprox').split(',').filter(Boolean);
const SPEEDS = option('speeds', '8,9').split(',').map(Number);
const ROUNDS = Number(option('rounds', 3));
const IDS = option('ids', '01,04,07,10,13,16,19,22').split(',');
const DIR = option('dir', join(root, '../shared/datasets/Kodak'));
const REF_Q = Number(option('ref-q', 64));
const W = 800;
const H = 600;

globalThis.ImageData ??= class ImageData {
  constructor(data, width, height) {
    this.data = data;
    this.width = width;
    this.height = height;
  }
};

function memoryOf(exports) {
  return Object.values(exports).find((e) => e instanceof WebAssembly.Memory);
}

async function emscripten(glueUrl, wasmPath) {
  const factory = (await import(glueUrl)).default;
  const module = new WebAssembly.Module(readFileSync(wasmPath));
  let exports;
  const m = await factory({
    noInitialRun: true,
    instantiateWasm(imports, done) {
      const instance = new WebAssembly.Instance(module, imports);
      exports = instance.exports;
      done(instance);
      return instance.exports;
    },
  });
  return { m, exports };
}

const jsqEnc = await emscripten(pathToFileURL(join(JSQ, 'enc/avif_enc.js')).href, join(JSQ, 'enc/avif_enc.wasm'));
const jsqDec = await emscripten(pathToFileURL(join(JSQ, 'dec/avif_dec.js')).href, join(JSQ, 'dec/avif_dec.wasm'));

// @jsquash/avif's own defaults (meta.js), as src/codecs/encode.ts AVIF_DEFAULTS; speed and quality set per run.
const BASE = { ...defaultOptions, speed: 8 };

const encoders = [
  {
    name: 'jsquash',
    encode(img, q, speed) {
      const out = jsqEnc.m.encode(img.rgba, img.width, img.height, { ...BASE, speed, quality: q });
      if (!out) throw new Error('jsquash encode returned null');
      return out.slice();
    },
  },
];
/** The folder of a build's avif-encode.{mjs,wasm}. */
const buildDir = (b) => (b === 'dprox' ? join(root, 'src/kernels') : join(root, 'bench/.out', `avif-${b}`));
for (const b of BUILDS) {
  const dir = buildDir(b);
  if (!existsSync(join(dir, 'avif-encode.wasm'))) {
    console.log(`build ${b}: no ${dir}/avif-encode.wasm, left out`);
    continue;
  }
  const { m, exports } = await emscripten(pathToFileURL(join(dir, 'avif-encode.mjs')).href, join(dir, 'avif-encode.wasm'));
  const mem = memoryOf(exports);
  encoders.push({
    name: b,
    encode(img, q, speed) {
      const inPtr = m._malloc(img.rgba.length); // avif_encode frees it
      new Uint8Array(mem.buffer, inPtr, img.rgba.length).set(img.rgba);
      const n = m._avif_encode(inPtr, img.width, img.height, q, speed);
      if (!n) throw new Error(`${b} encode failed`);
      const p = m._avif_result_ptr();
      const out = new Uint8Array(mem.buffer, p, n).slice();
      m._avif_result_free();
      return out;
    },
  });
}

if (process.argv.includes('--memory')) {
  const src = readFileSync(join(DIR, 'kodim01.png'));
  console.log('encoder      size       speed  memory MiB  first-encode ms');
  for (const [w, h] of [
    [800, 600],
    [2048, 1536],
  ])
    for (const speed of SPEEDS)
      for (const name of ['jsquash', ...BUILDS]) {
        const rgba = new Uint8Array(await sharp(src).resize(w, h, { fit: 'cover' }).ensureAlpha().raw().toBuffer());
        // --alpha: a radial alpha ramp, so that the alpha image is coded too.
        if (process.argv.includes('--alpha'))
          for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) rgba[(y * w + x) * 4 + 3] = Math.min(255, (Math.hypot(x - w / 2, y - h / 2) * 255) / (w / 2));
        let ms;
        let mem;
        if (name === 'jsquash') {
          const e = await emscripten(pathToFileURL(join(JSQ, 'enc/avif_enc.js')).href, join(JSQ, 'enc/avif_enc.wasm'));
          const t = performance.now();
          if (!e.m.encode(rgba, w, h, { ...BASE, speed, quality: REF_Q })) throw new Error('null');
          ms = performance.now() - t;
          mem = memoryOf(e.exports).buffer.byteLength;
        } else {
          const dir = buildDir(name);
          const e = await emscripten(pathToFileURL(join(dir, 'avif-encode.mjs')).href, join(dir, 'avif-encode.wasm'));
          const memory = memoryOf(e.exports);
          const p = e.m._malloc(rgba.length);
          new Uint8Array(memory.buffer, p, rgba.length).set(rgba);
          const t = performance.now();
          if (!e.m._avif_encode(p, w, h, REF_Q, speed)) throw new Error('failed');
          ms = performance.now() - t;
          mem = memory.buffer.byteLength;
        }
        console.log(
          `${name.padEnd(12)} ${`${w}x${h}`.padEnd(10)} ${String(speed).padStart(5)}  ${(mem / 2 ** 20).toFixed(1).padStart(10)}  ${ms.toFixed(0).padStart(15)}`,
        );
      }
  process.exit(0);
}

// ---------------------------------------------------------------------------------------- images
const images = [];
for (const id of IDS) {
  const { data, info } = await sharp(readFileSync(join(DIR, `kodim${id}.png`)))
    .resize(W, H, { fit: 'cover' })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const rgba = new Uint8Array(data);
  images.push({ id: `kodim${id}`, rgba, width: info.width, height: info.height, ref: ssimRef(luma(rgba, W * H), W, H) });
}

function qualityOf(img, out) {
  const d = jsqDec.m.decode(out, 8);
  if (!d || d.width !== img.width || d.height !== img.height) throw new Error('decode failed');
  return ssim(img.ref, luma(d.data, img.width * img.height));
}

const cache = new Map();
function point(enc, speed, img, q) {
  const key = `${enc.name}|${speed}|${img.id}|${q}`;
  let p = cache.get(key);
  if (!p) {
    const out = enc.encode(img, q, speed);
    p = { bytes: out.length, ssim: qualityOf(img, out) };
    cache.set(key, p);
  }
  return p;
}
function equalSsim(enc, speed, img, target) {
  let lo = 1;
  let hi = 100;
  if (point(enc, speed, img, hi).ssim < target) return { q: 100, bytes: point(enc, speed, img, 100).bytes, short: true };
  // Start the bracket near the reference quality.
  for (const [a, b] of [
    [56, 72],
    [40, 88],
  ])
    if (point(enc, speed, img, a).ssim < target && point(enc, speed, img, b).ssim >= target) {
      lo = a;
      hi = b;
      break;
    }
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (point(enc, speed, img, mid).ssim >= target) hi = mid;
    else lo = mid;
  }
  const a = point(enc, speed, img, lo);
  const b = point(enc, speed, img, hi);
  const t = b.ssim > a.ssim ? (target - a.ssim) / (b.ssim - a.ssim) : 1;
  return { q: lo + t, bytes: a.bytes + t * (b.bytes - a.bytes) };
}

const t0 = performance.now();
const ref = images.map((img) => point(encoders[0], 8, img, REF_Q));
const refBytes = ref.reduce((s, p) => s + p.bytes, 0);
console.log(
  `reference jsquash s8 q${REF_Q}: ${refBytes} bytes over ${images.length} images, mean SSIM ${(ref.reduce((s, p) => s + p.ssim, 0) / ref.length).toFixed(5)}`,
);

const rows = [];
for (const enc of encoders)
  for (const speed of SPEEDS) {
    const eq = images.map((img, i) => equalSsim(enc, speed, img, ref[i].ssim));
    const eqBytes = eq.reduce((s, e) => s + e.bytes, 0);
    const atRef = images.reduce((s, img) => s + point(enc, speed, img, REF_Q).bytes, 0);
    const atRefSsim = images.reduce((s, img) => s + point(enc, speed, img, REF_Q).ssim, 0) / images.length;
    rows.push({ enc, speed, eq, eqBytes, atRef, atRefSsim, times: [], ratios: [] });
    console.log(
      `${enc.name} s${speed}: equal-SSIM bytes ${(eqBytes / refBytes).toFixed(3)}x (median q ${median(eq.map((e) => e.q)).toFixed(1)}${eq.some((e) => e.short) ? ', some short at q100' : ''}); at q${REF_Q}: ${(atRef / refBytes).toFixed(3)}x bytes, SSIM ${atRefSsim.toFixed(5)}`,
    );
  }
console.log(`(quality search: ${((performance.now() - t0) / 1000).toFixed(0)} s, ${cache.size} encodes)`);

for (let r = 0; r < ROUNDS; r++)
  for (const [i, img] of images.entries()) {
    const order = rows.map((_, k) => rows[(k + i + r) % rows.length]);
    const ms = new Map();
    for (const row of order) {
      const q = Math.round(row.eq[i].q);
      const t = performance.now();
      row.enc.encode(img, q, row.speed);
      const dt = performance.now() - t;
      ms.set(row, dt);
      row.times.push(dt);
    }
    for (const row of rows) row.ratios.push(ms.get(row) / ms.get(rows[0]));
  }

console.log(`\n${ROUNDS} rounds x ${images.length} images (800x600), alternating; ${process.version}`);
console.log('encoder      speed  median ms  max ms  ms vs jsquash s8  bytes at equal SSIM vs jsquash s8 q64');
for (const row of rows)
  console.log(
    `${row.enc.name.padEnd(12)} ${String(row.speed).padStart(5)}  ${median(row.times).toFixed(0).padStart(9)}  ${Math.max(...row.times)
      .toFixed(0)
      .padStart(6)}  ${median(row.ratios).toFixed(3).padStart(16)}  ${(row.eqBytes / refBytes).toFixed(3).padStart(10)}`,
  );
