#!/usr/bin/env node
// AVIF encoder settings at equal SSIM, on @jsquash/avif's avif_enc.wasm (dprox's encoder before its
// own build, which bench/avif-build.mjs measures against it: libavif + aom, single-threaded): it encodes Kodak photos (lossless PNG read at run time from
// ../shared/datasets/Kodak, never copied into the repository) resized with sharp to 800x600, at
// the reference settings (--ref, default speed 8, libavif quality 64 = avifQuality(80) before
// this bench) and at each candidate setting. For every candidate and image the libavif quality
// that reaches the reference output's luma SSIM (against the 800x600 source; 11x11 Gaussian,
// sigma 1.5, BT.601 luma, as src/codecs/quality/ssim.ts) is bisected, and the bytes at exactly
// that SSIM are interpolated between the two bracketing qualities. The one quality per candidate
// that a fixed mapping would use ("global q": the lowest whose mean SSIM reaches the reference's)
// is then timed against the reference, alternating in the same run.
//
//   node bench/avif.mjs [--images 8] [--rounds 5] [--ref s8] [--ref-q 64] [--at 65] [--cands s9,s10,...] [--native]
//
// Candidates are named by their differences from the reference: s9 (speed 9), s9-psnr (tune
// psnr), s9-sh1 (sharpness 1), s9-cdq (chroma delta q), s9-t1 (2 tile columns), s9-tr1 (2 tile
// rows), s9-syuv (sharp YUV), s9-dn10 (denoise level 10). A setting the encoder rejects (returns
// null) is reported and left out. Other modes:
//   --memory [--speeds 8,9]   a fresh encoder per size (800x600 .. 2560x1600): WASM memory after one
//                             encode (its high-water), and that first encode's time
//   --sizes [--speeds 8,9 --qs 64,65]   warm encode time by size, the speeds alternating
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { defaultOptions } from '@jsquash/avif/meta.js';
import { option, root } from './lib.mjs';
import { luma, median, ssim, ssimRef } from './lib/ssim.mjs';

const IMAGES = Number(option('images', 8));
const ROUNDS = Number(option('rounds', 5));
const REF = option('ref', 's8');
const REF_Q = Number(option('ref-q', 64));
/** --at Q: also each setting's bytes and mean SSIM at libavif quality Q (the mapping's choice). */
const AT = Number(option('at', 0));
const CANDS = option('cands', 's9,s10,s9-psnr,s9-sh1,s9-t1,s9-syuv,s9-cdq').split(',').filter(Boolean);
const DIR = join(root, option('dir', '../shared/datasets/Kodak'));
const W = 800;
const H = 600;
/** --native: each image at its own size (Kodak: 768x512 or 512x768), not resampled. */
const NATIVE = process.argv.includes('--native');

globalThis.ImageData ??= class ImageData {
  constructor(data, width, height) {
    this.data = data;
    this.width = width;
    this.height = height;
  }
};

async function instantiate(glue, wasm) {
  const factory = (await import(`@jsquash/avif/codec/${glue}`)).default;
  const module = new WebAssembly.Module(readFileSync(join(root, 'node_modules/@jsquash/avif/codec', wasm)));
  let memory;
  const m = await factory({
    noInitialRun: true,
    instantiateWasm(imports, done) {
      const instance = new WebAssembly.Instance(module, imports);
      memory = Object.values(instance.exports).find((e) => e instanceof WebAssembly.Memory);
      done(instance);
      return instance.exports;
    },
  });
  return { m, memory: () => memory.buffer.byteLength };
}

// ---------------------------------------------------------------------------------------- settings

// @jsquash/avif's own defaults (meta.js), as src/codecs/encode.ts AVIF_DEFAULTS; speed and quality set per run.
const BASE = { ...defaultOptions, speed: 8 };

function settings(name) {
  const o = { ...BASE };
  for (const part of name.split('-')) {
    let m;
    if ((m = /^s(\d+)$/.exec(part))) o.speed = Number(m[1]);
    else if (part === 'psnr') o.tune = 1;
    else if (part === 'ssim') o.tune = 2;
    else if ((m = /^sh(\d)$/.exec(part))) o.sharpness = Number(m[1]);
    else if (part === 'cdq') o.chromaDeltaQ = true;
    else if ((m = /^t(\d)$/.exec(part))) o.tileColsLog2 = Number(m[1]);
    else if ((m = /^tr(\d)$/.exec(part))) o.tileRowsLog2 = Number(m[1]);
    else if (part === 'syuv') o.enableSharpYUV = true;
    else if ((m = /^dn(\d+)$/.exec(part))) o.denoiseLevel = Number(m[1]);
    else if ((m = /^b(\d+)$/.exec(part))) o.bitDepth = Number(m[1]);
    else throw new Error(`unknown setting ${part} in ${name}`);
  }
  return o;
}

// ---------------------------------------------------------------------------------------- run

const enc = await instantiate('enc/avif_enc.js', 'enc/avif_enc.wasm');
const dec = await instantiate('dec/avif_dec.js', 'dec/avif_dec.wasm');

