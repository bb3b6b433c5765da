// AVIF output: dprox's own libaom build (kernels/avif-encode.c, scripts/build-avif.sh).
import createAvifEncoder from '../../kernels/avif-encode.mjs';
import avifEncodeWasm from '../../kernels/avif-encode.wasm';
import type { Raster } from '../../pixels/raster';
import { emscripten } from '../emscripten';

/**
 * aom's cpu-used for a still image (0 slowest .. 9 fastest). At speed 8 this build writes 2.6% more
 * bytes than @jsquash/avif's speed 8 (dprox's encoder before it) for the same SSIM, in ~0.4x its
 * time; speed 9 is ~3x faster again but needs ~7% more bytes (bench/avif-build.mjs; README, AVIF).
 */
export const AVIF_SPEED = 8;

/** libavif 1.0's quantiser (0..63) for a quality (0..100): ((100 - quality) * 63 + 50) / 100, integer division. */
export function avifQuantizer(quality: number): number {
  return Math.floor(((100 - quality) * 63 + 50) / 100);
}

/**
 * Cloudinary quality (1..100, tuned for JPEG) to libavif's quality (0..100). AVIF needs less
 * quality than JPEG for the same look: q_80 is libavif 64 (imgproxy's AVIF default is 63, Next.js
 * uses JPEG quality - 20), 0.8 q up to 80, then linearly to 100 (quantiser 0, AV1's lossless
 * coding, several times larger: q_100 alone; q_99 gets quantiser 1).
 */
export function avifQuality(q: number): number {
  const c = Math.max(1, Math.min(100, q));
  return Math.round(c <= 80 ? (c * 64) / 80 : 64 + ((c - 80) * 36) / 20);
}

/** One instance per isolate; its memory is the encode's high-water ('avifEnc'). */
export const avifEncoder = emscripten('avifEnc', createAvifEncoder, avifEncodeWasm);

/**
 * Encodes a raster at a Cloudinary quality: 8-bit 4:2:0, full-range BT.601, sRGB; an alpha plane
 * when any pixel is not opaque. The RGBA is copied into the encoder's heap, which frees it once it
 * has made the planes.
 */
export async function encodeAvif(r: Raster, quality: number, speed = AVIF_SPEED): Promise<Uint8Array> {
  const m = await avifEncoder.get();
  const ptr = m._malloc(r.data.byteLength);
  if (!ptr) throw new Error('avif encoder out of memory');
  const memory = () => new Uint8Array(avifEncoder.memory().buffer);
  memory().set(r.data, ptr);
  const n = m._avif_encode(ptr, r.width, r.height, avifQuality(quality), speed);
  if (!n) throw new Error('avif encoder failed');
  const out = memory().slice(m._avif_result_ptr(), m._avif_result_ptr() + n);
  m._avif_result_free();
  return out;
}
