import { webpDecoder } from '../jsquash';
import { u24le, u32le } from '../binary';
import { ImageError } from '../../pixels/errors';
import type { Raster } from '../../pixels/raster';

/**
 * Decodes a WebP (lossy, lossless, with alpha) with libwebp. For an animated WebP the first
 * ANMF frame is rewrapped as a still WebP, decoded, and placed on the canvas at its offset.
 */
export async function decodeWebp(bytes: Uint8Array, canvasWidth: number, canvasHeight: number, animated: boolean): Promise<Raster> {
  if (!animated) return decodeStillWebp(bytes);
  const first = firstFrame(bytes);
  const frame = await decodeStillWebp(first.still);
  if (first.x === 0 && first.y === 0 && frame.width === canvasWidth && frame.height === canvasHeight) return frame;
  const out = new Uint8Array(canvasWidth * canvasHeight * 4);
  const w = Math.min(frame.width, canvasWidth - first.x);
  for (let y = 0; y < frame.height && first.y + y < canvasHeight; y++) {
    if (w <= 0) break;
    out.set(frame.data.subarray(y * frame.width * 4, (y * frame.width + w) * 4), ((first.y + y) * canvasWidth + first.x) * 4);
  }
  return { width: canvasWidth, height: canvasHeight, data: out, opaque: false };
}

/** One still WebP (a frame's bitstream rewrapped: ./animation.ts). */
export async function decodeStillWebp(bytes: Uint8Array): Promise<Raster> {
  let img;
  try {
    img = (await webpDecoder.get()).decode(bytes);
  } catch {
    webpDecoder.reset();
    throw new ImageError('Invalid image file: WebP decoding failed');
  }
  if (!img) throw new ImageError('Invalid image file: corrupt WebP');
  const data = new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength);
  return { width: img.width, height: img.height, data, opaque: isOpaque(data) };
}

export function isOpaque(data: Uint8Array): boolean {
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 255) return false;
  return true;
}

const fourcc = (b: Uint8Array, i: number) => String.fromCharCode(b[i], b[i + 1], b[i + 2], b[i + 3]);

function firstFrame(b: Uint8Array): { still: Uint8Array; x: number; y: number } {
  for (let pos = 12; pos + 8 <= b.length; ) {
    const size = u32le(b, pos + 4);
    const body = pos + 8;
    if (body + size > b.length) break;
    if (fourcc(b, pos) === 'ANMF' && size >= 16) {
      const x = u24le(b, body) * 2;
      const y = u24le(b, body + 3) * 2;
      const w = u24le(b, body + 6) + 1;
      const h = u24le(b, body + 9) + 1;
      const chunks: Uint8Array[] = [];
      let alpha = false;
      for (let p = body + 16; p + 8 <= body + size; ) {
        const s = u32le(b, p + 4);
        const end = p + 8 + s + (s & 1);
        if (p + 8 + s > body + size) break;
        const id = fourcc(b, p);
        if (id === 'ALPH') alpha = true;
        if (id === 'ALPH' || id === 'VP8 ' || id === 'VP8L') chunks.push(b.subarray(p, Math.min(end, body + size)));
        p = end;
      }
      if (alpha) {
        const x8 = new Uint8Array(18);
        x8.set([0x56, 0x50, 0x38, 0x58, 10, 0, 0, 0, 0x10, 0, 0, 0]);
        x8.set([(w - 1) & 255, ((w - 1) >> 8) & 255, (w - 1) >> 16, (h - 1) & 255, ((h - 1) >> 8) & 255, (h - 1) >> 16], 12);
        chunks.unshift(x8);
      }
      const payload = chunks.reduce((n, c) => n + c.length, 0);
      const still = new Uint8Array(12 + payload);
      still.set([0x52, 0x49, 0x46, 0x46], 0);
      new DataView(still.buffer).setUint32(4, 4 + payload, true);
      still.set([0x57, 0x45, 0x42, 0x50], 8);
      let o = 12;
      for (const c of chunks) {
        still.set(c, o);
        o += c.length;
      }
      return { still, x, y };
    }
    pos = body + size + (size & 1);
  }
  throw new ImageError('Invalid image file: animated WebP without frames');
}