function encode(img, opts) {
  const t = performance.now();
  const out = enc.m.encode(img.rgba, img.width, img.height, opts);
  const ms = performance.now() - t;
  if (!out) throw new Error('encode returned null');
  return { bytes: out.length, out: out.slice(), ms };
}

if (process.argv.includes('--memory')) {
  // A fresh instance per size: WASM memory only grows, so its size after one encode is the
  // encoder's high-water for that size. Source: kodim01 resized (cover) to each size.
  const names = (option('speeds', '8,9') || '8,9').split(',').map(Number);
  const src = readFileSync(join(DIR, 'kodim01.png'));
  console.log('size        MP   speed  memory MiB  B/px over 16 MiB  ms');
  for (const [w, h] of [
    [800, 600],
    [1600, 1200],
    [1920, 1080],
    [2048, 1536],
    [2560, 1600],
  ])
    for (const speed of names) {
      const e = await instantiate('enc/avif_enc.js', 'enc/avif_enc.wasm');
      const rgba = await sharp(src).resize(w, h, { fit: 'cover' }).ensureAlpha().raw().toBuffer();
      const t = performance.now();
      const out = e.m.encode(new Uint8Array(rgba), w, h, { ...BASE, speed, quality: REF_Q });
      const ms = performance.now() - t;
      if (!out) throw new Error('null');
      const mem = e.memory();
      console.log(
        `${`${w}x${h}`.padEnd(10)} ${((w * h) / 1e6).toFixed(2)}  ${String(speed).padStart(5)}  ${(mem / 2 ** 20).toFixed(1).padStart(10)}  ${((mem - 16 * 2 ** 20) / (w * h)).toFixed(1).padStart(16)}  ${ms.toFixed(0)}`,
      );
    }
  process.exit(0);
}

if (process.argv.includes('--sizes')) {
  // Encode time by output size, the settings alternating on a warm instance: --speeds at the
  // libavif qualities --qs (one per speed), each Kodak image resized (cover) to each size.
  const speeds = option('speeds', '8,9').split(',').map(Number);
  const qs = option('qs', '64,65').split(',').map(Number);
  const list = readdirSync(DIR)
    .filter((f) => /\.png$/i.test(f))
    .sort()
    .filter((_, i) => i % 3 === 0)
    .slice(0, IMAGES);
  console.log(`size       ${speeds.map((s, k) => `s${s} q${qs[k]} median ms`).join('  ')}  ratio (last/first)`);
  for (const size of option('size-list', '320x240,480x360,640x480,800x600,1200x900,1600x1200').split(',')) {
    const [w, h] = size.split('x').map(Number);
    const times = speeds.map(() => []);
    const ratios = [];
    for (const file of list) {
      const rgba = new Uint8Array(
        await sharp(readFileSync(join(DIR, file)))
          .resize(w, h, { fit: 'cover' })
          .ensureAlpha()
          .raw()
          .toBuffer(),
      );
      const img = { rgba, width: w, height: h };
      for (let r = 0; r < ROUNDS; r++) {
        const ms = speeds.map(() => 0);
        for (let k0 = 0; k0 < speeds.length; k0++) {
          const k = (k0 + r) % speeds.length;
          ms[k] = encode(img, { ...BASE, speed: speeds[k], quality: qs[k] }).ms;
          times[k].push(ms[k]);
        }
        ratios.push(ms[ms.length - 1] / ms[0]);
      }
    }
    console.log(`${size.padEnd(10)} ${times.map((t) => median(t).toFixed(0).padStart(16)).join('  ')}  ${median(ratios).toFixed(3)}`);
  }
  process.exit(0);
}

const files = readdirSync(DIR)
  .filter((f) => /\.png$/i.test(f))
  .sort();
// Every third image, for variety (kodim01, 04, 07, ...), up to --images.
const picked = files.filter((_, i) => i % 3 === 0).slice(0, IMAGES);
const images = [];
for (const file of picked) {
  const source = sharp(readFileSync(join(DIR, file)));
  const { data, info } = await (NATIVE ? source : source.resize(W, H, { fit: 'cover' })).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const rgba = new Uint8Array(data);
  const { width, height } = info;
  images.push({ id: file.replace(/\.png$/, ''), rgba, width, height, ref: ssimRef(luma(rgba, width * height), width, height) });
}

/** Luma SSIM, and RGB PSNR as a guard on chroma (which luma SSIM does not see). */
function qualityOf(img, out) {
  const d = dec.m.decode(out, 8);
  const n = img.width * img.height;
  if (!d || d.width !== img.width || d.height !== img.height) throw new Error('decode failed');
  let se = 0;
  for (let i = 0; i < d.data.length; i++)
    if ((i & 3) !== 3) {
      const e = d.data[i] - img.rgba[i];
      se += e * e;
    }
  return { ssim: ssim(img.ref, luma(d.data, n)), psnr: 10 * Math.log10((255 * 255) / (se / (n * 3))) };
}

