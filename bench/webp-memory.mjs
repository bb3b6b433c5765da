// libwebp's memory in jsquash's WebP modules (the wasm the Worker runs), in Node: for each case a
// fresh instance (or one instance for the whole --sequence), the largest heap-growth request the
// encode or decode made, the highest byte it wrote (its need: a lower bound, close) and the memory
// it ended at (at most 1.2x the need: emscripten's geometric growth). The figures of README "Memory" and
// src/plan/cost/model.ts (WebP) come from this script:
//   node bench/webp-memory.mjs enc binary:2309:1732:100 alpha:1700:1275:100 photo:2309:1732:80
//   node bench/webp-memory.mjs enc --sequence binary:800:600:90 binary:1000:1000:100 binary:2000:1500:100 binary:2309:1732:100
//   node bench/webp-memory.mjs dec
// Content: binary (each sample 0 or 255), uniform (noise), alpha (uniform noise in all four), photo (a gradient).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';

const root = join(import.meta.dirname, '..');
const codec = join(root, 'node_modules/@jsquash/webp/codec');
globalThis.ImageData ??= class ImageData {
  constructor(data, width, height) {
    Object.assign(this, { data, width, height });
  }
};
const MIB = 2 ** 20;
const CONFIG = {
  quality: 75,
  target_size: 0,
  target_PSNR: 0,
  method: 4,
  sns_strength: 50,
  filter_strength: 60,
  filter_sharpness: 0,
  filter_type: 1,
  partitions: 0,
  segments: 4,
  pass: 1,
  show_compressed: 0,
  preprocessing: 0,
  autofilter: 0,
  partition_limit: 0,
  alpha_compression: 1,
  alpha_filtering: 1,
  alpha_quality: 100,
  lossless: 0,
  exact: 0,
  image_hint: 0,
  emulate_jpeg_size: 0,
  thread_level: 0,
  low_memory: 0,
  near_lossless: 100,
  use_delta_palette: 0,
  use_sharp_yuv: 0,
};

async function load(file, malloc, free) {
  const factory = (await import(join(codec, `${file}.js`))).default;
  const module = new WebAssembly.Module(readFileSync(join(codec, `${file}.wasm`)));
  let memory, exports;
  const requests = [];
  const m = await factory({
    noInitialRun: true,
    instantiateWasm(imports, done) {
      for (const [k, f] of Object.entries(imports.a))
        if (f.name === '_emscripten_resize_heap')
          imports.a[k] = (r) => {
            requests.push(r >>> 0);
            return f(r);
          };
      const instance = new WebAssembly.Instance(module, imports);
      exports = instance.exports;
      memory = Object.values(exports).find((v) => v instanceof WebAssembly.Memory);
      done(instance);
      return instance.exports;
    },
  });
  const p = exports[malloc](16);
  exports[free](p);
  return { m, memory, requests, heapStart: p };
}

/**
 * The heap's need: the highest byte a call wrote (a new instance's memory is zero above its static
 * data). The largest growth request is below it when emscripten's overgrowth (1.2x) made room.
 */
function highest(memory) {
  const b = new Uint8Array(memory.buffer);
  let top = b.length;
  while (top > 0 && b[top - 1] === 0) top--;
  return top;
}

function raster(w, h, kind) {
  const b = new Uint8Array(w * h * 4);
  let seed = 1;
  for (let i = 0; i < b.length; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    if ((i & 3) === 3) b[i] = kind === 'alpha' ? seed >>> 24 : 255;
    else b[i] = kind === 'binary' ? (seed >>> 31) * 255 : kind === 'photo' ? (((i >> 2) % w) + (((i >> 2) / w) | 0)) & 255 : seed >>> 24;
  }
  return b;
}

const [mode, ...rest] = process.argv.slice(2);
const sequence = rest[0] === '--sequence';
const cases = sequence ? rest.slice(1) : rest;
if (mode === 'enc') {
  let shared = sequence ? await load('enc/webp_enc_simd', 'z', 'A') : null;
  for (const c of cases) {
    const [kind, w, h, q] = c.split(':');
    const px = +w * +h;
    const e = shared ?? (await load('enc/webp_enc_simd', 'z', 'A'));
    const n0 = e.requests.length;
    const out = e.m.encode(raster(+w, +h, kind), +w, +h, { ...CONFIG, quality: +q, low_memory: px > 1e6 ? 1 : 0 });
    const need = Math.max(0, ...e.requests.slice(n0));
    const top = highest(e.memory);
    console.log(
      `encode ${c}: file ${(out.length / px).toFixed(2)} B/px, memory ${(e.memory.buffer.byteLength / MIB).toFixed(1)} MiB, largest growth request ${(need / MIB).toFixed(1)} MiB, highest byte written ${(top / MIB).toFixed(1)} MiB = heap start ${(e.heapStart / MIB).toFixed(2)} MiB + ${((top - e.heapStart) / px).toFixed(2)} B/px`,
    );
    shared = sequence ? e : null;
  }
} else if (mode === 'dec') {
  const noise = (w, h, ch) => Buffer.from(raster(w, h, ch === 4 ? 'alpha' : 'uniform').filter((_, i) => ch === 4 || (i & 3) !== 3));
  for (const [w, h] of [
    [1000, 750],
    [2000, 1500],
    [3000, 2000],
  ])
    for (const [name, make] of [
      ['lossy q100', () => sharp(noise(w, h, 3), { raw: { width: w, height: h, channels: 3 } }).webp({ quality: 100 })],
      ['lossy+alpha q100', () => sharp(noise(w, h, 4), { raw: { width: w, height: h, channels: 4 } }).webp({ quality: 100 })],
      ['lossless', () => sharp(noise(w, h, 4), { raw: { width: w, height: h, channels: 4 } }).webp({ lossless: true })],
    ]) {
      const bytes = await make().toBuffer();
      const d = await load('dec/webp_dec', 'u', 'v');
      d.m.decode(bytes);
      const need = Math.max(0, ...d.requests);
      const top = highest(d.memory);
      const over = ((top - d.heapStart - 2 * bytes.length) / (w * h)).toFixed(2);
      console.log(
        `decode noise ${name} ${w}x${h}: file ${(bytes.length / MIB).toFixed(2)} MiB, memory ${(d.memory.buffer.byteLength / MIB).toFixed(1)} MiB, largest growth request ${(need / MIB).toFixed(1)} MiB, highest byte written ${(top / MIB).toFixed(1)} MiB = heap start + 2 x file + ${over} B/px`,
      );
    }
} else {
  console.log('usage: node bench/webp-memory.mjs enc [--sequence] kind:w:h:q ... | dec');
}
