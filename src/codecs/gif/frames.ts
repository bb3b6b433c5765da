/**
 * Every frame of a GIF, composited onto its logical screen as a browser shows it (disposal
 * methods 0-3, local colour tables, the transparent index, interlacing), one at a time: memory is
 * the canvas, the copy handed out, a saved region for "restore to previous", the frame's gathered
 * LZW bytes and one row of indices, whatever the number of frames.
 */
import type { Raster } from '../../pixels/raster';
import { bad, checkGifFrame, interlaceRows, lzw, readImage, readScreen } from './decode';

export interface AnimationFrame {
  /** The whole canvas after this frame: a copy the steps may change, valid until the next call (the same buffer is refilled). */
  raster: Raster;
  /** How long it shows, in milliseconds. */
  delayMs: number;
}

/** A frame-by-frame source of an animation: `next()` is null after the last frame. */
export interface FrameSource {
  readonly width: number;
  readonly height: number;
  /** How many times it plays; 0: forever. */
  readonly loops: number;
  next(): Promise<AnimationFrame | null>;
}

/** Browsers show delays under 20 ms as 100 ms (the GIF convention); kept in the output as written. */
export function gifFrames(b: Uint8Array): FrameSource {
  const { width, height, global, next } = readScreen(b);
  let pos = next;
  const canvas = new Uint8Array(width * height * 4);
  // The copy handed out, refilled for each frame; and how many canvas pixels are transparent (GIF alpha is 0 or 255).
  let shown: Uint8Array | null = null;
  let clear = width * height;
  let loops = 1;
  // The disposal the previous frame asked for, applied before the next one is drawn.
  let pending: { method: number; x: number; y: number; w: number; h: number; saved: Uint8Array | null } | null = null;
  let emitted = 0;

  const source = {
    width,
    height,
    loops,
    async next(): Promise<AnimationFrame | null> {
      let transparent = -1;
      let delay = 0;
      let disposal = 0;
      while (pos < b.length) {
        const block = b[pos++];
        if (block === 0x3b) break;
        if (block === 0x21) {
          if (pos >= b.length) break;
          const label = b[pos++];
          if (label === 0xf9 && pos + 5 <= b.length && b[pos] >= 4) {
            const flags = b[pos + 1];
            disposal = (flags >> 2) & 7;
            delay = (b[pos + 2] | (b[pos + 3] << 8)) * 10;
            transparent = flags & 1 ? b[pos + 4] : -1;
          }
          pos = skipSubBlocks(b, pos);
        } else if (block === 0x2c) {
          applyDisposal();
          drawFrame(disposal, transparent);
          emitted++;
          shown ??= new Uint8Array(canvas.length);
          shown.set(canvas);
          return { raster: { width, height, data: shown, opaque: clear === 0 }, delayMs: delay };
        } else break; // junk: decoders stop there
      }
      if (emitted === 0) throw bad('GIF without image');
      return null;
    },
  };

  function applyDisposal() {
    if (!pending) return;
    const { method, x, y, w, h, saved } = pending;
    if (method === 2 || (method === 3 && saved)) {
      for (let r = 0; r < h; r++) {
        const at = ((y + r) * width + x) * 4;
        for (let i = 3; i < w * 4; i += 4) clear += (canvas[at + i] === 255 ? 1 : 0) - (saved && saved[r * w * 4 + i] === 255 ? 1 : 0);
        if (method === 2) canvas.fill(0, at, at + w * 4);
        else if (saved) canvas.set(saved.subarray(r * w * 4, (r + 1) * w * 4), at);
      }
    }
    pending = null;
  }

  /** Draws the image descriptor at `pos` onto the canvas; records its disposal. */
  function drawFrame(disposal: number, transparent: number): void {
    const { fx, fy, fw, fh, interlaced, palette, minCode, lzwData, next } = readImage(b, pos, global);
    pos = next;
    const rowsNeeded = checkGifFrame({ x: fx, y: fy, width: fw, height: fh, interlaced }, width, height);
    // The visible part of the frame's rectangle: what its disposal touches.
    const vw = Math.max(0, Math.min(fw, width - fx));
    const vh = Math.max(0, Math.min(fh, height - fy));
    let saved: Uint8Array | null = null;
    if (disposal === 3 && vw && vh) {
      saved = new Uint8Array(vw * vh * 4);
      for (let r = 0; r < vh; r++) saved.set(canvas.subarray(((fy + r) * width + fx) * 4, ((fy + r) * width + fx + vw) * 4), r * vw * 4);
    }
    pending = { method: disposal, x: fx, y: fy, w: vw, h: vh, saved };
    if (rowsNeeded === 0) return;
    const order = interlaced ? interlaceRows(fh) : null;
    const colours = palette.length / 3;
    const row = new Uint8Array(fw);
    let r = 0;
    const pal = palette;
    lzw(lzwData, minCode, row, (filled) => {
      const y = fy + (order ? order[r] : r);
      if (y < height) {
        for (let x = 0; x < Math.min(filled, vw); x++) {
          const idx = row[x];
          if (idx === transparent) continue;
          const o = (y * width + fx + x) * 4;
          if (idx < colours) {
            canvas[o] = pal[idx * 3];
            canvas[o + 1] = pal[idx * 3 + 1];
            canvas[o + 2] = pal[idx * 3 + 2];
          } else canvas[o] = canvas[o + 1] = canvas[o + 2] = 0;
          if (canvas[o + 3] === 0) clear--;
          canvas[o + 3] = 255;
        }
      }
      return ++r < rowsNeeded;
    });
  }

  // NETSCAPE2.0 (or ANIMEXTS1.0) loop count, wherever it is before the first image.
  for (let p = pos; p + 19 <= b.length && b[p] === 0x21; ) {
    if (
      b[p + 1] === 0xff &&
      b[p + 2] === 11 &&
      /^(NETSCAPE2\.0|ANIMEXTS1\.0)$/.test(String.fromCharCode(...b.subarray(p + 3, p + 14))) &&
      b[p + 14] >= 3 &&
      b[p + 15] === 1
    ) {
      const n = b[p + 16] | (b[p + 17] << 8);
      loops = n === 0 ? 0 : n + 1;
      break;
    }
    p = skipSubBlocks(b, p + 2);
  }
  source.loops = loops;
  return source;
}

function skipSubBlocks(b: Uint8Array, pos: number): number {
  while (pos < b.length) {
    const n = b[pos];
    pos += 1 + n;
    if (n === 0) return pos;
  }
  throw bad('truncated GIF');
}