const cache = new Map();
function point(name, img, q) {
  const key = `${name}|${img.id}|${q}`;
  let p = cache.get(key);
  if (!p) {
    const e = encode(img, { ...settings(name), quality: q });
    p = { bytes: e.bytes, ...qualityOf(img, e.out) };
    cache.set(key, p);
  }
  return p;
}

// Reference points.
console.log(`reference ${REF} q${REF_Q}; ${images.length} Kodak images at ${NATIVE ? 'their own size' : `${W}x${H}`}: ${images.map((i) => i.id).join(' ')}`);
const refs = images.map((img) => point(REF, img, REF_Q));
const refBytes = refs.reduce((s, p) => s + p.bytes, 0);
const refSsim = refs.reduce((s, p) => s + p.ssim, 0) / refs.length;
const refPsnr = refs.reduce((s, p) => s + p.psnr, 0) / refs.length;

/** Bytes at the reference SSIM for one image: bisect q, interpolate between the bracketing q. */
function equalSsim(name, img, target) {
  let lo = 1;
  let hi = 100; // ssim(hi) >= target assumed; lo below
  if (point(name, img, hi).ssim < target) return { q: 100, bytes: point(name, img, 100).bytes, short: true };
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (point(name, img, mid).ssim >= target) hi = mid;
    else lo = mid;
  }
  const a = point(name, img, lo);
  const b = point(name, img, hi);
  const t = b.ssim > a.ssim ? (target - a.ssim) / (b.ssim - a.ssim) : 1;
  return { q: lo + t, bytes: a.bytes + t * (b.bytes - a.bytes) };
}

/** The lowest integer q whose mean SSIM over the images reaches the reference's mean. */
function globalQ(name, start) {
  const mean = (q) => images.reduce((s, img) => s + point(name, img, q).ssim, 0) / images.length;
  let q = Math.round(start);
  while (q > 1 && mean(q - 1) >= refSsim) q--;
  while (q < 100 && mean(q) < refSsim) q++;
  const bytes = images.reduce((s, img) => s + point(name, img, q).bytes, 0);
  const psnr = images.reduce((s, img) => s + point(name, img, q).psnr, 0) / images.length;
  return { q, bytes, ssim: mean(q), psnr };
}

const rows = [];
for (const name of [REF, ...CANDS]) {
  let eq;
  try {
    eq = images.map((img, i) => equalSsim(name, img, refs[i].ssim));
  } catch (e) {
    console.log(`${name.padEnd(9)} ${e.message}: left out`);
    continue;
  }
  const eqBytes = eq.reduce((s, e) => s + e.bytes, 0);
  const g = globalQ(name, median(eq.map((e) => e.q)));
  if (AT)
    console.log(
      `${name.padEnd(9)} at q${AT}: ${(images.reduce((s, img) => s + point(name, img, AT).bytes, 0) / refBytes).toFixed(3)}x bytes, mean SSIM ${(images.reduce((s, img) => s + point(name, img, AT).ssim, 0) / images.length).toFixed(5)}`,
    );
  rows.push({ name, eqBytes, eqQ: median(eq.map((e) => e.q)), g, short: eq.filter((e) => e.short).length, times: [], ratios: [] });
  console.log(
    `${name.padEnd(9)} equal-SSIM bytes ${(eqBytes / refBytes).toFixed(3)}x (median q ${median(eq.map((e) => e.q)).toFixed(1)}) | global q${g.q}: ${(g.bytes / refBytes).toFixed(3)}x bytes, mean SSIM ${g.ssim.toFixed(5)} (ref ${refSsim.toFixed(5)}), RGB PSNR ${g.psnr.toFixed(2)} dB (ref ${refPsnr.toFixed(2)})`,
  );
}

// Timing: every round encodes every image with every setting (at its global q), the order of the
// settings rotated per image; ratios are per (round, image) against the reference in that round.
for (let r = 0; r < ROUNDS; r++)
  for (const [i, img] of images.entries()) {
    const order = rows.map((_, k) => rows[(k + i + r) % rows.length]);
    const ms = new Map();
    for (const row of order) {
      const e = encode(img, { ...settings(row.name), quality: row.name === REF ? REF_Q : row.g.q });
      ms.set(row.name, e.ms);
      row.times.push(e.ms);
    }
    for (const row of rows) row.ratios.push(ms.get(row.name) / ms.get(REF));
  }

console.log(`\n${ROUNDS} rounds x ${images.length} images, alternating; ${process.version}`);
console.log('setting    global q  median ms  ms ratio  bytes ratio (global q)  bytes ratio (equal SSIM per image)');
for (const row of rows)
  console.log(
    `${row.name.padEnd(10)} ${String(row.name === REF ? REF_Q : row.g.q).padStart(8)}  ${median(row.times).toFixed(0).padStart(9)}  ${median(row.ratios).toFixed(3).padStart(8)}  ${(row.g.bytes / refBytes).toFixed(3).padStart(22)}  ${(row.eqBytes / refBytes).toFixed(3).padStart(10)}${row.short ? ` (${row.short} images short of the SSIM at q100)` : ''}`,
  );
