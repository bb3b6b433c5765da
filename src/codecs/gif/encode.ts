/**
 * GIF encoder, pure TypeScript: each frame quantised to its own palette (codecs/quantize.ts, a
 * local colour table), LZW-compressed and appended; a NETSCAPE2.0 block carries the loop count.
 * Frames cover the whole canvas and are disposed to the background, so a transparent pixel of one
 * frame never shows the frame before it. Memory: the frames written so far plus one frame's indices.
 */
import type { Raster } from '../../pixels/raster';
import { quantize } from '../quantize';

export class GifWriter {
  private readonly out = new ByteSink();

  /** `loops`: plays (0: forever; 1: once, no loop block). */
  constructor(
    readonly width: number,
    readonly height: number,
    loops: number,
  ) {
    const o = this.out;
    o.ascii('GIF89a');
    o.u16(width);
    o.u16(height);
    o.bytes([0, 0, 0]); // no global colour table
    if (loops !== 1) {
      o.bytes([0x21, 0xff, 11]);
      o.ascii('NETSCAPE2.0');
      o.bytes([3, 1]);
      o.u16(loops === 0 ? 0 : Math.min(0xffff, loops - 1));
      o.bytes([0]);
    }
  }

  /** `lossy`: 0 exact, else the colour distance (0-255 scale) the LZW strings may tolerate. */
  addFrame(r: Raster, delayMs: number, lossy = 0): void {
    if (r.width !== this.width || r.height !== this.height) throw new Error('GIF frames must have the canvas size');
    const q = quantize(r);
    const colours = q.palette.length / 3;
    let bits = 1;
    while (1 << bits < colours) bits++;
    const o = this.out;
    // Graphic control: disposal 2 (to background) when transparent, else 1 (kept); delay in 1/100 s.
    const transparent = q.transparent >= 0;
    o.bytes([0x21, 0xf9, 4, ((transparent ? 2 : 1) << 2) | (transparent ? 1 : 0)]);
    o.u16(Math.min(0xffff, Math.round(delayMs / 10)));
    o.bytes([transparent ? q.transparent : 0, 0]);
    o.bytes([0x2c]);
    o.u16(0);
    o.u16(0);
    o.u16(this.width);
    o.u16(this.height);
    o.bytes([0x80 | (bits - 1)]);
    const table = new Uint8Array(3 << bits);
    table.set(q.palette);
    o.bytes(table);
    const minCode = Math.max(2, bits);
    o.bytes([minCode]);
    const data = lossy > 0 ? lzwEncodeLossy(q.indices, minCode, r.data, q.palette, q.transparent, lossy) : lzwEncode(q.indices, minCode);
    for (let i = 0; i < data.length; i += 255) {
      const n = Math.min(255, data.length - i);
      o.bytes([n]);
      o.bytes(data.subarray(i, i + n));
    }
    o.bytes([0]);
  }

  /** Bytes written so far (the writer's whole memory). */
  get size(): number {
    return this.out.length;
  }

  finish(): Uint8Array {
    this.out.bytes([0x3b]);
    return this.out.result();
  }
}

const HSIZE = 5003;

/** Variable-length LZW codes of GIF (2-12 bits, a clear code when the table is full), packed LSB first. */
export function lzwEncode(indices: Uint8Array, minCode: number): Uint8Array {
  const enc = new LzwCodes(minCode, indices.length);
  if (indices.length === 0) return enc.end(-1);
  let cur = indices[0];
  for (let i = 1; i < indices.length; i++) {
    const k = indices[i];
    const next = enc.lookup(cur, k);
    if (next >= 0) cur = next;
    else {
      enc.add(cur, k);
      cur = k;
    }
  }
  return enc.end(cur);
}

/**
 * Lossy LZW (as gifsicle's --lossy): a string is extended by the next pixel when one of the
 * table's continuations has a colour within `tolerance` of it (the pixel then takes that colour),
 * so strings grow longer and the file smaller, at the cost of that much colour error per pixel.
 */
