import { concatBytes } from '../pixels/bytes';
import { checkGifFrame } from './gif/decode';
import { ImageError } from '../pixels/errors';

export type { ImageFormat, ImageHeader } from '../plan/steps';
import type { ImageHeader } from '../plan/steps';

/** Headers claiming more pixels than this are refused before any decoding (413). */
export const MAX_PIXELS = 100_000_000;
export const MAX_SIDE = 65_535;

const invalid = (detail?: string) => new ImageError(detail ? `Invalid image file: ${detail}` : 'Invalid image file');

/** Reads format, size and flags from the first bytes of an image without decoding pixels. Throws only ImageError. */
export function readHeader(bytes: Uint8Array): ImageHeader {
  let h: ImageHeader;
  try {
    h = sniff(bytes);
  } catch (e) {
    if (e instanceof ImageError) throw e;
    throw invalid(); // defensive: a RangeError from a DataView etc.
  }
  if (!(h.width > 0 && h.height > 0)) throw invalid('zero width or height');
  if (h.width > MAX_SIDE || h.height > MAX_SIDE || h.width * h.height > MAX_PIXELS) {
    throw new ImageError(`Image too large: ${h.width}x${h.height}`, 413);
  }
  return h;
}

function sniff(b: Uint8Array): ImageHeader {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return jpegHeader(b);
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a)
    return pngHeader(b);
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return webpHeader(b);
  if (b.length >= 6 && (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')) return gifHeader(b);
  // ISO BMFF: AVIF is read; HEIF (HEVC) is recognised so that the answer says it is unsupported.
  if (b.length >= 12 && ascii(b, 4, 4) === 'ftyp') {
    const brands: string[] = [];
    for (let i = 8; i + 4 <= Math.min(b.length, u32be(b, 0)); i += 4) if (i !== 12) brands.push(ascii(b, i, 4)); // major, [minor version], compatible...
    if (brands.includes('avif') || brands.includes('avis')) return avifHeader(b, brands.includes('avis') && !brands.includes('avif'));
    if (brands.some((x) => /^(heic|heix|hevc|hevx|heim|heis|mif1|msf1)$/.test(x)))
      throw new ImageError(`HEIF originals (${brands[0]}) are not supported; upload JPEG, PNG, WebP, AVIF or GIF`, 415);
  }
  throw invalid();
}

function ascii(b: Uint8Array, at: number, n: number): string {
  let s = '';
  for (let i = 0; i < n && at + i < b.length; i++) s += String.fromCharCode(b[at + i]);
  return s;
}
const u16be = (b: Uint8Array, i: number) => (b[i] << 8) | b[i + 1];
const u16le = (b: Uint8Array, i: number) => b[i] | (b[i + 1] << 8);
const u24le = (b: Uint8Array, i: number) => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16);
const u32be = (b: Uint8Array, i: number) => ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
const u32le = (b: Uint8Array, i: number) => (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;

function need(b: Uint8Array, end: number, what: string): void {
  if (end > b.length) throw invalid(`truncated ${what}`);
}

// ---------------------------------------------------------------------------------------- JPEG

function jpegHeader(b: Uint8Array): ImageHeader {
  let pos = 2;
  let orientation = 1;
  let sawExif = false;
  const icc: Uint8Array[] = [];
  // Every iteration advances pos by at least 1 byte, so this ends within b.length steps.
  while (pos < b.length) {
    if (b[pos] !== 0xff) throw invalid('JPEG marker expected');
    while (pos < b.length && b[pos] === 0xff) pos++; // fill bytes
    need(b, pos + 1, 'JPEG');
    const m = b[pos++];
    if (m === 0xd8 || m === 0x01 || (m >= 0xd0 && m <= 0xd7)) continue; // no length
    if (m === 0xd9 || m === 0xda) throw invalid('JPEG has no frame header');
    need(b, pos + 2, 'JPEG segment');
    const len = u16be(b, pos);
    if (len < 2) throw invalid('bad JPEG segment length');
    const start = pos + 2;
    const end = pos + len;
    need(b, end, 'JPEG segment');
    if (m === 0xe1 && !sawExif && len >= 8 && ascii(b, start, 4) === 'Exif' && b[start + 4] === 0 && b[start + 5] === 0) {
      sawExif = true;
      orientation = exifOrientation(b, start + 6, end);
    } else if (m === 0xe2 && len >= 16 && ascii(b, start, 11) === 'ICC_PROFILE' && b[start + 11] === 0) {
      icc[b[start + 12]] = b.subarray(start + 14, end); // chunks numbered from 1
    } else if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
      const frame = jpegFrame(b, m, start, end, orientation);
      const chunks = icc.filter(Boolean);
      return chunks.length ? { ...frame, icc: chunks.length === 1 ? chunks[0] : concatBytes(chunks) } : frame;
    }
    pos = end;
  }
  throw invalid('truncated JPEG');
}

