// First-instantiation cost of each WASM module inside workerd (the part of a cold request that is
// not the script's load: workerd compiles every module when it loads the script, and a request pays
// for `new WebAssembly.Instance` and the runtime's start only when it first needs that module).
// Prints first and second instantiation per module and the first use of the JPEG path against the
// second; asserts nothing about time (local workerd's clock advances during CPU work).
//
//   DPROX_BENCH=1 npx vitest run --project bench bench/workerd/instantiate.test.ts
//
// Figures in README "Performance" (cold start), beside bench/cold-start.mjs's.
import { expect, it } from 'vitest';
import { aiSession } from '../../src/ai/ort';
import { avifDecoder, avifEncoder, mozjpegEncoder, webpDecoder, webpEncoder } from '../../src/codecs/jsquash';
import deflateWasm from '../../src/kernels/deflate.wasm';
import jpegDecodeWasm from '../../src/kernels/jpeg-decode.wasm';
import jpegEncodeWasm from '../../src/kernels/jpeg-encode.wasm';
import pngFilterWasm from '../../src/kernels/png-filter.wasm';
import pngUnfilterWasm from '../../src/kernels/png-unfilter.wasm';
import resampleWasm from '../../src/kernels/resample.wasm';
import { decode } from '../../src/codecs/decode';
import { encode } from '../../src/codecs/encode';
import { readHeader } from '../../src/codecs/header';
import { resize } from '../../src/ops/resize';
import { fixture } from '../../test/pixels/util';

const ms = (t: number) => `${(performance.now() - t).toFixed(1)} ms`;

/** Stub imports (every function returns 0): what a reactor's instantiation costs, not what its calls do. */
function stubs(module: WebAssembly.Module): WebAssembly.Imports {
  const imports: Record<string, Record<string, WebAssembly.ImportValue>> = {};
  for (const i of WebAssembly.Module.imports(module)) {
    if (i.kind !== 'function') throw new Error(`${i.module}.${i.name}: ${i.kind} import`);
    (imports[i.module] ??= {})[i.name] = () => 0;
  }
  return imports;
}

it('first and second instantiation of each module', async () => {
  const rows: string[] = [];
  // The project's kernels: own (no imports) and wasi-libc reactors (_initialize runs its constructors).
  for (const [name, module, reactor] of [
    ['jpeg-decode (libjpeg-turbo)', jpegDecodeWasm, true],
    ['resample', resampleWasm, false],
    ['jpeg-encode', jpegEncodeWasm, false],
    ['deflate (libdeflate)', deflateWasm, true],
    ['png-filter', pngFilterWasm, false],
    ['png-unfilter', pngUnfilterWasm, false],
  ] as const) {
    const once = () => {
      const instance = new WebAssembly.Instance(module, stubs(module));
      if (reactor) (instance.exports._initialize as () => void)();
    };
    let t = performance.now();
    once();
    const first = ms(t);
    t = performance.now();
    for (let i = 0; i < 20; i++) once();
    rows.push(`${name}: first ${first}, next 20 ${ms(t)} together (workerd's clock ticks in whole ms)`);
  }
  // The emscripten codecs: the glue's factory, instance and runtime start, as a request gets them.
  for (const [name, codec] of [
    ['webp encode (libwebp)', webpEncoder],
    ['webp decode', webpDecoder],
    ['avif encode (libavif + aom)', avifEncoder],
    ['avif decode (dav1d)', avifDecoder],
    ['mozjpeg (fl_progressive)', mozjpegEncoder],
  ] as const) {
    let t = performance.now();
    await codec.get();
    const first = ms(t);
    codec.reset();
    t = performance.now();
    await codec.get();
    rows.push(`${name}: first ${first}, second ${ms(t)}`);
  }
  // onnxruntime: its JS evaluated, its 13.6 MiB module (under vitest-pool-workers a module is
  // compiled when first imported, where a deployed Worker has it compiled at load), then the
  // instance and a session for each model (graph optimisation included).
  let t = performance.now();
  await import('onnxruntime-web/wasm');
  const js = ms(t);
  t = performance.now();
  await import('onnxruntime-web/ort-wasm-simd-threaded.wasm');
  const compile = ms(t);
  t = performance.now();
  await aiSession('upscale');
  const first = ms(t);
  t = performance.now();
  await aiSession('gen_restore');
  rows.push(
    `onnxruntime: JS imported ${js}, .wasm imported (compiled, vitest only) ${compile}, instance + upscale session ${first}, gen_restore session ${ms(t)}`,
  );
  console.log(rows.join('\n'));
  expect(rows.length).toBe(12);
});

it('first use against second: 12 MP JPEG -> 800x600 -> JPEG q80 (decode, resize, encode)', async () => {
  const bytes = await fixture('12mp.jpg');
  const rows: string[] = [];
  for (let run = 0; run < 6; run++) {
    let t = performance.now();
    const r = await decode(bytes, readHeader(bytes), 4);
    const tDec = ms(t);
    t = performance.now();
    const small = resize(r, 800, 600);
    const tRes = ms(t);
    t = performance.now();
    await encode(small, 'jpg', { quality: 80 });
    rows.push(`run ${run}: decode ${tDec}, resize ${tRes}, encode ${ms(t)}`);
  }
  console.log(rows.join('\n'));
});
