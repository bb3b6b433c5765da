import wasm from '../../kernels/jpeg-decode.wasm';
import { ImageError } from '../../pixels/errors';
import type { Raster } from '../../pixels/raster';
import { collectRows, type Rows } from '../../pixels/rows';
import { reactorKernel } from '../../kernels/kernel';
import { cmykToRgba, cmykTransform } from '../../ops/icc-cmyk';

/** Exports of wasm/jpeg-decode.c: libjpeg-turbo behind a streaming scanline API. */
interface JpegDecoder {
  memory: WebAssembly.Memory;
  malloc(size: number): number;
  free(ptr: number): void;
  dec_open(buf: number, len: number, shrink: number): number;
  dec_width(d: number): number;
  dec_height(d: number): number;
  dec_read(d: number, dst: number, stride: number, max: number): number;
  dec_cmyk(d: number): number;
  dec_warnings(d: number): number;
  dec_close(d: number): void;
  dec_open_planes(buf: number, len: number, shrink: number): number;
  dec_chroma_factor(d: number): number;
  dec_plane_width(d: number, ci: number): number;
  dec_plane_height(d: number, ci: number): number;
  dec_plane_stride(d: number, ci: number): number;
  dec_read_planes(d: number, y: number, cb: number, cr: number, yStride: number, cStride: number, max: number): number;
}

/** libjpeg's error_exit: thrown through the wasm frames, after which the instance is discarded. */
class JpegAbort extends Error {}

// wasi-libc links these for getenv/stdio; libjpeg reads no environment and writes nothing.
const decoder = reactorKernel<JpegDecoder>('jpegTurbo', wasm, (memory) => {
  const view = () => new DataView(memory().buffer);
  const wasi = {
    proc_exit: () => {
      throw new JpegAbort('proc_exit');
    },
    environ_sizes_get: (count: number, size: number) => {
      view().setUint32(count, 0, true);
      view().setUint32(size, 0, true);
      return 0;
    },
    environ_get: () => 0,
    fd_close: () => 0,
    fd_seek: () => 70, // ESPIPE
    fd_write: (_fd: number, iovs: number, iovsLen: number, written: number) => {
      let n = 0;
      for (let i = 0; i < iovsLen; i++) n += view().getUint32(iovs + i * 8 + 4, true);
      view().setUint32(written, n, true);
      return 0;
    },
  };
  const env = {
    jpeg_error: (code: number) => {
      throw new JpegAbort(`libjpeg error ${code}`);
    },
  };
  return { env, wasi_snapshot_preview1: wasi };
});

/**
 * An error thrown out of the decoder's wasm as the ImageError it means. After libjpeg's
 * error_exit or a trap the C stack was left mid-call, and after a failed allocation its heap may
 * be half-grown: never reuse that instance.
 */
function failure(e: unknown): never {
  if (e instanceof JpegAbort || e instanceof WebAssembly.RuntimeError) {
    decoder.discard();
    throw new ImageError('Invalid image file: corrupt JPEG data');
  }
  if (e instanceof RangeError) {
    decoder.discard();
    throw new ImageError('Image too large to decode', 413);
  }
  throw e;
}

/** The JPEG copied into the decoder's memory and opened by `open` (dec_open or dec_open_planes): its input and the decoder, 0 when `open` declined. */
function openInDecoder(k: JpegDecoder, bytes: Uint8Array, open: (input: number) => number): { input: number; d: number } {
  let input = 0;
  try {
    input = k.malloc(bytes.length);
    if (!input) throw new ImageError('Image too large to decode', 413);
    new Uint8Array(k.memory.buffer, input, bytes.length).set(bytes);
    return { input, d: open(input) };
  } catch (e) {
    if (!(e instanceof ImageError)) failure(e);
    if (input) k.free(input);
    throw e;
  }
}

/**
 * A baseline or progressive JPEG decoded to RGBA by libjpeg-turbo as a row source (bands of up
 * to 16 rows in the decoder's memory), scaled by 1/shrink in the DCT domain (output
 * ceil(w/shrink) x ceil(h/shrink)). CMYK and YCCK JPEGs come out of libjpeg as CMYK and are
 * converted to sRGB in the same band, through `profile` (their embedded ICC profile, the header's;
 * ops/icc-cmyk.ts). EXIF orientation is NOT applied. The caller must close() it,
 * after errors too: that frees the decoder, and throws an ImageError if libjpeg warned
 * (truncated or corrupt data) — like sharp's default, warnings are errors.
 */