function jpegFrame(b: Uint8Array, marker: number, start: number, end: number, orientation: number): ImageHeader {
  // libjpeg-turbo decodes baseline, extended and progressive DCT (Huffman or arithmetic);
  // lossless (SOF3/7/11/15) and hierarchical (SOF5-7, SOF13-15) frames are refused.
  if (![0xc0, 0xc1, 0xc2, 0xc9, 0xca].includes(marker)) throw new ImageError('Unsupported JPEG type', 415);
  if (end - start < 6) throw invalid('short JPEG frame header');
  const precision = b[start];
  if (precision !== 8) throw new ImageError(`Unsupported JPEG precision ${precision}`, 415);
  const height = u16be(b, start + 1);
  const width = u16be(b, start + 3);
  const components = b[start + 5];
  if (components === 4) throw new ImageError('CMYK JPEG not supported', 415);
  if (components !== 1 && components !== 3) throw new ImageError(`Unsupported JPEG with ${components} components`, 415);
  if (end - start < 6 + components * 3) throw invalid('short JPEG frame header');
  const factors: number[] = [];
  for (let c = 0; c < components; c++) {
    const hv = b[start + 6 + c * 3 + 1];
    const hs = hv >> 4;
    const vs = hv & 15;
    if (hs < 1 || hs > 4 || vs < 1 || vs > 4) throw invalid('bad JPEG sampling factors');
    factors.push(hs, vs);
  }
  return {
    format: 'jpg',
    width,
    height,
    hasAlpha: false,
    orientation,
    progressive: marker === 0xc2 || marker === 0xca,
    animated: false,
    components,
    sampling: samplingName(factors),
    samplingFactors: factors,
  };
}

function samplingName(f: number[]): string {
  if (f.length === 2) return 'gray';
  const [h0, v0, h1, v1, h2, v2] = f;
  if (h1 === h2 && v1 === v2 && h1 === 1 && v1 === 1) {
    const key = `${h0}x${v0}`;
    const names: Record<string, string> = { '1x1': '4:4:4', '2x1': '4:2:2', '2x2': '4:2:0', '1x2': '4:4:0', '4x1': '4:1:1' };
    if (names[key]) return names[key];
  }
  const parts: string[] = [];
  for (let i = 0; i < f.length; i += 2) parts.push(`${f[i]}x${f[i + 1]}`);
  return parts.join(',');
}

/** Orientation tag (0x0112) of IFD0 in the TIFF structure at [tiff, end); 1 when absent or malformed. */
function exifOrientation(b: Uint8Array, tiff: number, end: number): number {
  if (tiff + 8 > end) return 1;
  const le = b[tiff] === 0x49 && b[tiff + 1] === 0x49;
  const be = b[tiff] === 0x4d && b[tiff + 1] === 0x4d;
  if (!le && !be) return 1;
  const r16 = (i: number) => (le ? u16le(b, i) : u16be(b, i));
  const r32 = (i: number) => (le ? u32le(b, i) : u32be(b, i));
  if (r16(tiff + 2) !== 42) return 1;
  const ifd = tiff + r32(tiff + 4);
  if (ifd + 2 > end || ifd < tiff) return 1;
  const count = r16(ifd);
  for (let i = 0; i < count; i++) {
    const e = ifd + 2 + i * 12;
    if (e + 12 > end) return 1;
    if (r16(e) === 0x0112) {
      const type = r16(e + 2);
      const v = type === 3 ? r16(e + 8) : type === 4 ? r32(e + 8) : 0;
      return v >= 1 && v <= 8 ? v : 1;
    }
  }
  return 1;
}

// ----------------------------------------------------------------------------------------- PNG

