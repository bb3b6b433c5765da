/**
 * The TIFF header: the first image file directory (IFD0) read into the layout codecs/tiff/decode.ts
 * needs, bounded before any pixel is touched. Baseline only: 8 bits per sample, grey (with or
 * without alpha), RGB, RGBA or palette, chunky (interleaved) samples, in strips or tiles, uncompressed,
 * PackBits, LZW or Deflate, with the horizontal predictor. Anything else is a 415 that names it.
 */
import { ImageError } from '../../pixels/errors';
import type { ImageHeader } from '../../plan/steps';
import { invalid, need, u16be, u16le, u32be, u32le } from '../binary';

export interface TiffLayout {
  width: number;
  height: number;
  /** Samples per pixel: 1 grey/palette, 2 grey + alpha, 3 RGB, 4 RGBA. */
  samples: number;
  /** 0 WhiteIsZero, 1 BlackIsZero, 2 RGB, 3 palette. */
  photometric: 0 | 1 | 2 | 3;
  compression: 1 | 5 | 8 | 32773;
  predictor: 1 | 2;
  /** The extra sample is associated (premultiplied) alpha. */
  premultiplied: boolean;
  hasAlpha: boolean;
  orientation: number;
  /** Strips are tiles as wide as the image. */
  tileWidth: number;
  tileHeight: number;
  offsets: number[];
  byteCounts: number[];
  /** Palette (photometric 3): 256 RGB entries, 8-bit. */
  palette?: Uint8Array;
}

const COMPRESSION: Record<number, string> = {
  2: 'CCITT RLE',
  3: 'CCITT Group 3',
  4: 'CCITT Group 4',
  6: 'old-style JPEG',
  7: 'JPEG',
  34712: 'JPEG 2000',
  34925: 'LZMA',
  50000: 'Zstandard',
  50001: 'WebP',
};
const PHOTOMETRIC: Record<number, string> = { 4: 'transparency mask', 5: 'CMYK (separated)', 6: 'YCbCr', 8: 'CIE L*a*b*', 32844: 'LogL', 32845: 'LogLuv' };
/** Most strip or tile entries read (a 65535-row image in 1-row strips). */
const MAX_CHUNKS = 1 << 20;

