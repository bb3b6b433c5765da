import wasm from '../../kernels/jpeg-encode.wasm';
import { align16 as align, ownKernel } from '../../kernels/kernel';

/**
 * Streamed baseline JPEG for images too large to hold (AI upscales): fixed Annex K.3 Huffman
 * tables and a restart marker after every 16-row MCU row, so each MCU row is coded on its own. A
 * writer can encode a strip, upload it, stop, and resume later from the row number alone: the
 * bytes are the same as in one go. About 5-10% larger than the optimised-table encoder.
 */
const load = ownKernel<{
  jpeg_stream_begin(w: number, h: number, quality: number, out: number): number;
  jpeg_stream_row_bound(w: number): number;
  jpeg_stream_row(strip: number, rows: number, mcuRow: number, w: number, h: number, quality: number, out: number): number;
  jpeg_stream_end(out: number): number;
}>('jpegEnc', wasm);

export const MCU_ROWS = 16;

export class JpegStream {
  constructor(
    readonly width: number,
    readonly height: number,
    readonly quality: number,
  ) {}

  /** SOI through SOS. */
  header(): Uint8Array {
    const k = load();
    const at = align(k.heapBase);
    k.reserve(at + 4096);
    const n = k.jpeg_stream_begin(this.width, this.height, this.quality, at);
    return new Uint8Array(k.memory.buffer, at, n).slice();
  }

  /**
   * Entropy-coded data for image rows [y, y + strip rows) from an RGBA strip of full width.
   * y must be a multiple of 16; the strip's height too, unless it reaches the bottom.
   */
  rows(y: number, strip: Uint8Array): Uint8Array {
    if (y % MCU_ROWS) throw new Error(`strip must start on an MCU row, got y=${y}`);
    const k = load();
    const stride = this.width * 4;
    const rows = strip.length / stride;
    if (rows % MCU_ROWS && y + rows !== this.height) throw new Error('strip must hold whole MCU rows except at the bottom');
    const stripAt = align(k.heapBase);
    const outAt = align(stripAt + MCU_ROWS * stride);
    const bound = k.jpeg_stream_row_bound(this.width);
    k.reserve(outAt + bound);
    const parts: Uint8Array[] = [];
    let total = 0;
    for (let r = 0; r < rows; r += MCU_ROWS) {
      const n = Math.min(MCU_ROWS, rows - r);
      new Uint8Array(k.memory.buffer, stripAt, n * stride).set(strip.subarray(r * stride, (r + n) * stride));
      const len = k.jpeg_stream_row(stripAt, n, (y + r) / MCU_ROWS, this.width, this.height, this.quality, outAt);
      parts.push(new Uint8Array(k.memory.buffer, outAt, len).slice());
      total += len;
    }
    const out = new Uint8Array(total);
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }

  /** EOI. */
  end(): Uint8Array {
    return new Uint8Array([0xff, 0xd9]);
  }
}
