import { mozjpegEncoder, webpEncoder } from './codecs';
import { encodeJpeg } from './encode-jpeg';
import { encodePng } from './encode-png';
import { ImageError } from './errors';
import { flatten } from './flatten';
import type { Raster } from './raster';

export type OutputFormat = 'jpg' | 'png' | 'webp';

export interface EncodeOptions {
  /** 1..100 (JPEG, WebP); ignored for PNG. */
  quality: number;
  /** JPEG only: progressive scans instead of baseline. */
  progressive?: boolean;
}

/**
 * Encodes a raster. JPEG: baseline through encode-jpeg.ts (4:2:0, Annex K tables, optimised Huffman);
 * progressive through mozjpeg (Annex K tables, quant_table 0, 4:2:0, trellis quantisation, no
 * trellis multipass), which is ~12% smaller but ~5x slower. The caller must flatten alpha first
 * (flatten.ts) — a non-opaque raster is flattened over white here as a safety net. PNG: lossless
 * 8-bit RGB when opaque, else RGBA, in TypeScript over CompressionStream (encode-png.ts; the
 * squoosh wasm encoder took ~1.4 s for 512x512 and is RGBA only). WebP: lossy libwebp (SIMD build), alpha kept.
 */
export async function encode(r: Raster, format: OutputFormat, opts: EncodeOptions): Promise<Uint8Array> {
  const quality = Math.max(1, Math.min(100, Math.round(opts.quality)));
  try {
    if (format === 'jpg') {
      const src = r.opaque ? r : flatten(r, [255, 255, 255, 255]);
      if (!opts.progressive) return encodeJpeg(src, quality);
      const enc = await mozjpegEncoder.get();
      return copy(enc.encode(src.data, src.width, src.height, {
        quality,
        baseline: false,
        arithmetic: false,
        progressive: !!opts.progressive,
        optimize_coding: true,
        smoothing: 0,
        color_space: 3,
        quant_table: 0,
        trellis_multipass: false,
        trellis_opt_zero: false,
        trellis_opt_table: false,
        trellis_loops: 1,
        auto_subsample: false,
        chroma_subsample: 2,
        separate_chroma_quality: false,
        chroma_quality: quality,
      }));
    }
    if (format === 'png') return await encodePng(r);
    if (format === 'webp') {
      const enc = await webpEncoder.get();
      const out = enc.encode(r.data, r.width, r.height, { ...WEBP_DEFAULTS, quality });
      if (!out) throw new Error('webp encoder returned null');
      return copy(out);
    }
  } catch (e) {
    if (format === 'jpg') mozjpegEncoder.reset();
    if (format === 'webp') webpEncoder.reset();
    throw new ImageError(`Encoding ${format} failed: ${(e as Error).message}`, 400);
  }
  throw new ImageError(`Unsupported output format ${format}`, 415);
}

/** The encoders return fresh JS copies; this only guards against a view of wasm memory. */
function copy(u: Uint8Array): Uint8Array {
  return u.byteOffset === 0 && u.byteLength === u.buffer.byteLength && !(u.buffer instanceof SharedArrayBuffer) ? u : u.slice();
}

/** libwebp defaults as in @jsquash/webp meta.js (method 4, sns 50, filter 60, ...). */
const WEBP_DEFAULTS: Record<string, number> = {
  quality: 75,
  target_size: 0,
  target_PSNR: 0,
  method: 4,
  sns_strength: 50,
  filter_strength: 60,
  filter_sharpness: 0,
  filter_type: 1,
  partitions: 0,
  segments: 4,
  pass: 1,
  show_compressed: 0,
  preprocessing: 0,
  autofilter: 0,
  partition_limit: 0,
  alpha_compression: 1,
  alpha_filtering: 1,
  alpha_quality: 100,
  lossless: 0,
  exact: 0,
  image_hint: 0,
  emulate_jpeg_size: 0,
  thread_level: 0,
  low_memory: 0,
  near_lossless: 100,
  use_delta_palette: 0,
  use_sharp_yuv: 0,
};
