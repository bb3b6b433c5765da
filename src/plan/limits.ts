/**
 * Hard limits of one request, checked before anything is decoded. Chosen so that no URL a
 * Cloudinary user writes reaches them (README "Limits" compares them with Cloudinary's and
 * Cloudflare Images'), while a hostile URL is refused from arithmetic alone.
 */
import { CldError } from '../url/errors';
import { MAX_PIXELS_PER_SIDE } from '../url/values';
import type { Size } from './steps';

/** Largest width or height of any raster the chain computes, intermediates included (Cloudinary's w_/h_ maximum). */
export const MAX_SIDE = MAX_PIXELS_PER_SIDE;
/**
 * Largest area of any raster the chain computes after the decode (the original itself is bounded by
 * codecs/header.ts: 100 MP). Cloudinary's largest output is 25 MP; the memory budget refuses far
 * smaller rasters anyway, except streamed ones, which this bounds.
 */
export const MAX_AREA = 25_000_000;
export { checkComponentCount, MAX_COMPONENTS, MAX_PATH_LENGTH } from '../url/limits';

/**
 * Refuses a size that is not a positive integer within MAX_SIDE and MAX_AREA. Called on every size
 * the planner produces, before it is the input of the next step: chained relative sizes
 * (`w_100.0/w_100.0/...`) are stopped at the first step past the limit, long before they could
 * overflow to Infinity or NaN.
 */
export function checkSize(size: Size, what: string): void {
  const { width, height } = size;
  const ok = (v: number) => Number.isInteger(v) && v >= 1;
  if (!ok(width) || !ok(height)) throw new CldError(400, `Invalid transformation: ${what} has no valid size (${width}x${height})`);
  if (width > MAX_SIDE || height > MAX_SIDE)
    throw new CldError(400, `Image too large to process: ${what} would be ${width}x${height}, over the ${MAX_SIDE} px per side limit`);
  if (width * height > MAX_AREA)
    throw new CldError(
      400,
      `Image too large to process: ${what} would be ${width}x${height} (${((width * height) / 1e6).toFixed(1)} MP), over the ${MAX_AREA / 1e6} MP limit`,
    );
}