export function tiffLayout(b: Uint8Array): TiffLayout {
  need(b, 8, 'TIFF header');
  const le = b[0] === 0x49;
  const r16 = (i: number) => (le ? u16le(b, i) : u16be(b, i));
  const r32 = (i: number) => (le ? u32le(b, i) : u32be(b, i));
  if (r16(2) === 43) throw new ImageError('Unsupported TIFF: BigTIFF', 415);
  const ifd = r32(4);
  need(b, ifd + 2, 'TIFF directory');
  const count = r16(ifd);
  need(b, ifd + 2 + count * 12, 'TIFF directory');
  const tags = new Map<number, number[]>();
  for (let i = 0; i < count; i++) {
    const e = ifd + 2 + i * 12;
    const tag = r16(e),
      type = r16(e + 2),
      n = r32(e + 4);
    const size = type === 3 ? 2 : type === 4 ? 4 : type === 1 || type === 7 ? 1 : 0;
    if (!size || n === 0 || n > MAX_CHUNKS) continue; // rationals, ASCII and the rest: no baseline tag read here needs them
    const at = n * size <= 4 ? e + 8 : r32(e + 8);
    need(b, at + n * size, 'TIFF tag data');
    const values: number[] = new Array(n);
    for (let k = 0; k < n; k++) values[k] = size === 2 ? r16(at + k * 2) : size === 4 ? r32(at + k * 4) : b[at + k];
    tags.set(tag, values);
  }
  const one = (tag: number, fallback?: number) => {
    const v = tags.get(tag)?.[0] ?? fallback;
    if (v === undefined) throw invalid(`TIFF without tag ${tag}`);
    return v;
  };
  const width = one(256);
  const height = one(257);
  if (!(width > 0 && height > 0)) throw invalid('zero TIFF width or height');
  const samples = one(277, 1);
  const bits = tags.get(258) ?? [1];
  if (bits.some((x) => x !== 8)) throw new ImageError(`Unsupported TIFF: ${bits[0]} bits per sample (8 are read)`, 415);
  const format = tags.get(339)?.[0] ?? 1;
  if (format !== 1) throw new ImageError('Unsupported TIFF: floating-point or signed samples', 415);
  const compression = one(259, 1);
  if (![1, 5, 8, 32946, 32773].includes(compression)) throw new ImageError(`Unsupported TIFF compression: ${COMPRESSION[compression] ?? compression}`, 415);
  const photometric = one(262, samples >= 3 ? 2 : 1);
  if (photometric > 3) throw new ImageError(`Unsupported TIFF colour space: ${PHOTOMETRIC[photometric] ?? photometric}`, 415);
  if ((tags.get(284)?.[0] ?? 1) !== 1) throw new ImageError('Unsupported TIFF: planar (separate) sample layout', 415);
  const base = photometric === 2 ? 3 : 1;
  const extra = samples - base;
  if (extra < 0 || extra > 1) throw new ImageError(`Unsupported TIFF: ${samples} samples per pixel`, 415);
  const extraKind = tags.get(338)?.[0] ?? (extra ? 2 : 0);
  const predictor = one(317, 1);
  if (predictor !== 1 && predictor !== 2) throw new ImageError('Unsupported TIFF predictor: floating point', 415);
  const tiled = tags.has(322);
  const tileWidth = tiled ? one(322) : width;
  const tileHeight = tiled ? one(323) : Math.min(height, one(278, height));
  if (!(tileWidth > 0 && tileHeight > 0) || tileWidth > 65535 || tileHeight > 65535) throw invalid('bad TIFF strip or tile size');
  const offsets = tags.get(tiled ? 324 : 273);
  const byteCounts = tags.get(tiled ? 325 : 279);
  const chunks = Math.ceil(width / tileWidth) * Math.ceil(height / tileHeight);
  if (!offsets || !byteCounts || offsets.length < chunks || byteCounts.length < chunks) throw invalid('TIFF strips or tiles missing');
  for (let i = 0; i < chunks; i++) if (offsets[i] + byteCounts[i] > b.length) throw invalid('truncated TIFF');
  let palette: Uint8Array | undefined;
  if (photometric === 3) {
    const map = tags.get(320);
    if (!map || map.length < 768) throw invalid('TIFF palette missing');
    palette = new Uint8Array(768);
    for (let i = 0; i < 256; i++) for (let c = 0; c < 3; c++) palette[i * 3 + c] = map[c * 256 + i] >> 8;
  }
  const orientation = one(274, 1);
  return {
    width,
    height,
    samples,
    photometric: photometric as TiffLayout['photometric'],
    compression: (compression === 32946 ? 8 : compression) as TiffLayout['compression'],
    predictor: predictor as 1 | 2,
    premultiplied: extra === 1 && extraKind === 1,
    hasAlpha: extra === 1 && extraKind !== 0,
    orientation: orientation >= 1 && orientation <= 8 ? orientation : 1,
    tileWidth,
    tileHeight,
    offsets: offsets.slice(0, chunks),
    byteCounts: byteCounts.slice(0, chunks),
    palette,
  };
}

export function tiffHeader(b: Uint8Array): ImageHeader {
  const l = tiffLayout(b);
  return {
    format: 'tiff',
    width: l.width,
    height: l.height,
    hasAlpha: l.hasAlpha,
    orientation: l.orientation,
    progressive: false,
    animated: false,
    components: l.samples,
    bitDepth: 8,
    // What the decoder holds besides the RGBA result: its largest strip or tile, raw.
    chunkBytes: l.tileWidth * l.tileHeight * l.samples,
  };
}
