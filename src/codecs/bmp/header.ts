/**
 * The BMP header (Windows DIB: BITMAPCOREHEADER, BITMAPINFOHEADER and its V2–V5 extensions): size,
 * bottom-up or top-down, bit depth and compression, from the first bytes (codecs/header.ts sniffs
 * "BM"). What codecs/bmp/decode.ts reads: 1, 4, 8, 16, 24 and 32 bits per pixel, BI_RGB,
 * BI_BITFIELDS / BI_ALPHABITFIELDS (16 and 32 bits) and BI_RLE8 / BI_RLE4; the rest is a 415 naming it.
 */
import { ImageError } from '../../pixels/errors';
import type { ImageHeader } from '../../plan/steps';
import { invalid, need, u16le, u32le } from '../binary';

export interface BmpLayout {
  width: number;
  height: number;
  topDown: boolean;
  bitCount: number;
  /** 0 BI_RGB, 1 BI_RLE8, 2 BI_RLE4, 3 BI_BITFIELDS (6 BI_ALPHABITFIELDS is read as 3 with an alpha mask). */
  compression: 0 | 1 | 2 | 3;
  /** Offset of the pixel array from the start of the file. */
  pixels: number;
  /** Palette entries (1–8 bits): BGR(A) quads, or triples for a core header. */
  palette: number;
  paletteSize: number;
  paletteEntryBytes: 3 | 4;
  /** R, G, B, A masks (BI_BITFIELDS, or the defaults of 16- and 32-bit BI_RGB). */
  masks: [number, number, number, number];
}

const COMPRESSION_NAMES: Record<number, string> = { 4: 'JPEG', 5: 'PNG', 11: 'CMYK', 12: 'CMYK RLE8', 13: 'CMYK RLE4' };

export function bmpLayout(b: Uint8Array): BmpLayout {
  need(b, 26, 'BMP header');
  const pixels = u32le(b, 10);
  const dib = u32le(b, 14);
  const core = dib === 12;
  if (!core && dib < 40) throw invalid(`BMP header of ${dib} bytes`);
  need(b, 14 + (core ? 12 : 40), 'BMP header');
  const width = core ? u16le(b, 18) : i32le(b, 18);
  const rawHeight = core ? u16le(b, 20) : i32le(b, 22);
  const bitCount = u16le(b, core ? 24 : 28);
  let compression = core ? 0 : u32le(b, 30);
  const topDown = rawHeight < 0;
  const height = Math.abs(rawHeight);
  if (width <= 0 || height <= 0) throw invalid('zero or negative BMP width or height');
  if (![1, 4, 8, 16, 24, 32].includes(bitCount)) throw new ImageError(`Unsupported BMP: ${bitCount} bits per pixel`, 415);
  if (compression > 3 && compression !== 6) throw new ImageError(`Unsupported BMP compression: ${COMPRESSION_NAMES[compression] ?? compression}`, 415);
  if ((compression === 1 && bitCount !== 8) || (compression === 2 && bitCount !== 4)) throw invalid('BMP RLE with the wrong bit depth');
  if ((compression === 3 || compression === 6) && bitCount !== 16 && bitCount !== 32) throw invalid('BMP bitfields need 16 or 32 bits');
  if (topDown && (compression === 1 || compression === 2)) throw invalid('top-down BMP cannot be RLE');
  let masks: [number, number, number, number] = bitCount === 16 ? [0x7c00, 0x3e0, 0x1f, 0] : [0xff0000, 0xff00, 0xff, 0];
  if (compression === 3 || compression === 6) {
    // The masks follow a 40-byte header (or sit inside a V2+ one, at the same offsets).
    const at = 14 + 40;
    need(b, at + (compression === 6 || dib >= 56 ? 16 : 12), 'BMP bitfields');
    const alpha = compression === 6 || dib >= 56 ? u32le(b, at + 12) : 0;
    masks = [u32le(b, at), u32le(b, at + 4), u32le(b, at + 8), alpha];
    compression = 3;
  } else if (bitCount === 32 && dib >= 56) {
    // V3+ headers may declare an alpha mask for BI_RGB: only then are 32-bit BI_RGB pixels' 4th bytes alpha.
    const alpha = u32le(b, 14 + 52);
    if (alpha === 0xff000000) masks = [0xff0000, 0xff00, 0xff, alpha];
  }
  const paletteEntryBytes = core ? 3 : 4;
  const palette = 14 + dib + (!core && dib === 40 && compression === 3 ? 12 : 0);
  const declared = core ? 0 : u32le(b, 46);
  const paletteSize = bitCount <= 8 ? Math.min(declared || 1 << bitCount, 1 << bitCount) : 0;
  if (paletteSize) need(b, palette + paletteSize * paletteEntryBytes, 'BMP palette');
  if (pixels >= b.length) throw invalid('BMP pixel data past the end');
  return { width, height, topDown, bitCount, compression: compression as 0 | 1 | 2 | 3, pixels, palette, paletteSize, paletteEntryBytes, masks };
}

export function bmpHeader(b: Uint8Array): ImageHeader {
  const l = bmpLayout(b);
  return {
    format: 'bmp',
    width: l.width,
    height: l.height,
    hasAlpha: l.masks[3] !== 0,
    orientation: 1,
    progressive: false,
    animated: false,
    components: l.masks[3] ? 4 : 3,
    bitDepth: l.bitCount,
  };
}

const i32le = (b: Uint8Array, i: number) => u32le(b, i) | 0;
