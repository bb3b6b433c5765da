/**
 * Animated WebP: the RIFF container (VP8X, ANIM, ANMF) read and written here; each frame's
 * bitstream is a still WebP for libwebp (codecs/jsquash.ts). Frames are composited onto the canvas
 * as the container says (blending, disposal to transparent), one at a time.
 */
import { ImageError } from '../../pixels/errors';
import type { Raster } from '../../pixels/raster';
import { u16le, u24le, u32le } from '../binary';
import { ByteSink } from '../gif/encode';
import type { AnimationFrame, FrameSource } from '../gif/frames';
import { decodeStillWebp } from './decode';

const fourcc = (b: Uint8Array, i: number) => String.fromCharCode(b[i], b[i + 1], b[i + 2], b[i + 3]);
const bad = (what: string) => new ImageError(`Invalid image file: ${what}`);

interface AnmfFrame {
  x: number;
  y: number;
  width: number;
  height: number;
  durationMs: number;
  blend: boolean;
  dispose: boolean;
  /** The frame's ALPH / VP8 / VP8L chunks as a still WebP. */
  still: Uint8Array;
}

/** The ANMF chunks of an animated WebP (no pixels decoded) and its loop count. */
function* anmfFrames(b: Uint8Array): Generator<AnmfFrame> {
  for (let pos = 12; pos + 8 <= b.length; ) {
    const size = u32le(b, pos + 4);
    const body = pos + 8;
    if (body + size > b.length) throw bad('truncated WebP chunk');
    if (fourcc(b, pos) === 'ANMF') {
      if (size < 16) throw bad('short ANMF chunk');
      const flags = b[body + 15];
      yield {
        x: u24le(b, body) * 2,
        y: u24le(b, body + 3) * 2,
        width: u24le(b, body + 6) + 1,
        height: u24le(b, body + 9) + 1,
        durationMs: u24le(b, body + 12),
        blend: (flags & 2) === 0,
        dispose: (flags & 1) === 1,
        still: stillOf(b, body + 16, body + size, u24le(b, body + 6) + 1, u24le(b, body + 9) + 1),
      };
    }
    pos = body + size + (size & 1);
  }
}

export function webpLoops(b: Uint8Array): number {
  for (let pos = 12; pos + 8 <= b.length; ) {
    const size = u32le(b, pos + 4);
    if (fourcc(b, pos) === 'ANIM' && size >= 6 && pos + 14 <= b.length) return u16le(b, pos + 12);
    pos += 8 + size + (size & 1);
  }
  return 0;
}

/** Counts the ANMF chunks and their pixels, reading only chunk headers (the header's `frames` and `frameArea`). */
export function countWebpFrames(b: Uint8Array): { frames: number; frameArea: number } {
  let frames = 0;
  let frameArea = 0;
  for (let pos = 12; pos + 8 <= b.length; ) {
    const size = u32le(b, pos + 4);
    if (fourcc(b, pos) === 'ANMF' && size >= 16 && pos + 24 <= b.length) {
      frames++;
      frameArea += (u24le(b, pos + 14) + 1) * (u24le(b, pos + 17) + 1);
    }
    pos += 8 + size + (size & 1);
  }
  return { frames, frameArea };
}

function stillOf(b: Uint8Array, from: number, to: number, w: number, h: number): Uint8Array {
  const chunks: Uint8Array[] = [];
  let alpha = false;
  for (let p = from; p + 8 <= to; ) {
    const s = u32le(b, p + 4);
    const end = p + 8 + s + (s & 1);
    if (p + 8 + s > to) break;
    const id = fourcc(b, p);
    if (id === 'ALPH') alpha = true;
    if (id === 'ALPH' || id === 'VP8 ' || id === 'VP8L') chunks.push(b.subarray(p, Math.min(end, to)));
    p = end;
  }
  if (alpha) {
    const x8 = new Uint8Array(18);
    x8.set([0x56, 0x50, 0x38, 0x58, 10, 0, 0, 0, 0x10, 0, 0, 0]);
    x8.set([(w - 1) & 255, ((w - 1) >> 8) & 255, (w - 1) >> 16, (h - 1) & 255, ((h - 1) >> 8) & 255, (h - 1) >> 16], 12);
    chunks.unshift(x8);
  }
  return riff(chunks);
}

