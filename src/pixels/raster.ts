/** An 8-bit RGBA image in JS memory, rows top to bottom, stride width * 4. */
export interface Raster {
  width: number;
  height: number;
  data: Uint8Array;
  /** True when every alpha byte is 255; lets steps skip premultiplication and encoders drop alpha. */
  opaque: boolean;
}

export type { Rgba } from '../plan/steps';

export function createRaster(width: number, height: number, opaque: boolean): Raster {
  return { width, height, data: new Uint8Array(width * height * 4), opaque };
}
