import { mozjpegEncoder, webpEncoder } from './jsquash';
import { avifEncoder, encodeAvif } from './avif/encode';
import { encodeJpeg } from './jpeg/encode';
import { encodePng, encodePng8 } from './png/encode';
import { GifWriter } from './gif/encode';
import { ImageError } from '../pixels/errors';
import { flatten } from '../ops/flatten';
import type { Raster } from '../pixels/raster';
import { rasterRows, type Rows } from '../pixels/rows';
import { encodeWebpFresh } from './webp/encode';
import { WEBP_LOW_MEMORY_PIXELS } from '../plan/cost/model';

export type OutputFormat = 'jpg' | 'png' | 'webp' | 'avif' | 'gif';

export interface EncodeOptions {
  /** 1..100 (JPEG, WebP, AVIF: mapped by avif/encode.ts avifQuality); ignored for PNG. */
  quality: number;
  /** JPEG only: progressive scans instead of baseline. */
  progressive?: boolean;
  /** JPEG only: 4:4:4, no chroma subsampling (q_<n>:444). */
  chroma444?: boolean;
  /** PNG only: fl_png8, an indexed PNG. */
  png8?: boolean;
  /** GIF only: fl_lossy, lossy LZW with the tolerance gifLossyTolerance(quality). */
  lossy?: boolean;
}

/** fl_lossy's colour tolerance per channel for a quality: q_80 (the default) 16, q_50 40, q_100 0. */
export function gifLossyTolerance(quality: number): number {
  return Math.round((100 - quality) * 0.8);
}

/**
 * Encodes a raster. JPEG: baseline through encode-jpeg.ts (4:2:0, Annex K tables, optimised Huffman);
 * progressive through mozjpeg (Annex K tables, quant_table 0, 4:2:0, trellis quantisation, no
 * trellis multipass), which is ~12% smaller but ~5x slower. The caller must flatten alpha first
 * (flatten.ts) — a non-opaque raster is flattened over white here as a safety net. PNG: lossless
 * 8-bit RGB when opaque, else RGBA, rows filtered by the png-filter kernel and deflated by
 * libdeflate (encode-png.ts). WebP: lossy libwebp (SIMD build), alpha kept; above
 * WEBP_LOW_MEMORY_PIXELS with libwebp's low_memory (no image-wide token buffer).
 * AVIF: our own libaom build at AVIF_SPEED (avif/encode.ts), 8-bit 4:2:0, alpha kept; the planner never asks for AVIF over
 * AVIF_MAX_PIXELS (plan/output.ts). No encoder writes EXIF or XMP (formats.test.ts checks).
 */
export async function encode(r: Raster, format: OutputFormat, opts: EncodeOptions): Promise<Uint8Array> {
  const quality = Math.max(1, Math.min(100, Math.round(opts.quality)));
  try {
    if (format === 'jpg') {
      const src = r.opaque ? r : flatten(r, [255, 255, 255, 255]);
      if (!opts.progressive) return encodeJpeg(src, quality, opts.chroma444 === true);
      const enc = await mozjpegEncoder.get();
      return copy(
        enc.encode(src.data, src.width, src.height, {
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
          chroma_subsample: opts.chroma444 ? 1 : 2,
          separate_chroma_quality: false,
          chroma_quality: quality,
        }),
      );
    }
    if (format === 'png') return opts.png8 ? encodePng8(r) : await encodePng(r);
    if (format === 'gif') {
      const gif = new GifWriter(r.width, r.height, 1);
      gif.addFrame(r, 0, opts.lossy ? gifLossyTolerance(quality) : 0);
      return gif.finish();
    }
    if (format === 'webp') {
      if (r.width * r.height > WEBP_LOW_MEMORY_PIXELS) return await encodeWebpLarge(r, quality);
      const enc = await webpEncoder.get();
      const out = enc.encode(r.data, r.width, r.height, { ...WEBP_DEFAULTS, quality, low_memory: 0 });
      if (!out) throw new Error('webp encoder returned null');
      return copy(out);
    }
    if (format === 'avif') return await encodeAvif(r, quality);
  } catch (e) {
    if (format === 'jpg') mozjpegEncoder.reset();
    if (format === 'webp') webpEncoder.reset();
    if (format === 'avif') avifEncoder.reset();
    throw new ImageError(`Encoding ${format} failed: ${(e as Error).message}`, 400);
  }
  throw new ImageError(`Unsupported output format ${format}`, 415);
}

/**
 * A large WebP: libwebp's low_memory in an instance of its own, dropped after the encode, the rows
 * written straight into its heap (webp/encode.ts): from the row stream (pixels/run.ts), so that no
 * JS raster of the output exists, or from a raster.
 */
export function encodeWebpRows(rows: Rows, quality: number): Promise<Uint8Array> {
  return encodeWebpFresh(rows, { ...WEBP_DEFAULTS, quality: Math.max(1, Math.min(100, Math.round(quality))), low_memory: 1 });
}

async function encodeWebpLarge(r: Raster, quality: number): Promise<Uint8Array> {
  return encodeWebpRows(rasterRows(r), quality);
}

/** The encoders return fresh JS copies; this only guards against a view of wasm memory. */
function copy(u: Uint8Array): Uint8Array {
  return u.byteOffset === 0 && u.byteLength === u.buffer.byteLength && !(u.buffer instanceof SharedArrayBuffer) ? u : u.slice();
}

/** libwebp defaults as in @jsquash/webp meta.js (method 4, sns 50, filter 60, ...). */
export const WEBP_DEFAULTS: Record<string, number> = {
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
