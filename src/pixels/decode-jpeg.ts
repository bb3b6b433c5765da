import wasm from '@cwasm/jpeg-turbo/jpeg-turbo.wasm';
import { ImageError } from './errors';
import type { Raster } from './raster';
import { memoryOf, registerWasmMemory } from './wasm-memory';

/** TurboJPEG exports of @cwasm/jpeg-turbo (libjpeg-turbo compiled to wasm32-wasi). */
interface TurboJpeg {
  memory: WebAssembly.Memory;
  malloc(size: number): number;
  free(ptr: number): void;
  tjInitDecompress(): number;
  tjDestroy(handle: number): number;
  tjDecompressHeader3(handle: number, buf: number, size: number, w: number, h: number, sub: number, cs: number): number;
  tjDecompress2(handle: number, buf: number, size: number, dst: number, w: number, pitch: number, h: number, pf: number, flags: number): number;
}

const TJPF_RGBA = 7;

/** libjpeg's error_exit longjmps; we turn that into a JS throw that unwinds the wasm stack. */
class LongJump extends Error {}

let tj: TurboJpeg | null = null;

function turbo(): TurboJpeg {
  if (tj) return tj;
  let memory: WebAssembly.Memory | null = null;
  const env = {
    setjmp: () => 0,
    longjmp: () => {
      throw new LongJump('libjpeg error');
    },
  };
  const wasi = {
    proc_exit: () => {
      throw new LongJump('proc_exit');
    },
    environ_sizes_get: (countPtr: number, sizePtr: number) => {
      const v = new DataView(memory!.buffer);
      v.setUint32(countPtr, 0, true);
      v.setUint32(sizePtr, 0, true);
      return 0;
    },
    environ_get: () => 0,
    fd_close: () => 0,
    fd_seek: () => 70, // ESPIPE
    // Diagnostics written to stderr are swallowed; report them as fully written.
    fd_write: (_fd: number, iovs: number, iovsLen: number, nwritten: number) => {
      const v = new DataView(memory!.buffer);
      let n = 0;
      for (let i = 0; i < iovsLen; i++) n += v.getUint32(iovs + i * 8 + 4, true);
      v.setUint32(nwritten, n, true);
      return 0;
    },
  };
  const instance = new WebAssembly.Instance(wasm, { env, wasi_snapshot_preview1: wasi });
  const exports = instance.exports as unknown as TurboJpeg;
  memory = memoryOf(instance.exports);
  registerWasmMemory('jpegTurbo', memory);
  tj = exports;
  return exports;
}

/**
 * Decodes a baseline or progressive JPEG to RGBA with libjpeg-turbo, scaling by 1/shrink in the
 * DCT domain (output ceil(w/shrink) x ceil(h/shrink)). EXIF orientation is NOT applied.
 */
export function decodeJpeg(bytes: Uint8Array, shrink: 1 | 2 | 4 | 8 = 1): Raster {
  const t = turbo();
  let handle = 0;
  let input = 0;
  let info = 0;
  let output = 0;
  let corrupted = false;
  try {
    handle = t.tjInitDecompress();
    if (!handle) throw new ImageError('JPEG decoder unavailable', 400);
    input = t.malloc(bytes.length);
    info = t.malloc(16);
    if (!input || !info) throw new ImageError('Image too large to decode', 413);
    new Uint8Array(t.memory.buffer, input, bytes.length).set(bytes);
    if (t.tjDecompressHeader3(handle, input, bytes.length, info, info + 4, info + 8, info + 12) !== 0) {
      throw new ImageError('Invalid image file: corrupt JPEG header');
    }
    const [w, h] = new Int32Array(t.memory.buffer, info, 2);
    if (!(w > 0 && h > 0)) throw new ImageError('Invalid image file: zero JPEG dimensions');
    const width = Math.ceil(w / shrink);
    const height = Math.ceil(h / shrink);
    const size = width * height * 4;
    output = t.malloc(size);
    if (!output) throw new ImageError('Image too large to decode', 413);
    // Non-zero also covers libjpeg warnings (e.g. premature end of data): treated as corrupt, like sharp's default.
    if (t.tjDecompress2(handle, input, bytes.length, output, width, width * 4, height, TJPF_RGBA, 0) !== 0) {
      throw new ImageError('Invalid image file: corrupt JPEG data');
    }
    const data = new Uint8Array(t.memory.buffer, output, size).slice();
    return { width, height, data, opaque: true };
  } catch (e) {
    if (e instanceof ImageError) throw e;
    corrupted = true;
    if (e instanceof LongJump) throw new ImageError('Invalid image file: corrupt JPEG data');
    // RangeError "could not allocate memory" when malloc cannot grow, or a wasm trap.
    throw new ImageError('Invalid image file: JPEG decoding failed');
  } finally {
    // After a longjmp-throw the C stack pointer is left wherever libjpeg was: never reuse it.
    if (corrupted) {
      tj = null;
    } else {
      if (output) t.free(output);
      if (info) t.free(info);
      if (input) t.free(input);
      if (handle) t.tjDestroy(handle);
    }
  }
}
