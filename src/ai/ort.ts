// onnxruntime-web 1.30 inside workerd (recipe: shared/docs/platform-notes.md section 4), loaded
// lazily: nothing here runs, and neither ORT's JS nor its 13.6 MiB wasm is touched, until the
// first AI inference in this isolate. One InferenceSession per model per isolate, created once.
import type { InferenceSession } from 'onnxruntime-web/wasm';
import { registerWasmMemory } from '../kernels/memory';
import { aiModel, type AiModelName } from './models';

type Ort = typeof import('onnxruntime-web/wasm');

let ortPromise: Promise<{ ort: Ort; module: WebAssembly.Module }> | null = null;
const sessions = new Map<AiModelName, Promise<InferenceSession>>();
let memory: WebAssembly.Memory | null = null;

/** Current byteLength of ORT's WebAssembly.Memory (its high-water mark: wasm memory never shrinks); 0 before ORT is loaded. */
export function aiWasmMemory(): number {
  return memory ? memory.buffer.byteLength : 0;
}

function findMemory(...objects: unknown[]): WebAssembly.Memory | null {
  for (const o of objects) {
    if (!o || typeof o !== 'object') continue;
    for (const v of Object.values(o)) {
      if (v instanceof WebAssembly.Memory) return v;
      // Import objects are namespaces of namespaces ({ a: { memory, ... } }).
      if (v && typeof v === 'object' && !(v instanceof WebAssembly.Module)) for (const w of Object.values(v)) if (w instanceof WebAssembly.Memory) return w;
    }
  }
  return null;
}

function loadOrt(): Promise<{ ort: Ort; module: WebAssembly.Module }> {
  ortPromise ??= (async () => {
    const [ort, wasm] = await Promise.all([import('onnxruntime-web/wasm'), import('onnxruntime-web/ort-wasm-simd-threaded.wasm')]);
    ort.env.wasm.numThreads = 1; // no Web Workers in workerd
    ort.env.wasm.proxy = false;
    // Placeholder: makes ORT use its embedded emscripten glue and skip fetch(); the real module
    // is handed over by the WebAssembly.instantiate redirect below.
    ort.env.wasm.wasmBinary = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);
    return { ort, module: wasm.default };
  })();
  ortPromise.catch(() => (ortPromise = null));
  return ortPromise;
}

/**
 * Runs fn with WebAssembly.instantiate(bytes) redirected to ORT's precompiled module (workerd
 * forbids compiling wasm from bytes); the ORT memory is captured from the imports/exports.
 * Restored afterwards so the rest of the isolate sees the platform's own function.
 */
let redirects = 0;
let original: typeof WebAssembly.instantiate | null = null;
async function withInstantiateRedirect<T>(module: WebAssembly.Module, fn: () => Promise<T>): Promise<T> {
  if (redirects++ === 0) {
    const orig = WebAssembly.instantiate.bind(WebAssembly);
    original = WebAssembly.instantiate;
    const redirect = async (src: unknown, imports?: WebAssembly.Imports): Promise<unknown> => {
      if (src instanceof WebAssembly.Module) return orig(src, imports);
      const instance = await orig(module, imports);
      memory = findMemory(instance.exports, imports) ?? memory;
      if (memory) registerWasmMemory('ort', memory);
      return { instance, module }; // the shape emscripten expects from instantiate(bytes)
    };
    (WebAssembly as unknown as { instantiate: unknown }).instantiate = redirect;
  }
  try {
    return await fn();
  } finally {
    if (--redirects === 0 && original) {
      (WebAssembly as unknown as { instantiate: unknown }).instantiate = original;
      original = null;
    }
  }
}

/** The model's session, created on first use and reused for the isolate's lifetime. */
export function aiSession(name: AiModelName): Promise<InferenceSession> {
  let s = sessions.get(name);
  if (!s) {
    s = (async () => {
      const { ort, module } = await loadOrt();
      const model = aiModel(name);
      return withInstantiateRedirect(module, () =>
        ort.InferenceSession.create(new Uint8Array(model.bytes), {
          executionProviders: ['wasm'],
          graphOptimizationLevel: 'all',
        }),
      );
    })();
    sessions.set(name, s);
    s.catch(() => sessions.delete(name));
  }
  return s;
}

// One inference at a time per isolate: ORT's run() awaits between copying the input in and the
// output out, so two interleaved runs would hold two tiles' tensors in wasm memory at once.
let queue: Promise<unknown> = Promise.resolve();
function exclusive<T>(fn: () => Promise<T>): Promise<T> {
  const p = queue.then(fn);
  queue = p.catch(() => undefined);
  return p;
}

/**
 * Runs the model on one 1x3xHxW float32 tile and hands the output (1x3x(H*s)x(W*s), planar RGB)
 * to `consume`, synchronously, before the tensors are disposed: the caller copies what it needs
 * and keeps no reference to `out`.
 */
export async function runTile(
  name: AiModelName,
  input: Float32Array,
  height: number,
  width: number,
  consume: (out: Float32Array, outHeight: number, outWidth: number) => void,
): Promise<void> {
  const session = await aiSession(name);
  const { ort } = await loadOrt();
  await exclusive(async () => {
    const tensor = new ort.Tensor('float32', input, [1, 3, height, width]);
    let results: InferenceSession.OnnxValueMapType | null = null;
    try {
      results = await session.run({ input: tensor });
      const out = results.output;
      if (out?.type !== 'float32' || out.dims.length !== 4 || out.dims[1] !== 3) throw new Error(`${name}: unexpected output ${out?.type} ${out?.dims}`);
      consume(out.data as Float32Array, out.dims[2], out.dims[3]);
    } finally {
      tensor.dispose();
      if (results) for (const v of Object.values(results)) v.dispose();
    }
  });
}
