// Lazy, per-isolate instances of the jsquash (Squoosh) wasm codecs, instantiated from precompiled modules (the
// only way workerd allows) with each instance's memory registered for wasmMemory().
import webpDecFactory from '@jsquash/webp/codec/dec/webp_dec.js';
import webpDecWasm from '@jsquash/webp/codec/dec/webp_dec.wasm';
import webpEncFactory from '@jsquash/webp/codec/enc/webp_enc_simd.js';
import webpEncWasm from '@jsquash/webp/codec/enc/webp_enc_simd.wasm';
import mozjpegFactory from '@jsquash/jpeg/codec/enc/mozjpeg_enc.js';
import mozjpegWasm from '@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm';
import avifDecFactory from '@jsquash/avif/codec/dec/avif_dec.js';
import avifDecWasm from '@jsquash/avif/codec/dec/avif_dec.wasm';
import { emscripten } from './emscripten';

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

export const webpDecoder = emscripten('webpDec', webpDecFactory, webpDecWasm);
/** Outputs over WEBP_LOW_MEMORY_PIXELS are encoded by a fresh instance each (encode.ts, 'webpEncLarge'). */
export const webpEncoder = emscripten('webpEnc', webpEncFactory, webpEncWasm, 'webpEncLarge');
export const mozjpegEncoder = emscripten('mozjpegEnc', mozjpegFactory, mozjpegWasm);
/** libavif + dav1d: AVIF originals, and the q_auto search on AVIF output. */
export const avifDecoder = emscripten('avifDec', avifDecFactory, avifDecWasm);
