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
import { memoryOf, registerWasmMemory, type WasmModuleName } from '../kernels/memory';

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

function emscripten<T>(name: WasmModuleName, factory: Factory<T>, module: WebAssembly.Module) {
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
    /** After an abort inside the codec its runtime is unusable: the next call builds a new one. */
    reset(): void {
      pending = null;
    },
  };
}

export const webpDecoder = emscripten('webpDec', webpDecFactory, webpDecWasm);
export const webpEncoder = emscripten('webpEnc', webpEncFactory, webpEncWasm);
export const mozjpegEncoder = emscripten('mozjpegEnc', mozjpegFactory, mozjpegWasm);
/** libavif + aom (Squoosh build, single-threaded: workerd has no threads). */
export const avifEncoder = emscripten('avifEnc', avifEncFactory, avifEncWasm);
/** libavif + dav1d: AVIF originals, and the q_auto search on AVIF output. */
export const avifDecoder = emscripten('avifDec', avifDecFactory, avifDecWasm);
