import type { Raster } from '../pixels/raster';
import { flip } from './flip';
import { rotate } from './rotate';

/**
 * Turns stored pixels into display orientation for EXIF orientation 1..8 (anything else: as is).
 * 2 mirror, 3 rotate 180, 4 flip vertical, 5 transpose, 6 rotate 90 cw, 7 transverse, 8 rotate 270 cw.
 */
export function orient(r: Raster, orientation: number): Raster {
  switch (orientation) {
    case 2:
      return flip(r, 'horizontal');
    case 3:
      return rotate(r, 180);
    case 4:
      return flip(r, 'vertical');
    case 5:
      return flip(rotate(r, 90), 'horizontal');
    case 6:
      return rotate(r, 90);
    case 7:
      return flip(rotate(r, 270), 'horizontal');
    case 8:
      return rotate(r, 270);
    default:
      return r;
  }
}
