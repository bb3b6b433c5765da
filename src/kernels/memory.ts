/**
 * Registry of the WebAssembly memories of every codec instantiated in this isolate. Wasm memory
 * never shrinks, so each byteLength is that instance's high-water mark; tests and benchmarks
 * compare wasmMemoryTotal() before/after a pipeline to check the memory model in cost.ts.
 */
const memories = new Map<string, WebAssembly.Memory>();

export type WasmModuleName =
  | 'jpegTurbo'
  | 'mozjpegEnc'
  | 'pngUnfilter'
  | 'webpDec'
  | 'webpEnc'
  | 'resample'
  | 'jpegEnc'
  | 'pngFilter'
  | 'deflate'
  | 'avifEnc'
  | 'avifDec'
  | 'ort'
  | 'resvg';

export function registerWasmMemory(name: WasmModuleName, memory: WebAssembly.Memory): void {
  memories.set(name, memory);
}

/** Finds the exported memory of an instance whatever its (minified) export name. */
export function memoryOf(exports: WebAssembly.Exports): WebAssembly.Memory {
  for (const v of Object.values(exports)) if (v instanceof WebAssembly.Memory) return v;
  throw new Error('wasm instance exports no memory');
}

/** Current byteLength of each live instance's memory, by module name (only instantiated ones). */
export function wasmMemory(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, m] of memories) out[name] = m.buffer.byteLength;
  return out;
}

export function wasmMemoryTotal(): number {
  let total = 0;
  for (const m of memories.values()) total += m.buffer.byteLength;
  return total;
}
