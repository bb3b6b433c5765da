import { avifDecoder } from '../jsquash';
import { isOpaque } from '../webp/decode';
import { ImageError } from '../../pixels/errors';
import type { Raster } from '../../pixels/raster';

/** Decodes a still AVIF (8-bit RGBA out; 10/12-bit images are reduced by libavif) with libavif + dav1d. */
export async function decodeAvif(bytes: Uint8Array): Promise<Raster> {
  let img;
  try {
    img = (await avifDecoder.get()).decode(bytes, 8);
  } catch {
    avifDecoder.reset();
    throw new ImageError('Invalid image file: AVIF decoding failed');
  }
  if (!img) throw new ImageError('Invalid image file: corrupt AVIF');
  const data = new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength);
  return { width: img.width, height: img.height, data, opaque: isOpaque(data) };
}
