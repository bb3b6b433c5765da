// A lazy, per-isolate instance of an emscripten-built module, instantiated from its precompiled
// WebAssembly.Module (the only way workerd allows), its memory registered for wasmMemory().
import { memoryOf, registerTransientWasmMemory, registerWasmMemory, type WasmModuleName } from '../kernels/memory';

export type Factory<T> = (o: EmscriptenOverrides) => Promise<T>;

/** A codec instance of its own, for one call: release() drops it (see fresh()). */
export interface Fresh<T> {
  codec: T;
  /** The instance's exports (its memory, malloc and free under minified names). */
  exports: WebAssembly.Exports;
  memory: WebAssembly.Memory;
  release(): void;
}

export function emscripten<T>(name: WasmModuleName, factory: Factory<T>, module: WebAssembly.Module, freshName?: WasmModuleName) {
  let pending: Promise<T> | null = null;
  let memory: WebAssembly.Memory | null = null;
  return {
    get(): Promise<T> {
      pending ??= factory({
        noInitialRun: true,
        locateFile: (path) => path,
        instantiateWasm(imports, done) {
          const instance = new WebAssembly.Instance(module, imports);
          memory = memoryOf(instance.exports);
          registerWasmMemory(name, memory);
          done(instance);
          return instance.exports;
        },
      });
      return pending;
    },
    /**
     * A new instance for one large call, dropped by release(): WASM memory never shrinks, so the
     * shared instance would keep a large call's high-water for the isolate's life, and its heap,
     * fragmented by earlier calls, needs more than a fresh one (libwebp low_memory at 2309x1732:
     * 63.5 MiB after a 1 MP and a 3 MP encode, 48.0 MiB fresh). A fresh heap's growth is the
     * call's own, which is what the cost model counts.
     */
    async fresh(): Promise<Fresh<T>> {
      let exports: WebAssembly.Exports | null = null;
      let unregister = () => {};
      const codec = await factory({
        noInitialRun: true,
        locateFile: (path) => path,
        instantiateWasm(imports, done) {
          const instance = new WebAssembly.Instance(module, imports);
          exports = instance.exports;
          unregister = registerTransientWasmMemory(freshName ?? name, memoryOf(instance.exports));
          done(instance);
          return instance.exports;
        },
      });
      const ex = exports as unknown as WebAssembly.Exports;
      return { codec, exports: ex, memory: memoryOf(ex), release: () => unregister() };
    },
    /** The shared instance's memory, once get() has made it (its buffer changes when it grows). */
    memory(): WebAssembly.Memory {
      if (!memory) throw new Error(`${name} is not instantiated`);
      return memory;
    },
    /** After an abort inside the codec its runtime is unusable: the next call builds a new one. */
    reset(): void {
      pending = null;
      memory = null;
    },
  };
}
