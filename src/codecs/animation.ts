/** The frames of an animated original, one at a time, whatever its format (GIF, animated WebP). */
import { ImageError } from '../pixels/errors';
import type { Raster } from '../pixels/raster';
import { type FrameSource, gifFrames } from './gif/frames';
import type { ImageHeader } from './header';
import { webpFrames } from './webp/animation';

export type { AnimationFrame, FrameSource } from './gif/frames';

export function openFrames(bytes: Uint8Array, header: ImageHeader): FrameSource {
  if (header.format === 'gif') return gifFrames(bytes);
  if (header.format === 'webp' && header.animated) return webpFrames(bytes, header.width, header.height);
  throw new ImageError(`Frames of ${header.format} images are not supported`, 400);
}

/** Frame `index` (0-based) as shown: every frame before it composited. */
export async function frameAt(bytes: Uint8Array, header: ImageHeader, index: number): Promise<Raster> {
  const source = openFrames(bytes, header);
  for (let i = 0; ; i++) {
    const f = await source.next();
    if (!f) throw new ImageError(`Invalid image file: frame ${index + 1} is missing (${i} decoded)`);
    if (i === index) return f.raster;
  }
}
