import { ImageError } from '../../pixels/errors';
import type { Raster } from '../../pixels/raster';

export const bad = (what: string) => new ImageError(`Invalid image file: ${what}`);

/**
 * Decodes the first frame of a GIF onto its logical screen (pixels outside the frame and the
 * transparent index are alpha 0), in pure TypeScript: no wasm, memory = the output raster plus
 * the frame's compressed bytes and one row of indices.
 */
export function decodeGif(b: Uint8Array): Raster {
  const { width, height, global, next } = readScreen(b);
  let pos = next;
  let transparent = -1;
  while (pos < b.length) {
    const block = b[pos++];
    if (block === 0x21) {
      if (pos >= b.length) break;
      const label = b[pos++];
      if (label === 0xf9 && pos + 5 <= b.length && b[pos] >= 4) transparent = b[pos + 1] & 1 ? b[pos + 4] : -1;
      pos = skipSubBlocks(b, pos);
    } else if (block === 0x2c) {
      return frame(b, pos, width, height, global, transparent);
    } else {
      break;
    }
  }
  throw bad('GIF without image');
}

function skipSubBlocks(b: Uint8Array, pos: number): number {
  while (pos < b.length) {
    const n = b[pos];
    pos += 1 + n;
    if (n === 0) return pos;
  }
  throw bad('truncated GIF');
}

/** The logical screen: its size, the global colour table, and where the blocks start. */
export function readScreen(b: Uint8Array): { width: number; height: number; global: Uint8Array | null; next: number } {
  if (b.length < 13) throw bad('truncated GIF');
  const width = b[6] | (b[7] << 8);
  const height = b[8] | (b[9] << 8);
  if (!width || !height) throw bad('zero GIF dimensions');
  let next = 13;
  let global: Uint8Array | null = null;
  if (b[10] & 0x80) {
    const n = 3 << ((b[10] & 7) + 1);
    if (next + n > b.length) throw bad('truncated GIF colour table');
    global = b.subarray(next, next + n);
    next += n;
  }
  return { width, height, global, next };
}

/** An image descriptor, its colour table and its LZW data (sub-blocks joined), and where the file goes on after them. */
export interface GifImage {
  fx: number;
  fy: number;
  fw: number;
  fh: number;
  interlaced: boolean;
  palette: Uint8Array;
  minCode: number;
  lzwData: Uint8Array;
  /** The byte after the data's terminator (the end of a truncated file). */
  next: number;
}

/** Reads the image descriptor at `pos` (after its 0x2c), with the global colour table as the fallback. */
export function readImage(b: Uint8Array, pos: number, global: Uint8Array | null): GifImage {
  if (pos + 10 > b.length) throw bad('truncated GIF image');
  const fx = b[pos] | (b[pos + 1] << 8);
  const fy = b[pos + 2] | (b[pos + 3] << 8);
  const fw = b[pos + 4] | (b[pos + 5] << 8);
  const fh = b[pos + 6] | (b[pos + 7] << 8);
  const flags = b[pos + 8];
  pos += 9;
  let palette = global;
  if (flags & 0x80) {
    const n = 3 << ((flags & 7) + 1);
    if (pos + n > b.length) throw bad('truncated GIF colour table');
    palette = b.subarray(pos, pos + n);
    pos += n;
  }
  if (!palette) throw bad('GIF without colour table');
  if (!fw || !fh) throw bad('empty GIF frame');
  const minCode = b[pos++];
  if (minCode < 2 || minCode > 11) throw bad('bad GIF LZW code size');
  // Gather the data sub-blocks (stops at the terminator or the end of a truncated file).
  let total = 0;
  let end = pos;
  for (; end < b.length && b[end] !== 0; end += 1 + b[end]) total += b[end];
  const lzwData = new Uint8Array(total);
  for (let p = pos, o = 0; p < b.length && b[p] !== 0; p += 1 + b[p]) {
    const chunk = b.subarray(p + 1, Math.min(b.length, p + 1 + b[p]));
    lzwData.set(chunk, o);
    o += chunk.length;
  }
  return { fx, fy, fw, fh, interlaced: (flags & 0x40) !== 0, palette, minCode, lzwData, next: Math.min(b.length, end + 1) };
}

