// Benchmark of the dprox ONNX models in onnxruntime-web (WASM SIMD, 1 thread).
//
//   node bench/sr-models.mjs [model.onnx ...] [--tiles 64,128,192] [--json out.json]
//
// Defaults: models/dprox-sr-x4.onnx (tiles 64,128,192 LR px) and
// models/dprox-restore.onnx (tiles 128,256,384 px).  Every (model, tile)
// pair runs in a fresh child process, because WASM linear memory only grows:
// the reported memory is the high-water mark of the ORT WebAssembly.Memory
// (its buffer.byteLength, captured by wrapping WebAssembly.Memory and
// WebAssembly.instantiate before ORT loads) after creating the session and
// running the tile.  s/MP is the median run time divided by the input tile's
// megapixels (compute of the tile itself; halo overhead is printed apart).
import { spawnSync } from 'node:child_process';
import { readFileSync, existsSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, relative } from 'node:path';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);

if (args[0] === '--child') {
  await child(args[1], Number(args[2]));
} else {
  await parent();
}

async function child(model, tile) {
  const memories = new Set();
  const OrigMemory = WebAssembly.Memory;
  WebAssembly.Memory = new Proxy(OrigMemory, {
    construct(target, a) {
      const m = new target(...a);
      memories.add(m);
      return m;
    },
  });
  const origInst = WebAssembly.instantiate.bind(WebAssembly);
  WebAssembly.instantiate = async (...a) => {
    const r = await origInst(...a);
    const inst = r.instance ?? r;
    for (const v of Object.values(inst.exports ?? {})) if (v instanceof OrigMemory) memories.add(v);
    return r;
  };
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.simd = true;
  const memMB = () => Math.max(0, ...[...memories].map((m) => m.buffer.byteLength)) / 2 ** 20;
  const t0 = performance.now();
  const session = await ort.InferenceSession.create(readFileSync(model), { executionProviders: ['wasm'] });
  const createMs = performance.now() - t0;
  const memAfterCreate = memMB();
  const n = 3 * tile * tile;
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = ((i * 2654435761) % 1000) / 1000;
  const input = new ort.Tensor('float32', data, [1, 3, tile, tile]);
  let out = await session.run({ input }); // warm-up
  const outDims = out.output.dims;
  const times = [];
  const tStart = performance.now();
  while (times.length < 3 || (times.length < 7 && performance.now() - tStart < 4000)) {
    const t = performance.now();
    out = await session.run({ input });
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const med = times[times.length >> 1];
  const res = {
    model: relative(ROOT, model),
    tile,
    out: outDims,
    runs: times.length,
    median_ms: +med.toFixed(1),
    s_per_input_mp: +(med / 1000 / ((tile * tile) / 1e6)).toFixed(2),
    wasm_mem_mb: +memMB().toFixed(1),
    wasm_mem_after_create_mb: +memAfterCreate.toFixed(1),
    js_array_buffers_mb: +(process.memoryUsage().arrayBuffers / 2 ** 20).toFixed(1),
    create_ms: +createMs.toFixed(0),
  };
  process.stdout.write(`${JSON.stringify(res)}\n`);
  await session.release();
}

async function parent() {
  let models = [];
  let tiles = null;
  let jsonOut = null;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--tiles') tiles = args[++i].split(',').map(Number);
    else if (args[i] === '--json') jsonOut = args[++i];
    else models.push(args[i]);
  }
  if (!models.length) models = ['models/dprox-sr-x4.onnx', 'models/dprox-restore.onnx'].map((m) => join(ROOT, m)).filter(existsSync);
  const results = [];
  console.log('onnxruntime-web (WASM SIMD, 1 thread), Node', process.version);
  console.log('model                         tile   out          ms/tile   s/input-MP   WASM mem MB   (after create)');
  for (const model of models) {
    const isSR = /x4/.test(model);
    const ts = tiles ?? (isSR ? [64, 128, 192] : [128, 256, 384]);
    for (const tile of ts) {
      const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', model, String(tile)], { encoding: 'utf8' });
      if (r.status !== 0) {
        console.error(r.stderr);
        process.exit(1);
      }
      const res = JSON.parse(r.stdout.trim().split('\n').pop());
      results.push(res);
      console.log(
        `${res.model.padEnd(29)} ${String(tile).padStart(4)}   ${res.out.slice(2).join('x').padEnd(11)} ${String(res.median_ms).padStart(8)}   ${res.s_per_input_mp.toFixed(2).padStart(10)}   ${res.wasm_mem_mb.toFixed(1).padStart(11)}   (${res.wasm_mem_after_create_mb.toFixed(1)})`,
      );
    }
  }
  console.log(
    'Halo overhead (tile T, core T-2h): factor T^2/(T-2h)^2, e.g. T=128,h=12 -> ' +
      (128 ** 2 / 104 ** 2).toFixed(2) +
      'x; T=192,h=12 -> ' +
      (192 ** 2 / 168 ** 2).toFixed(2) +
      'x',
  );
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify(results, null, 1));
}
