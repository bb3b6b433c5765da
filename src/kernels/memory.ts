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
  /** libwebp's encoder in a fresh instance per large encode, dropped after it (codecs/jsquash.ts fresh()). */
  | 'webpEncLarge'
  | 'resample'
  | 'jpegEnc'
  | 'pngFilter'
  | 'deflate'
  | 'avifEnc'
  | 'avifDec'
  | 'ort'
  | 'resvg';

/** Memory the last dropped instance of a module reached (registerTransientWasmMemory), by module name. */
const released = new Map<string, number>();

export function registerWasmMemory(name: WasmModuleName, memory: WebAssembly.Memory): void {
  memories.set(name, memory);
}

/**
 * An instance that lives for one call and is then dropped: its memory is reported while it lives,
 * and after the returned release() only as a number (what the last one under that name reached:
 * the last call's high-water), so that the registry keeps no reference to it and the garbage
 * collector can take it.
 */
export function registerTransientWasmMemory(name: WasmModuleName, memory: WebAssembly.Memory): () => void {
  memories.set(name, memory);
  return () => {
    if (memories.get(name) !== memory) return;
    memories.delete(name);
    released.set(name, memory.buffer.byteLength);
  };
}

/** Finds the exported memory of an instance whatever its (minified) export name. */
export function memoryOf(exports: WebAssembly.Exports): WebAssembly.Memory {
  for (const v of Object.values(exports)) if (v instanceof WebAssembly.Memory) return v;
  throw new Error('wasm instance exports no memory');
}

/**
 * Current byteLength of each live instance's memory, by module name (only instantiated ones); for a
 * module whose instances are dropped after each call, what the last one reached (or the live one).
 */
export function wasmMemory(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, bytes] of released) out[name] = bytes;
  for (const [name, m] of memories) out[name] = m.buffer.byteLength;
  return out;
}

/** Bytes of the live instances' memories (dropped ones are garbage, not counted). */
export function wasmMemoryTotal(): number {
  let total = 0;
  for (const m of memories.values()) total += m.buffer.byteLength;
  return total;
}
