import { decodeAvif } from './avif/decode';
import { decodePng } from './png/decode';
import { decodeGif } from './gif/decode';
import { decodeJpeg } from './jpeg/decode';
import { decodeWebp } from './webp/decode';
import { decodeBmp } from './bmp/decode';
import { decodeTiff } from './tiff/decode';
import { decodeSvg } from './svg/decode';
import { ImageError } from '../pixels/errors';
import type { ImageHeader } from './header';
import type { Raster } from '../pixels/raster';
import type { Size } from '../plan/steps';

/**
 * Decodes an image whose header was read by readHeader. JPEG honours shrink (DCT-domain 1/2,
 * 1/4, 1/8: output ceil(w/shrink) x ceil(h/shrink)); other formats ignore it and decode at full
 * size (chooseShrink returns 1 for them). EXIF orientation is not applied (see orient.ts).
 * Output is always 8-bit RGBA; 16-bit PNGs are reduced to 8 bits (the high byte). PNG: decode-png.ts.
 * Failures are ImageError.
 */
export async function decode(bytes: Uint8Array, header: ImageHeader, shrink: 1 | 2 | 4 | 8 = 1, size?: Size): Promise<Raster> {
  switch (header.format) {
    case 'jpg':
      return decodeJpeg(bytes, shrink, header.icc);
    case 'png':
      return decodePng(bytes);
    case 'webp':
      return decodeWebp(bytes, header.width, header.height, header.animated);
    case 'gif':
      return decodeGif(bytes);
    case 'avif':
      return checked(await decodeAvif(bytes), header);
    case 'bmp':
      return checked(decodeBmp(bytes), header);
    case 'tiff':
      return checked(decodeTiff(bytes), header);
    case 'svg':
      // Rendered at the plan's decode size (plan.ts: the first resize's when the chain starts with one).
      return decodeSvg(bytes, header, size ?? header);
    default:
      throw new ImageError('Unsupported image format', 415);
  }
}

/** The decoded size must be the header's: the planner sized every step from it. */
function checked(r: Raster, header: ImageHeader): Raster {
  if (r.width !== header.width || r.height !== header.height)
    throw new ImageError(`Invalid image file: the ${header.format} decoded to ${r.width}x${r.height}, its header says ${header.width}x${header.height}`);
  return r;
}
