/**
 * b_blurred: the padding shows a blurred copy of the image (breadth §3 "b_blurred", documented for
 * video; for images [unconfirmed]): the image scaled to cover the canvas and centred, blurred with
 * sigma (intensity / 20 px, as e_blur), its brightness shifted by brightness % of full scale
 * (-300 to 100; the mapping is [unconfirmed]), then the image pasted at (x, y) as c_pad does.
 */
import type { BlurredFill } from '../plan/steps';
import type { Raster } from '../pixels/raster';
import { blur } from './blur';
import { crop } from './crop';
import { resize } from './resize';

export function padBlurred(r: Raster, width: number, height: number, x: number, y: number, fill: BlurredFill): Raster {
  const cover = blurredCover(r, width, height, fill);
  const out = cover.data;
  const x0 = Math.max(0, x);
  const x1 = Math.min(width, x + r.width);
  for (let oy = Math.max(0, y); oy < Math.min(height, y + r.height); oy++) {
    if (x1 <= x0) break;
    const s = ((oy - y) * r.width + (x0 - x)) * 4;
    out.set(r.data.subarray(s, s + (x1 - x0) * 4), (oy * width + x0) * 4);
  }
  return { width, height, data: out, opaque: r.opaque };
}

/** The canvas-sized background: the image covering it, blurred and brightness-shifted (opaque when the image is). */
export function blurredCover(r: Raster, width: number, height: number, fill: BlurredFill): Raster {
  const s = coverScale(r, { width, height });
  const scaled = resize(r, Math.max(width, Math.round(r.width * s)), Math.max(height, Math.round(r.height * s)));
  const cropped = crop(scaled, Math.floor((scaled.width - width) / 2), Math.floor((scaled.height - height) / 2), width, height);
  const blurred = blur(cropped, fill.sigma);
  const shift = (fill.brightness * 255) / 100;
  if (shift !== 0) {
    const d = blurred.data;
    for (let i = 0; i < d.length; i += 4) {
      d[i] = Math.min(255, Math.max(0, d[i] + shift));
      d[i + 1] = Math.min(255, Math.max(0, d[i + 1] + shift));
      d[i + 2] = Math.min(255, Math.max(0, d[i + 2] + shift));
    }
  }
  return blurred;
}

export function coverScale(image: { width: number; height: number }, canvas: { width: number; height: number }): number {
  return Math.max(canvas.width / image.width, canvas.height / image.height);
}