function frame(b: Uint8Array, pos: number, width: number, height: number, global: Uint8Array | null, transparent: number): Raster {
  const { fx, fy, fw, fh, interlaced, palette, minCode, lzwData } = readImage(b, pos, global);
  const out = new Uint8Array(width * height * 4);
  const colours = palette.length / 3;
  const rowOrder = interlaced ? interlaceRows(fh) : null;
  // Only rows and columns on the screen are shown: decoding stops after the last data row that
  // lands on it, and one row of indices is held at a time (a 40-byte GIF may claim a 65535x65535
  // frame on a 1x1 screen).
  const rowsNeeded = checkGifFrame({ x: fx, y: fy, width: fw, height: fh, interlaced }, width, height);
  if (rowsNeeded === 0) return { width, height, data: out, opaque: false };
  const row = new Uint8Array(fw);
  let r = 0;
  let opaque = fx === 0 && fy === 0 && fw >= width && fh >= height;
  const visibleCols = Math.min(fw, width - fx);
  const emitRow = (filled: number): boolean => {
    const y = fy + (rowOrder ? rowOrder[r] : r);
    if (filled < fw) opaque = false;
    if (y < height) {
      for (let x = 0; x < Math.min(filled, visibleCols); x++) {
        const idx = row[x];
        if (idx === transparent) {
          opaque = false;
          continue;
        }
        const o = (y * width + fx + x) * 4;
        if (idx < colours) {
          out[o] = palette[idx * 3];
          out[o + 1] = palette[idx * 3 + 1];
          out[o + 2] = palette[idx * 3 + 2];
        }
        out[o + 3] = 255;
      }
    }
    return ++r < rowsNeeded;
  };
  const produced = lzw(lzwData, minCode, row, emitRow);
  if (produced === 0) throw bad('corrupt GIF data');
  if (r < rowsNeeded) opaque = false;
  return { width, height, data: out, opaque };
}

export interface GifFrame {
  x: number;
  y: number;
  width: number;
  height: number;
  interlaced: boolean;
}

/**
 * How many of a first frame's data rows must be decoded to fill what lands on the screen (0: none
 * does). A frame whose decoding would touch far more pixels than its screen shows is refused, so
 * the work stays proportional to the size the planner was given.
 */
export function checkGifFrame(f: GifFrame, screenWidth: number, screenHeight: number): number {
  if (f.x >= screenWidth || f.y >= screenHeight) return 0;
  const visibleRows = Math.min(f.height, screenHeight - f.y);
  let rowsNeeded = visibleRows;
  if (f.interlaced) {
    const order = interlaceRows(f.height);
    rowsNeeded = 0;
    for (let r = 0; r < f.height; r++) if (order[r] < visibleRows) rowsNeeded = r + 1;
  }
  if (f.width * rowsNeeded > Math.max(4 * screenWidth * screenHeight, 1 << 16))
    throw bad(`GIF frame ${f.width}x${f.height} at ${f.x},${f.y} is far larger than its ${screenWidth}x${screenHeight} screen`);
  return rowsNeeded;
}

/** Row r of the data is image row rowOrder[r] for interlaced GIFs (passes 8/0, 8/4, 4/2, 2/1). */
export function interlaceRows(h: number): Uint32Array {
  const order = new Uint32Array(h);
  let r = 0;
  for (const [start, step] of [
    [0, 8],
    [4, 8],
    [2, 4],
    [1, 2],
  ])
    for (let y = start; y < h; y += step) order[r++] = y;
  return order;
}

/**
 * GIF LZW decoder into one row at a time: `row` is handed to `onRow` each time it is full (and
 * once more with what a short stream left); decoding stops when onRow answers false. Returns the
 * number of indices decoded.
 */
export function lzw(data: Uint8Array, minCode: number, row: Uint8Array, onRow: (filled: number) => boolean): number {
  const clear = 1 << minCode;
  const eoi = clear + 1;
  const prefix = new Uint16Array(4096);
  const suffix = new Uint8Array(4096);
  const stack = new Uint8Array(4097);
  for (let i = 0; i < clear; i++) suffix[i] = i;
  let codeSize = minCode + 1;
  let codeMask = (1 << codeSize) - 1;
  let avail = clear + 2;
  let old = -1;
  let first = 0;
  let datum = 0;
  let bits = 0;
  let total = 0;
  let col = 0;
  let done = false;
  const put = (v: number) => {
    row[col++] = v;
    total++;
    if (col === row.length) {
      col = 0;
      done = !onRow(row.length);
    }
  };
  const finish = () => {
    if (col > 0 && !done) onRow(col);
    return total;
  };
  for (let p = 0; p < data.length && !done; p++) {
    datum |= data[p] << bits;
    bits += 8;
    while (bits >= codeSize && !done) {
      let code = datum & codeMask;
      datum >>>= codeSize;
      bits -= codeSize;
      if (code === clear) {
        codeSize = minCode + 1;
        codeMask = (1 << codeSize) - 1;
        avail = clear + 2;
        old = -1;
        continue;
      }
      if (code === eoi) return finish();
      if (old === -1) {
        if (code >= clear) return finish(); // corrupt: first code after clear must be a literal
        put(suffix[code]);
        old = first = code;
        continue;
      }
      const inCode = code;
      let sp = 0;
      if (code >= avail) {
        if (code > avail) return finish(); // corrupt
        stack[sp++] = first;
        code = old;
      }
      while (code >= clear) {
        stack[sp++] = suffix[code];
        code = prefix[code]; // prefix[c] < c: the chain ends
      }
      first = suffix[code];
      stack[sp++] = first;
      if (avail < 4096) {
        prefix[avail] = old;
        suffix[avail] = first;
        avail++;
        if ((avail & codeMask) === 0 && avail < 4096) {
          codeSize++;
          codeMask += avail;
        }
      }
      old = inCode;
      while (sp > 0 && !done) put(stack[--sp]);
    }
  }
  return finish();
}
