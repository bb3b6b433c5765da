import { memoryOf, registerWasmMemory, type WasmModuleName } from './memory';

/** One of the project's own C kernels (scripts/build-wasm.sh): no imports, exported memory and heap base. */
export type OwnKernel<T> = T & {
  memory: WebAssembly.Memory;
  /** First free byte after the module's stack and static data; callers lay out buffers from here. */
  heapBase: number;
  /** Grows memory so that bytes [0, end) exist (wasm memory never shrinks). */
  reserve(end: number): void;
};

/** A lazily instantiated kernel, registered for the WASM memory reports. */
export function ownKernel<T>(name: WasmModuleName, module: WebAssembly.Module): () => OwnKernel<T> {
  let kernel: OwnKernel<T> | null = null;
  return () => {
    if (kernel) return kernel;
    const instance = new WebAssembly.Instance(module, {});
    const memory = memoryOf(instance.exports);
    registerWasmMemory(name, memory);
    const exports = instance.exports as unknown as T & { __heap_base: WebAssembly.Global };
    kernel = Object.assign(Object.create(null), exports, {
      memory,
      heapBase: Number(exports.__heap_base.value),
      reserve(end: number) {
        const need = end - memory.buffer.byteLength;
        if (need > 0) memory.grow(Math.ceil(need / 65536));
      },
    }) as OwnKernel<T>;
    return kernel;
  };
}

/** Buffers in kernel memory start on 16-byte boundaries (v128 loads). */
export const align16 = (n: number) => (n + 15) & ~15;
