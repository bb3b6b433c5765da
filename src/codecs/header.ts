/** Sniffs an original's format from its first bytes and reads its header (one parser per format: codecs/<format>/header.ts). */
import { ImageError } from '../pixels/errors';
import { ascii, invalid, u32be, u32le } from './binary';
import { avifHeader } from './avif/header';
import { bmpHeader } from './bmp/header';
import { gifHeader } from './gif/header';
import { jpegHeader } from './jpeg/header';
import { pngHeader } from './png/header';
import { tiffHeader } from './tiff/header';
import { webpHeader } from './webp/header';
import { isSvg, svgHeader } from './svg/header';

export type { ImageFormat, ImageHeader } from '../plan/steps';
import type { ImageHeader } from '../plan/steps';

/** Headers claiming more pixels than this are refused before any decoding (413). */
export const MAX_PIXELS = 100_000_000;
export const MAX_SIDE = 65_535;

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

/** An SVG's data:image/ raster, sized before it is rendered. */
function embeddedRaster(b: Uint8Array): ImageHeader {
  const h = readHeader(b);
  // What resvg decodes: any other format would be left out of the picture silently.
  if (h.format !== 'png' && h.format !== 'jpg' && h.format !== 'gif') throw new ImageError(`${h.format.toUpperCase()} (PNG, JPEG or GIF are drawn)`, 400);
  return h;
}

function sniff(b: Uint8Array): ImageHeader {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return jpegHeader(b);
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a)
    return pngHeader(b);
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return webpHeader(b);
  if (b.length >= 6 && (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')) return gifHeader(b);
  if (isBmp(b)) return bmpHeader(b);
  if (isTiff(b)) return tiffHeader(b);
  // ISO BMFF: AVIF is read; HEIF (HEVC) is recognised so that the answer says it is unsupported.
  if (b.length >= 12 && ascii(b, 4, 4) === 'ftyp') {
    const brands: string[] = [];
    for (let i = 8; i + 4 <= Math.min(b.length, u32be(b, 0)); i += 4) if (i !== 12) brands.push(ascii(b, i, 4)); // major, [minor version], compatible...
    if (brands.includes('avif') || brands.includes('avis')) return avifHeader(b, brands.includes('avis') && !brands.includes('avif'));
    if (brands.some((x) => /^(heic|heix|hevc|hevx|heim|heis|mif1|msf1)$/.test(x)))
      throw new ImageError(`HEIF originals (${brands[0]}) are not supported; upload JPEG, PNG, WebP, AVIF, GIF, BMP or TIFF`, 415);
  }
  if (isSvg(ascii(b, 0, 1024))) return svgHeader(b, embeddedRaster);
  throw invalid();
}

/** "BM" and a DIB header size that Windows defines (two bytes alone would match text). */
export const isBmp = (b: Uint8Array) => b.length >= 18 && b[0] === 0x42 && b[1] === 0x4d && [12, 40, 52, 56, 108, 124].includes(u32le(b, 14));
/** Little- or big-endian TIFF (42), or BigTIFF (43, refused by its header parser with a 415). */
export const isTiff = (b: Uint8Array) =>
  b.length >= 8 &&
  ((b[0] === 0x49 && b[1] === 0x49 && (b[2] === 42 || b[2] === 43) && b[3] === 0) ||
    (b[0] === 0x4d && b[1] === 0x4d && b[2] === 0 && (b[3] === 42 || b[3] === 43)));