function riff(chunks: Uint8Array[]): Uint8Array {
  const payload = chunks.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(12 + payload);
  out.set([0x52, 0x49, 0x46, 0x46], 0);
  new DataView(out.buffer).setUint32(4, 4 + payload, true);
  out.set([0x57, 0x45, 0x42, 0x50], 8);
  let o = 12;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

export function webpFrames(b: Uint8Array, width: number, height: number): FrameSource {
  const frames = anmfFrames(b);
  const canvas = new Uint8Array(width * height * 4);
  let toDispose: AnmfFrame | null = null;
  let emitted = 0;
  // The copy handed out, refilled for each frame (valid until the next call).
  let shown: Uint8Array | null = null;
  return {
    width,
    height,
    loops: webpLoops(b),
    async next(): Promise<AnimationFrame | null> {
      const { value: f, done } = frames.next();
      if (done) {
        if (emitted === 0) throw bad('animated WebP without frames');
        return null;
      }
      if (toDispose) clearRect(canvas, width, height, toDispose);
      const pixels = await decodeStillWebp(f.still);
      if (pixels.width !== f.width || pixels.height !== f.height) throw bad('WebP frame size differs from its ANMF chunk');
      draw(canvas, width, height, pixels, f);
      toDispose = f.dispose ? f : null;
      emitted++;
      shown ??= new Uint8Array(canvas.length);
      shown.set(canvas);
      return { raster: { width, height, data: shown, opaque: isOpaque(canvas) }, delayMs: f.durationMs };
    },
  };
}

function clearRect(canvas: Uint8Array, width: number, height: number, f: AnmfFrame): void {
  const w = Math.min(f.width, width - f.x);
  for (let y = f.y; y < Math.min(height, f.y + f.height) && w > 0; y++) canvas.fill(0, (y * width + f.x) * 4, (y * width + f.x + w) * 4);
}

function draw(canvas: Uint8Array, width: number, height: number, px: Raster, f: AnmfFrame): void {
  const w = Math.min(px.width, width - f.x);
  for (let y = 0; y < px.height && f.y + y < height && w > 0; y++) {
    const src = y * px.width * 4;
    const dst = ((f.y + y) * width + f.x) * 4;
    if (!f.blend || px.opaque) {
      canvas.set(px.data.subarray(src, src + w * 4), dst);
      continue;
    }
    for (let x = 0; x < w; x++) {
      const s = src + x * 4,
        d = dst + x * 4;
      const sa = px.data[s + 3];
      if (sa === 255) canvas.set(px.data.subarray(s, s + 4), d);
      else if (sa > 0) {
        // Non-premultiplied "source over" (the WebP container spec's blending formula).
        const da = canvas[d + 3] * (255 - sa);
        const a = sa * 255 + da;
        for (let c = 0; c < 3; c++) canvas[d + c] = Math.round((px.data[s + c] * sa * 255 + canvas[d + c] * da) / a);
        canvas[d + 3] = Math.round(a / 255);
      }
    }
  }
}

function isOpaque(data: Uint8Array): boolean {
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 255) return false;
  return true;
}

/**
 * An animated WebP from still WebPs of the canvas size: their bitstream chunks (ALPH, VP8/VP8L)
 * each wrapped in an ANMF at 0,0 that replaces the canvas (no blending), after VP8X and ANIM.
 */
export class WebpAnimationWriter {
  private readonly frames = new ByteSink();
  private alpha = false;

  constructor(
    readonly width: number,
    readonly height: number,
    private readonly loops: number,
  ) {}

  addFrame(still: Uint8Array, durationMs: number): void {
    const chunks: Uint8Array[] = [];
    for (let p = 12; p + 8 <= still.length; ) {
      const s = u32le(still, p + 4);
      const id = fourcc(still, p);
      const end = Math.min(still.length, p + 8 + s + (s & 1));
      if (id === 'ALPH') this.alpha = true;
      if (id === 'ALPH' || id === 'VP8 ' || id === 'VP8L') chunks.push(still.subarray(p, end));
      p = end;
    }
    const size = 16 + chunks.reduce((n, c) => n + c.length, 0);
    const head = new Uint8Array(24);
    head.set([0x41, 0x4e, 0x4d, 0x46]);
    const dv = new DataView(head.buffer);
    dv.setUint32(4, size, true);
    // x, y = 0; width-1, height-1; duration; flags: no blending (bit 1), no disposal.
    setU24(head, 14, this.width - 1);
    setU24(head, 17, this.height - 1);
    setU24(head, 20, Math.min(0xffffff, Math.max(0, Math.round(durationMs))));
    head[23] = 2;
    this.frames.bytes(head);
    for (const c of chunks) this.frames.bytes(c);
  }

  get size(): number {
    return this.frames.length;
  }

  finish(): Uint8Array {
    const vp8x = new Uint8Array(18);
    vp8x.set([0x56, 0x50, 0x38, 0x58, 10, 0, 0, 0, 0x02 | (this.alpha ? 0x10 : 0), 0, 0, 0]);
    setU24(vp8x, 12, this.width - 1);
    setU24(vp8x, 15, this.height - 1);
    const anim = new Uint8Array(14);
    anim.set([0x41, 0x4e, 0x49, 0x4d, 6, 0, 0, 0, 0, 0, 0, 0]); // background: transparent black
    anim[12] = Math.min(0xffff, this.loops) & 0xff;
    anim[13] = Math.min(0xffff, this.loops) >> 8;
    return riff([vp8x, anim, this.frames.result()]);
  }
}

function setU24(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 0xff;
  b[at + 1] = (v >> 8) & 0xff;
  b[at + 2] = (v >> 16) & 0xff;
}