function lzwEncodeLossy(indices: Uint8Array, minCode: number, rgba: Uint8Array, palette: Uint8Array, transparent: number, tolerance: number): Uint8Array {
  const enc = new LzwCodes(minCode, indices.length);
  if (indices.length === 0) return enc.end(-1);
  const limit = tolerance * tolerance * 3;
  const colours = palette.length / 3;
  let cur = indices[0];
  for (let i = 1; i < indices.length; i++) {
    const k = indices[i];
    let next = enc.lookup(cur, k);
    if (next < 0 && k !== transparent) {
      const o = i * 4;
      let bestD = limit + 1;
      for (let c = enc.firstChild[cur]; c >= 0; c = enc.sibling[c]) {
        const j = enc.suffix[c];
        if (j === transparent || j >= colours) continue;
        const dr = palette[j * 3] - rgba[o],
          dg = palette[j * 3 + 1] - rgba[o + 1],
          db = palette[j * 3 + 2] - rgba[o + 2];
        const d = dr * dr + dg * dg + db * db;
        if (d < bestD) {
          bestD = d;
          next = c;
        }
      }
    }
    if (next >= 0) cur = next;
    else {
      enc.add(cur, k);
      cur = k;
    }
  }
  return enc.end(cur);
}

/** The code table (a hash of prefix·suffix, and each code's continuations for the lossy search) and the bit packer. */
class LzwCodes {
  private readonly keys = new Int32Array(HSIZE).fill(-1);
  private readonly vals = new Int16Array(HSIZE);
  readonly firstChild = new Int16Array(4096).fill(-1);
  readonly sibling = new Int16Array(4096).fill(-1);
  readonly suffix = new Uint8Array(4096);
  private readonly clear: number;
  private nextCode: number;
  private codeSize: number;
  private acc = 0;
  private accBits = 0;
  private readonly sink: ByteSink;

  constructor(
    private readonly minCode: number,
    pixels: number,
  ) {
    this.clear = 1 << minCode;
    this.nextCode = this.clear + 2;
    this.codeSize = minCode + 1;
    this.sink = new ByteSink(Math.max(64, pixels >> 1));
    this.emit(this.clear);
  }

  lookup(prefix: number, k: number): number {
    const key = (prefix << 8) | k;
    let h = key % HSIZE;
    while (this.keys[h] !== -1) {
      if (this.keys[h] === key) return this.vals[h];
      h = h + 1 === HSIZE ? 0 : h + 1;
    }
    return -1;
  }

  /** Emits `prefix` and adds prefix·k as the next code (or clears a full table). */
  add(prefix: number, k: number): void {
    this.emit(prefix);
    if (this.nextCode === 4096) {
      this.emit(this.clear);
      this.keys.fill(-1);
      this.firstChild.fill(-1);
      this.nextCode = this.clear + 2;
      this.codeSize = this.minCode + 1;
      return;
    }
    if (this.nextCode >= 1 << this.codeSize) this.codeSize++;
    const code = this.nextCode++;
    const key = (prefix << 8) | k;
    let h = key % HSIZE;
    while (this.keys[h] !== -1) h = h + 1 === HSIZE ? 0 : h + 1;
    this.keys[h] = key;
    this.vals[h] = code;
    this.suffix[code] = k;
    this.sibling[code] = this.firstChild[prefix];
    this.firstChild[prefix] = code;
  }

  end(cur: number): Uint8Array {
    if (cur >= 0) this.emit(cur);
    this.emit(this.clear + 1);
    if (this.accBits > 0) this.sink.byte(this.acc & 0xff);
    return this.sink.result();
  }

  private emit(code: number): void {
    this.acc |= code << this.accBits;
    this.accBits += this.codeSize;
    while (this.accBits >= 8) {
      this.sink.byte(this.acc & 0xff);
      this.acc >>>= 8;
      this.accBits -= 8;
    }
  }
}

/** A growable byte buffer. */
export class ByteSink {
  private buf: Uint8Array;
  length = 0;

  constructor(initial = 1024) {
    this.buf = new Uint8Array(initial);
  }

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  byte(v: number): void {
    this.room(1);
    this.buf[this.length++] = v;
  }

  bytes(v: ArrayLike<number>): void {
    this.room(v.length);
    this.buf.set(v, this.length);
    this.length += v.length;
  }

  u16(v: number): void {
    this.bytes([v & 0xff, (v >> 8) & 0xff]);
  }

  ascii(s: string): void {
    for (let i = 0; i < s.length; i++) this.byte(s.charCodeAt(i));
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}
