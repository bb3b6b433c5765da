// Lazy, per-isolate instances of the wasm codecs, instantiated from precompiled modules (the
// only way workerd allows) with each instance's memory registered for wasmMemory().
import webpDecFactory from '@jsquash/webp/codec/dec/webp_dec.js';
import webpDecWasm from '@jsquash/webp/codec/dec/webp_dec.wasm';
import webpEncFactory from '@jsquash/webp/codec/enc/webp_enc_simd.js';
import webpEncWasm from '@jsquash/webp/codec/enc/webp_enc_simd.wasm';
import mozjpegFactory from '@jsquash/jpeg/codec/enc/mozjpeg_enc.js';
import mozjpegWasm from '@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm';
import avifEncFactory from '@jsquash/avif/codec/enc/avif_enc.js';
import avifEncWasm from '@jsquash/avif/codec/enc/avif_enc.wasm';
import avifDecFactory from '@jsquash/avif/codec/dec/avif_dec.js';
import avifDecWasm from '@jsquash/avif/codec/dec/avif_dec.wasm';
import { memoryOf, registerTransientWasmMemory, registerWasmMemory, type WasmModuleName } from '../kernels/memory';

// The emscripten glues build results with `new ImageData(...)`.
const g = globalThis as unknown as { ImageData?: unknown };
if (typeof g.ImageData === 'undefined') {
  g.ImageData = class ImageData {
    constructor(
      readonly data: Uint8ClampedArray,
      readonly width: number,
      readonly height: number,
    ) {}
  };
}

type Factory<T> = (o: EmscriptenOverrides) => Promise<T>;

/** A codec instance of its own, for one call: release() drops it (see fresh()). */
export interface Fresh<T> {
  codec: T;
  /** The instance's exports (its memory, malloc and free under minified names). */
  exports: WebAssembly.Exports;
  memory: WebAssembly.Memory;
  release(): void;
}

function emscripten<T>(name: WasmModuleName, factory: Factory<T>, module: WebAssembly.Module, freshName?: WasmModuleName) {
  let pending: Promise<T> | null = null;
  return {
    get(): Promise<T> {
      pending ??= factory({
        noInitialRun: true,
        instantiateWasm(imports, done) {
          const instance = new WebAssembly.Instance(module, imports);
          registerWasmMemory(name, memoryOf(instance.exports));
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
    /** After an abort inside the codec its runtime is unusable: the next call builds a new one. */
    reset(): void {
      pending = null;
    },
  };
}

export const webpDecoder = emscripten('webpDec', webpDecFactory, webpDecWasm);
/** Outputs over WEBP_LOW_MEMORY_PIXELS are encoded by a fresh instance each (encode.ts, 'webpEncLarge'). */
export const webpEncoder = emscripten('webpEnc', webpEncFactory, webpEncWasm, 'webpEncLarge');
export const mozjpegEncoder = emscripten('mozjpegEnc', mozjpegFactory, mozjpegWasm);
/** libavif + aom (Squoosh build, single-threaded: workerd has no threads). */
export const avifEncoder = emscripten('avifEnc', avifEncFactory, avifEncWasm);
/** libavif + dav1d: AVIF originals, and the q_auto search on AVIF output. */
export const avifDecoder = emscripten('avifDec', avifDecFactory, avifDecWasm);
