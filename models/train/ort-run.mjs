// Runs an ONNX model with onnxruntime-web (WASM, SIMD, 1 thread) in Node on
// the float32 NCHW tensors listed in DIR/manifest.json
// ([{in, out, dims}]) and writes each output as raw float32 (plus OUT.json
// with its dims).  Used by models/train/evaluate.py.
//   node models/train/ort-run.mjs MODEL.onnx DIR
import * as ort from 'onnxruntime-web';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

ort.env.wasm.numThreads = 1;
ort.env.wasm.simd = true;

const [model, dir] = process.argv.slice(2);
const session = await ort.InferenceSession.create(readFileSync(model), { executionProviders: ['wasm'] });
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
for (const m of manifest) {
  const buf = readFileSync(join(dir, m.in));
  const data = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  const out = await session.run({ input: new ort.Tensor('float32', data, m.dims) });
  const t = out.output;
  writeFileSync(join(dir, m.out), Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  writeFileSync(join(dir, m.out + '.json'), JSON.stringify({ dims: t.dims }));
}
await session.release();
