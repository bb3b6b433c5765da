import { blur } from './blur';
import type { Raster } from '../pixels/raster';
import { detailRgba } from '../kernels/resample';

/**
 * Unsharp mask on R, G, B clamped to the range of each pixel's 3x3 neighbourhood (per channel):
 * edges get steeper but never overshoot their surroundings, so no halos (premium downscaling).
 * The clamp runs in the resample kernel (wasm/resample.c detail()).
 */
export function detail(r: Raster, sigma: number, amount: number): Raster {
  const blurred = blur({ ...r, opaque: true }, sigma).data; // colour only: no premultiply
  return { width: r.width, height: r.height, data: detailRgba(r.data, blurred, r.width, r.height, amount), opaque: r.opaque };
}
