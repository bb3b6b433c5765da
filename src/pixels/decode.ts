import { withPngStack } from './codecs';
import { decodePng } from './decode-png';
import { decodeGif } from './decode-gif';
import { decodeJpeg } from './decode-jpeg';
import { decodeWebp, isOpaque } from './decode-webp';
import { ImageError } from './errors';
import type { ImageHeader } from './header';
import type { Raster } from './raster';

/**
 * Decodes an image whose header was read by readHeader. JPEG honours shrink (DCT-domain 1/2,
 * 1/4, 1/8: output ceil(w/shrink) x ceil(h/shrink)); other formats ignore it and decode at full
 * size (chooseShrink returns 1 for them). EXIF orientation is not applied (see orient.ts).
 * Output is always 8-bit RGBA; 16-bit PNGs are reduced to 8 bits. Failures are ImageError.
 */
export async function decode(bytes: Uint8Array, header: ImageHeader, shrink: 1 | 2 | 4 | 8 = 1): Promise<Raster> {
  switch (header.format) {
    case 'jpg':
      return decodeJpeg(bytes, shrink);
    case 'png':
      return decodePng(bytes);
    case 'webp':
      return decodeWebp(bytes, header.width, header.height, header.animated);
    case 'gif':
      return decodeGif(bytes);
    default:
      throw new ImageError('Unsupported image format', 415);
  }
}

/** The previous decoder (squoosh's Rust `png` in wasm), kept for comparisons. */
export function decodePngSquoosh(bytes: Uint8Array, header: ImageHeader): Raster {
  let img;
  try {
    img = withPngStack((png) => png.decode(bytes));
  } catch {
    throw new ImageError('Invalid image file: corrupt PNG');
  }
  if (!img || img.width !== header.width || img.height !== header.height) throw new ImageError('Invalid image file: corrupt PNG');
  const data = new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength);
  return { width: img.width, height: img.height, data, opaque: header.hasAlpha ? isOpaque(data) : true };
}