function pngHeader(b: Uint8Array): ImageHeader {
  need(b, 33, 'PNG header');
  if (u32be(b, 8) !== 13 || ascii(b, 12, 4) !== 'IHDR') throw invalid('PNG without IHDR');
  const width = u32be(b, 16);
  const height = u32be(b, 20);
  const depth = b[24];
  const colorType = b[25];
  const okDepth: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
  if (!okDepth[colorType]?.includes(depth)) throw invalid('bad PNG colour type or bit depth');
  if (b[26] !== 0 || b[27] !== 0 || b[28] > 1) throw invalid('bad PNG compression, filter or interlace');
  let trns = false;
  let animated = false;
  let sawData = false;
  let iccDeflated: Uint8Array | undefined;
  // Chunks before the first IDAT (each is >= 12 bytes, so this is bounded by the length).
  for (let pos = 33; pos + 8 <= b.length; ) {
    const len = u32be(b, pos);
    const type = ascii(b, pos + 4, 4);
    if (type === 'IDAT') {
      sawData = true;
      break;
    }
    if (type === 'IEND') break;
    if (type === 'tRNS') trns = true;
    if (type === 'iCCP' && pos + 8 + len <= b.length) {
      const data = b.subarray(pos + 8, pos + 8 + len);
      const nul = data.indexOf(0);
      if (nul > 0 && nul + 2 < data.length && data[nul + 1] === 0) iccDeflated = data.subarray(nul + 2);
    }
    if (type === 'acTL') animated = true;
    if (len > b.length) throw invalid('truncated PNG');
    pos += 12 + len;
  }
  if (!sawData) throw invalid('truncated PNG');
  const base = colorType === 0 ? 1 : colorType === 2 ? 3 : colorType === 3 ? 3 : colorType === 4 ? 2 : 4;
  return {
    format: 'png',
    width,
    height,
    hasAlpha: colorType === 4 || colorType === 6 || trns,
    orientation: 1,
    progressive: b[28] === 1,
    animated,
    components: trns && (colorType === 0 || colorType === 2 || colorType === 3) ? base + 1 : base,
    bitDepth: depth,
    ...(iccDeflated ? { iccDeflated } : {}),
  };
}

// ---------------------------------------------------------------------------------------- WebP

function webpHeader(b: Uint8Array): ImageHeader {
  need(b, 30, 'WebP header');
  const fourcc = ascii(b, 12, 4);
  const data = 20;
  const base = { format: 'webp' as const, orientation: 1, progressive: false };
  if (fourcc === 'VP8 ') {
    // Frame tag (3 bytes, bit 0 = 0 for key frames), start code 9d 01 2a, 14-bit sizes.
    if ((b[data] & 1) !== 0 || b[data + 3] !== 0x9d || b[data + 4] !== 0x01 || b[data + 5] !== 0x2a) throw invalid('bad VP8 frame');
    return { ...base, width: u16le(b, data + 6) & 0x3fff, height: u16le(b, data + 8) & 0x3fff, hasAlpha: false, animated: false, components: 3 };
  }
  if (fourcc === 'VP8L') {
    if (b[data] !== 0x2f) throw invalid('bad VP8L signature');
    const bits = u32le(b, data + 1);
    const width = (bits & 0x3fff) + 1;
    const height = ((bits >>> 14) & 0x3fff) + 1;
    const alpha = ((bits >>> 28) & 1) === 1;
    if (bits >>> 29 !== 0) throw invalid('bad VP8L version');
    return { ...base, width, height, hasAlpha: alpha, animated: false, components: alpha ? 4 : 3 };
  }
  if (fourcc === 'VP8X') {
    const flags = b[data];
    const alpha = (flags & 0x10) !== 0;
    // The ICCP chunk, when flagged, comes right after VP8X.
    const icc = flags & 0x20 && ascii(b, 30, 4) === 'ICCP' && 38 + u32le(b, 34) <= b.length ? b.subarray(38, 38 + u32le(b, 34)) : undefined;
    return {
      ...base,
      ...(icc ? { icc } : {}),
      width: u24le(b, data + 4) + 1,
      height: u24le(b, data + 7) + 1,
      hasAlpha: alpha,
      animated: (flags & 0x02) !== 0,
      components: alpha ? 4 : 3,
    };
  }
  throw invalid('unknown WebP chunk');
}

// ---------------------------------------------------------------------------------------- AVIF

/** Boxes of an ISO BMFF container between `from` and `to`: [type, payload start, box end]. */
function* boxes(b: Uint8Array, from: number, to: number): Generator<[string, number, number]> {
  let pos = from;
  // Every box is at least 8 bytes: bounded by the length.
  while (pos + 8 <= to) {
    let size = u32be(b, pos);
    let header = 8;
    if (size === 1) {
      need(b, pos + 16, 'AVIF box');
      if (u32be(b, pos + 8) !== 0) throw invalid('AVIF box over 4 GB');
      size = u32be(b, pos + 12);
      header = 16;
    } else if (size === 0) size = to - pos; // to the end
    if (size < header || pos + size > to) throw invalid('truncated AVIF box');
    yield [ascii(b, pos + 4, 4), pos + header, pos + size];
    pos += size;
  }
}

/**
 * AVIF (HEIF with AV1): the primary item's `ispe` gives the size (a grid's ispe is the whole
 * canvas), an `auxC` alpha property marks transparency, `avis` without `avif` is an image sequence
 * (its first frame is decoded). `irot`/`imir` transforms are not applied (rare in AVIF).
 */
