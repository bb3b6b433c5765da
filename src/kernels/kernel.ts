/**
 * The one loader and the one allocator of the project's own WebAssembly kernels. Two kinds of
 * module (scripts/build-wasm.sh): freestanding kernels with no imports whose memory the TS caller
 * lays out (ownKernel, with region() as the allocator), and wasi-libc reactors with their own
 * malloc (reactorKernel). Either is instantiated once per isolate, on first use, and its memory is
 * registered for the memory reports (memory.ts).
 */
import { memoryOf, registerWasmMemory, type WasmModuleName } from './memory';

/** Buffers in kernel memory start on 16-byte boundaries (v128 loads). */
export const align16 = (n: number) => (n + 15) & ~15;

/** Buffers taken together by region(); release() when done with them (after errors too). */
export interface Region {
  at: number[];
  end: number;
  release(): void;
}

/** One of the project's own freestanding kernels: no imports, exported memory and heap base. */
export type OwnKernel<T> = T & {
  memory: WebAssembly.Memory;
  /** First free byte after the module's stack and static data; region() lays out buffers from here. */
  heapBase: number;
  /** Grows memory so that bytes [0, end) exist (wasm memory never shrinks). */
  reserve(end: number): void;
  /**
   * Byte offsets of `sizes` buffers (each followed by `slack` spare bytes), reserved, above every
   * region still open: work interleaved at an await (two requests, chained streams) gets its own
   * memory; all of it is free again once none is open.
   */
  region(sizes: readonly number[], slack?: number): Region;
};

export function ownKernel<T>(name: WasmModuleName, module: WebAssembly.Module): () => OwnKernel<T> {
  let kernel: OwnKernel<T> | null = null;
  return () => {
    if (kernel) return kernel;
    const instance = new WebAssembly.Instance(module, {});
    const memory = memoryOf(instance.exports);
    registerWasmMemory(name, memory);
    const exports = instance.exports as unknown as T & { __heap_base: WebAssembly.Global };
    const heapBase = Number(exports.__heap_base.value);
    const reserve = (end: number) => {
      const need = end - memory.buffer.byteLength;
      if (need > 0) memory.grow(Math.ceil(need / 65536));
    };
    let open = 0;
    let top = 0;
    const region = (sizes: readonly number[], slack = 0): Region => {
      const start = align16(open === 0 ? heapBase : top);
      let p = start;
      const at = sizes.map((bytes) => {
        const offset = p;
        p += align16(bytes + slack);
        return offset;
      });
      reserve(p);
      top = p;
      open++;
      let released = false;
      return {
        at,
        end: p,
        release() {
          if (released) return;
          released = true;
          open--;
          // The last region taken gives its memory back at once; others when none is open.
          if (top === p) top = start;
        },
      };
    };
    kernel = Object.assign(Object.create(null), exports, { memory, heapBase, reserve, region }) as OwnKernel<T>;
    return kernel;
  };
}

/** A loaded reactor; discard() drops the instance (its C stack was left mid-call), and the next call makes a fresh one. */
export type Reactor<T> = (() => T & { memory: WebAssembly.Memory }) & { discard(): void };

/** A wasi-libc reactor (malloc/free inside): `imports` gets the instance's memory once it exists. */
export function reactorKernel<T>(
  name: WasmModuleName,
  module: WebAssembly.Module,
  imports: (memory: () => WebAssembly.Memory) => WebAssembly.Imports = () => ({}),
): Reactor<T> {
  let kernel: (T & { memory: WebAssembly.Memory }) | null = null;
  const load = () => {
    if (kernel) return kernel;
    let memory: WebAssembly.Memory | null = null;
    const instance = new WebAssembly.Instance(
      module,
      imports(() => memory!),
    );
    memory = memoryOf(instance.exports);
    (instance.exports._initialize as () => void)();
    registerWasmMemory(name, memory);
    kernel = instance.exports as unknown as T & { memory: WebAssembly.Memory };
    return kernel;
  };
  return Object.assign(load, {
    discard() {
      kernel = null;
    },
  });
}