export function jpegRows(bytes: Uint8Array, shrink: 1 | 2 | 4 | 8 = 1, profile?: Uint8Array): Rows {
  const k = decoder();
  const { input, d } = openInDecoder(k, bytes, (at) => k.dec_open(at, bytes.length, shrink));
  if (!d) {
    k.free(input);
    throw new ImageError('Image too large to decode', 413);
  }
  let band = 0;
  let closed = false;
  const fail = (e: unknown): never => {
    closed = true;
    return failure(e);
  };
  const width = k.dec_width(d);
  const height = k.dec_height(d);
  const stride = width * 4;
  const cmyk = k.dec_cmyk(d);
  const transform = cmyk ? cmykTransform(profile) : null;
  let y = 0;
  const release = () => {
    if (closed) return;
    closed = true;
    if (band) k.free(band);
    k.dec_close(d);
    k.free(input);
  };
  return {
    width,
    height,
    opaque: true,
    next() {
      if (y >= height) throw new Error('JPEG rows exhausted');
      try {
        if (!band) {
          band = k.malloc(stride * 16);
          if (!band) throw new RangeError('malloc');
        }
        const n = k.dec_read(d, band, stride, Math.min(16, height - y));
        if (n <= 0) throw new JpegAbort('no rows');
        y += n;
        const rows = new Uint8Array(k.memory.buffer, band, n * stride);
        if (transform) cmykToRgba(rows, transform, cmyk === 2);
        return rows;
      } catch (e) {
        return fail(e);
      }
    },
    close() {
      const warned = !closed && k.dec_warnings(d) > 0;
      release();
      if (warned) throw new ImageError('Invalid image file: corrupt JPEG data');
    },
  };
}

/** Decodes a whole JPEG at 1/shrink to an RGBA raster in JS memory. */
export function decodeJpeg(bytes: Uint8Array, shrink: 1 | 2 | 4 | 8 = 1, profile?: Uint8Array): Raster {
  return collectRows(jpegRows(bytes, shrink, profile));
}

/** A band of a JPEG's planes (jpegPlanes): views of the decoder's memory, valid until the next call. */
export interface PlaneBand {
  /** Luma rows in the band (the last band's may run past the image: its padding); rows / chromaFactor chroma rows. */
  rows: number;
  y: Uint8Array;
  cb: Uint8Array;
  cr: Uint8Array;
  yStride: number;
  cStride: number;
}

/** A 4:2:0 or 4:4:4 YCbCr JPEG's planes as coded, in bands (pixels/ycc.ts). */
export interface JpegPlanes {
  /** Luma size at 1/shrink; the chroma planes are chromaWidth x chromaHeight (for 4:2:0 half, rounded up). */
  width: number;
  height: number;
  /** Luma samples per chroma sample along each axis: 2 (4:2:0) or 1 (4:4:4). */
  chromaFactor: 1 | 2;
  chromaWidth: number;
  chromaHeight: number;
  /** Up to 16 luma rows and rows / chromaFactor chroma rows. */
  next(): PlaneBand;
  /** Frees the decoder; throws an ImageError if libjpeg warned (corrupt or truncated data), as jpegRows does. */
  close(): void;
}

/**
 * A YCbCr JPEG with 4:2:0 or 4:4:4 sampling decoded to its planes at 1/shrink, without colour
 * conversion or chroma upsampling (the chroma as coded: at half the luma's resolution for 4:2:0);
 * null for any other JPEG (grey, 4:2:2, CMYK...), which jpegRows decodes. The caller must close()
 * it, after errors too.
 */
export function jpegPlanes(bytes: Uint8Array, shrink: 1 | 2 | 4 | 8): JpegPlanes | null {
  const k = decoder();
  const { input, d } = openInDecoder(k, bytes, (at) => k.dec_open_planes(at, bytes.length, shrink));
  let closed = false;
  const fail = (e: unknown): never => {
    closed = true;
    return failure(e);
  };
  if (!d) {
    k.free(input);
    return null;
  }
  const yStride = k.dec_plane_stride(d, 0);
  const cStride = Math.max(k.dec_plane_stride(d, 1), k.dec_plane_stride(d, 2));
  const band = k.malloc(yStride * 16 + cStride * 32);
  const release = () => {
    if (closed) return;
    closed = true;
    if (band) k.free(band);
    k.dec_close(d);
    k.free(input);
  };
  if (!band) {
    release();
    throw new ImageError('Image too large to decode', 413);
  }
  const cbAt = band + yStride * 16;
  const crAt = cbAt + cStride * 16;
  const chromaFactor = k.dec_chroma_factor(d) === 1 ? 1 : 2;
  return {
    width: k.dec_plane_width(d, 0),
    height: k.dec_plane_height(d, 0),
    chromaFactor,
    chromaWidth: k.dec_plane_width(d, 1),
    chromaHeight: k.dec_plane_height(d, 1),
    next() {
      try {
        const rows = k.dec_read_planes(d, band, cbAt, crAt, yStride, cStride, 16);
        if (rows <= 0) throw new JpegAbort('no rows');
        const mem = k.memory.buffer;
        return {
          rows,
          y: new Uint8Array(mem, band, rows * yStride),
          cb: new Uint8Array(mem, cbAt, (rows / chromaFactor) * cStride),
          cr: new Uint8Array(mem, crAt, (rows / chromaFactor) * cStride),
          yStride,
          cStride,
        };
      } catch (e) {
        return fail(e);
      }
    },
    close() {
      const warned = !closed && k.dec_warnings(d) > 0;
      release();
      if (warned) throw new ImageError('Invalid image file: corrupt JPEG data');
    },
  };
}