function avifHeader(b: Uint8Array, sequence: boolean): ImageHeader {
  let meta: [number, number] | undefined;
  for (const [type, start, end] of boxes(b, 0, b.length)) if (type === 'meta') meta = [start + 4, end]; // full box
  if (!meta) throw invalid('AVIF without meta box');
  let primary = 0;
  let ipco: [number, number] | undefined;
  let ipma: [number, number] | undefined;
  for (const [type, start, end] of boxes(b, meta[0], meta[1])) {
    if (type === 'pitm') primary = b[start] === 0 ? u16be(b, start + 4) : u32be(b, start + 4);
    if (type === 'iprp') {
      for (const [t, s, e] of boxes(b, start, end)) {
        if (t === 'ipco') ipco = [s, e];
        if (t === 'ipma' && !ipma) ipma = [s, e];
      }
    }
  }
  if (!ipco) throw invalid('AVIF without item properties');
  const props: [string, number, number][] = [...boxes(b, ipco[0], ipco[1])];
  let hasAlpha = false;
  for (const [type, start, end] of props) {
    if (type === 'auxC' && /auxiliary:alpha|auxid:1/.test(ascii(b, start + 4, end - start - 4))) hasAlpha = true;
  }
  // The primary item's properties (ipma: 1-based indices into ipco), else the first ispe.
  let ispe = props.find(([t]) => t === 'ispe');
  if (ipma && primary) {
    const [s, e] = ipma;
    const version = b[s];
    const flags = b[s + 3];
    let pos = s + 4;
    need(b, pos + 4, 'AVIF ipma');
    const count = u32be(b, pos);
    pos += 4;
    for (let i = 0; i < count && pos < e; i++) {
      const item = version < 1 ? u16be(b, pos) : u32be(b, pos);
      pos += version < 1 ? 2 : 4;
      const n = b[pos++];
      for (let j = 0; j < n; j++) {
        const index = flags & 1 ? u16be(b, pos) & 0x7fff : b[pos] & 0x7f;
        pos += flags & 1 ? 2 : 1;
        if (item === primary && props[index - 1]?.[0] === 'ispe') ispe = props[index - 1];
      }
    }
  }
  if (!ispe) throw invalid('AVIF without image size');
  need(b, ispe[1] + 12, 'AVIF ispe');
  return {
    format: 'avif',
    width: u32be(b, ispe[1] + 4),
    height: u32be(b, ispe[1] + 8),
    hasAlpha,
    orientation: 1,
    progressive: false,
    animated: sequence,
    components: hasAlpha ? 4 : 3,
  };
}

// ----------------------------------------------------------------------------------------- GIF

function gifHeader(b: Uint8Array): ImageHeader {
  need(b, 13, 'GIF header');
  const width = u16le(b, 6);
  const height = u16le(b, 8);
  const flags = b[10];
  let pos = 13 + (flags & 0x80 ? 3 << ((flags & 7) + 1) : 0);
  let images = 0;
  let transparent = false;
  let firstCovers = true;
  // Each step consumes at least one byte: bounded by the file length.
  while (pos < b.length && images < 2) {
    const block = b[pos++];
    if (block === 0x3b) break; // trailer
    if (block === 0x21) {
      need(b, pos + 1, 'GIF extension');
      const label = b[pos++];
      if (label === 0xf9 && images === 0 && pos + 2 <= b.length && b[pos] >= 4) transparent = (b[pos + 1] & 1) === 1;
      pos = skipSubBlocks(b, pos);
    } else if (block === 0x2c) {
      need(b, pos + 9, 'GIF image descriptor');
      if (images === 0) {
        const x = u16le(b, pos),
          y = u16le(b, pos + 2),
          w = u16le(b, pos + 4),
          h = u16le(b, pos + 6);
        firstCovers = x === 0 && y === 0 && w >= width && h >= height;
        if (w === 0 || h === 0) throw invalid('empty GIF frame');
        checkGifFrame({ x, y, width: w, height: h, interlaced: (b[pos + 8] & 0x40) !== 0 }, width, height);
      }
      const f = b[pos + 8];
      pos += 9 + (f & 0x80 ? 3 << ((f & 7) + 1) : 0);
      need(b, pos + 1, 'GIF image');
      pos = skipSubBlocks(b, pos + 1); // LZW minimum code size, then data
      images++;
    } else {
      if (images > 0) break; // junk after the first frame: decoders stop there too
      throw invalid('bad GIF block');
    }
  }
  if (images === 0) throw invalid('GIF without image');
  return {
    format: 'gif',
    width,
    height,
    hasAlpha: transparent || !firstCovers,
    orientation: 1,
    progressive: false,
    animated: images > 1,
    components: 3,
  };
}

function skipSubBlocks(b: Uint8Array, pos: number): number {
  while (true) {
    need(b, pos + 1, 'GIF data');
    const n = b[pos];
    pos += 1 + n;
    if (n === 0) return pos;
  }
}
