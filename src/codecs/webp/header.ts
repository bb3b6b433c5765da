/** The WebP header: size, alpha, orientation and what decoding it will cost, from the first bytes (codecs/header.ts sniffs the format). */
import { ascii, invalid, need, u16le, u24le, u32le } from '../binary';
import type { ImageHeader } from '../../plan/steps';
import { countWebpFrames } from './animation';

export function webpHeader(b: Uint8Array): ImageHeader {
  need(b, 30, 'WebP header');
  const fourcc = ascii(b, 12, 4);
  const data = 20;
  const base = { format: 'webp' as const, orientation: 1, progressive: false };
  if (fourcc === 'VP8 ') {
    // Frame tag (3 bytes, bit 0 = 0 for key frames), start code 9d 01 2a, 14-bit sizes.
    if ((b[data] & 1) !== 0 || b[data + 3] !== 0x9d || b[data + 4] !== 0x01 || b[data + 5] !== 0x2a) throw invalid('bad VP8 frame');
    return { ...base, width: u16le(b, data + 6) & 0x3fff, height: u16le(b, data + 8) & 0x3fff, hasAlpha: false, animated: false, components: 3 };
  }
  if (fourcc === 'VP8L') {
    if (b[data] !== 0x2f) throw invalid('bad VP8L signature');
    const bits = u32le(b, data + 1);
    const width = (bits & 0x3fff) + 1;
    const height = ((bits >>> 14) & 0x3fff) + 1;
    const alpha = ((bits >>> 28) & 1) === 1;
    if (bits >>> 29 !== 0) throw invalid('bad VP8L version');
    return { ...base, width, height, hasAlpha: alpha, animated: false, components: alpha ? 4 : 3 };
  }
  if (fourcc === 'VP8X') {
    const flags = b[data];
    const alpha = (flags & 0x10) !== 0;
    // The ICCP chunk, when flagged, comes right after VP8X.
    const icc = flags & 0x20 && ascii(b, 30, 4) === 'ICCP' && 38 + u32le(b, 34) <= b.length ? b.subarray(38, 38 + u32le(b, 34)) : undefined;
    return {
      ...base,
      ...(icc ? { icc } : {}),
      width: u24le(b, data + 4) + 1,
      height: u24le(b, data + 7) + 1,
      hasAlpha: alpha,
      animated: (flags & 0x02) !== 0,
      ...(flags & 0x02 ? countWebpFrames(b) : {}),
      components: alpha ? 4 : 3,
    };
  }
  throw invalid('unknown WebP chunk');
}
