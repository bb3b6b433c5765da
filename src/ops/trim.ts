import type { Raster, Rgba } from '../pixels/raster';
import { crop } from './crop';

/**
 * e_trim: the bounding box of the pixels that differ from the background by more than `tolerance`
 * percent of the largest RGB distance (ImageMagick's `-fuzz tol% -trim`), transparent pixels
 * counting as background. The background is `color`, else the top-left pixel. An image that is all
 * background is returned whole (nothing to trim to).
 */
export function trim(r: Raster, tolerance: number, color?: Rgba): Raster {
  const { width, height, data } = r;
  const bg = color ?? (Array.from(data.subarray(0, 4)) as unknown as Rgba);
  const limit = ((tolerance / 100) * Math.sqrt(3) * 255) ** 2;
  const isContent = (i: number) => {
    if (data[i + 3] === 0) return false;
    const dr = data[i] - bg[0];
    const dg = data[i + 1] - bg[1];
    const db = data[i + 2] - bg[2];
    return dr * dr + dg * dg + db * db > limit || (bg[3] === 0 && data[i + 3] > 0);
  };
  let top = height;
  let bottom = -1;
  let left = width;
  let right = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width * 4;
    let first = -1;
    for (let x = 0; x < width; x++)
      if (isContent(row + x * 4)) {
        first = x;
        break;
      }
    if (first < 0) continue;
    let last = first;
    for (let x = width - 1; x > first; x--)
      if (isContent(row + x * 4)) {
        last = x;
        break;
      }
    if (top === height) top = y;
    bottom = y;
    if (first < left) left = first;
    if (last > right) right = last;
  }
  if (bottom < 0) return r;
  return crop(r, left, top, right - left + 1, bottom - top + 1);
}
