import wasm from '../../kernels/jpeg-encode.wasm';
import { concatBytes } from '../../pixels/bytes';
import type { Raster } from '../../pixels/raster';
import { rasterRows, type Rows } from '../../pixels/rows';
import { align16 as align, ownKernel } from '../../kernels/kernel';
import { JPEG_STREAM_PIXELS } from '../../plan/cost/model';

/**
 * Baseline JPEG through the project's own encoder (wasm/jpeg-encode.c): 4:2:0 (4:4:4 for q_<n>:444), IJG quality
 * scaling of the Annex K tables, Huffman tables optimised per image. Same bytes and PSNR as
 * libjpeg-turbo with optimize_coding (sharp's default) within 1%, about 5x faster than mozjpeg
 * with trellis quantisation, which remains the encoder for progressive JPEG (encode.ts).
 */
const load = ownKernel<{
  jpeg_coef_bytes(w: number, h: number, s444: number): number;
  jpeg_analyze_begin(w: number, h: number, quality: number, s444: number, coefs: number): void;
  jpeg_analyze_rows(strip: number, rows: number): void;
  jpeg_analyze_planes(y: number, cb: number, cr: number, yStride: number, cStride: number, rows: number): void;
  jpeg_analyze_end(): number;
  jpeg_write(coefs: number, out: number): number;
  jpeg_stream_begin(w: number, h: number, quality: number, out: number): number;
  jpeg_stream_row_bound(w: number): number;
  jpeg_stream_row(strip: number, rows: number, mcuRow: number, w: number, h: number, quality: number, out: number): number;
}>('jpegEnc', wasm);

/** Encodes an opaque raster (alpha is ignored) as baseline JPEG at quality 1..100, 4:4:4 when chroma444. */
export function encodeJpeg(r: Raster, quality: number, chroma444 = false): Uint8Array {
  return encodeJpegRows(rasterRows(r), quality, chroma444);
}

/**
 * Encodes streamed rows (alpha ignored) as baseline JPEG: each 16-row MCU row is transformed and
 * quantised as it arrives, so only the coefficients (3 bytes per pixel) and the output are held.
 * Closes the source.
 */
export function encodeJpegRows(src: Rows, quality: number, chroma444 = false): Uint8Array {
  // The fixed-table streaming path is 4:2:0 only.
  if (!chroma444 && src.width * src.height > JPEG_STREAM_PIXELS) return encodeJpegFixed(src, quality);
  try {
    const e = load();
    const { width, height } = src;
    const stride = width * 4;
    const stripAt = align(e.heapBase);
    const coefAt = align(stripAt + 16 * stride);
    const outAt = align(coefAt + e.jpeg_coef_bytes(width, height, chroma444 ? 1 : 0));
    e.reserve(outAt);
    e.jpeg_analyze_begin(width, height, quality, chroma444 ? 1 : 0, coefAt);
    forEachStrip(src, e.memory, stripAt, (filled) => e.jpeg_analyze_rows(stripAt, filled));
    return writeAnalysed(e, coefAt, outAt);
  } finally {
    src.close();
  }
}

/** The analysed image's tables built and its file written at outAt (memory grown to its bound): a copy of the file. */
function writeAnalysed(e: ReturnType<typeof load>, coefAt: number, outAt: number): Uint8Array {
  e.reserve(outAt + e.jpeg_analyze_end());
  const length = e.jpeg_write(coefAt, outAt);
  return new Uint8Array(e.memory.buffer, outAt, length).slice();
}

/** An MCU row's strips in the encoder's memory (jpegPlaneEncoder): 16 luma rows, 8 of each chroma plane. */
export interface PlaneStrips {
  y: Uint8Array;
  cb: Uint8Array;
  cr: Uint8Array;
  yStride: number;
  cStride: number;
}

/**
 * Baseline 4:2:0 JPEG from YCbCr planes (pixels/ycc.ts) through the same encoder and tables as
 * encodeJpegRows, without its colour conversion and chroma averaging: the caller writes each MCU
 * row into `strips` (luma width x 16, chroma (width + 1) / 2 x 8), calls mcuRow(rows) with its
 * luma row count (16 but at the bottom), then finish(). Synchronous use only: the encoder's
 * instance is shared.
 */
export function jpegPlaneEncoder(width: number, height: number, quality: number): { strips: PlaneStrips; mcuRow(rows: number): void; finish(): Uint8Array } {
  const e = load();
  const yStride = align(width);
  const cStride = align((width + 1) >> 1);
  const yAt = align(e.heapBase);
  const cbAt = yAt + 16 * yStride;
  const crAt = cbAt + 8 * cStride;
  const coefAt = align(crAt + 8 * cStride);
  const outAt = align(coefAt + e.jpeg_coef_bytes(width, height, 0));
  e.reserve(outAt);
  e.jpeg_analyze_begin(width, height, quality, 0, coefAt);
  const mem = e.memory.buffer;
  return {
    strips: {
      y: new Uint8Array(mem, yAt, 16 * yStride),
      cb: new Uint8Array(mem, cbAt, 8 * cStride),
      cr: new Uint8Array(mem, crAt, 8 * cStride),
      yStride,
      cStride,
    },
    mcuRow: (rows) => e.jpeg_analyze_planes(yAt, cbAt, crAt, yStride, cStride, rows),
    finish: () => writeAnalysed(e, coefAt, outAt),
  };
}

/** Copies the streamed rows into the kernel's 16-row strip at `stripAt`, calling `onStrip` with its row count each time it is full (and for the last, shorter one). */
function forEachStrip(src: Rows, memory: WebAssembly.Memory, stripAt: number, onStrip: (rows: number) => void): void {
  const stride = src.width * 4;
  let filled = 0;
  for (let y = 0; y < src.height; ) {
    const band = src.next();
    const rows = band.length / stride;
    for (let r = 0; r < rows; ) {
      const n = Math.min(16 - filled, rows - r);
      new Uint8Array(memory.buffer, stripAt + filled * stride, n * stride).set(band.subarray(r * stride, (r + n) * stride));
      filled += n;
      r += n;
      if (filled === 16 || y + r === src.height) {
        onStrip(filled);
        filled = 0;
      }
    }
    y += rows;
  }
}

/**
 * Baseline JPEG of streamed rows with the fixed Annex K.3 tables (the kernel's streaming mode, as
 * jobs/ uses for AI upscales: a restart marker after every MCU row), coded MCU row by MCU row as
 * they arrive: no coefficients are kept, only the coded rows. For outputs over JPEG_STREAM_PIXELS.
 * Closes the source.
 */
function encodeJpegFixed(src: Rows, quality: number): Uint8Array {
  try {
    const e = load();
    const { width, height } = src;
    const stride = width * 4;
    const stripAt = align(e.heapBase);
    const outAt = align(stripAt + 16 * stride);
    e.reserve(outAt + Math.max(4096, e.jpeg_stream_row_bound(width)));
    const parts: Uint8Array[] = [];
    const emit = (n: number) => parts.push(new Uint8Array(e.memory.buffer, outAt, n).slice());
    emit(e.jpeg_stream_begin(width, height, quality, outAt));
    let mcuRow = 0;
    forEachStrip(src, e.memory, stripAt, (filled) => emit(e.jpeg_stream_row(stripAt, filled, mcuRow++, width, height, quality, outAt)));
    parts.push(new Uint8Array([0xff, 0xd9]));
    return concatBytes(parts);
  } finally {
    src.close();
  }
}
