/** The PNG header: size, alpha, orientation and what decoding it will cost, from the first bytes (codecs/header.ts sniffs the format). */
import { ascii, invalid, need, u32be } from '../binary';
import type { ImageHeader } from '../../plan/steps';

export function pngHeader(b: Uint8Array): ImageHeader {
  need(b, 33, 'PNG header');
  if (u32be(b, 8) !== 13 || ascii(b, 12, 4) !== 'IHDR') throw invalid('PNG without IHDR');
  const width = u32be(b, 16);
  const height = u32be(b, 20);
  const depth = b[24];
  const colorType = b[25];
  const okDepth: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
  if (!okDepth[colorType]?.includes(depth)) throw invalid('bad PNG colour type or bit depth');
  if (b[26] !== 0 || b[27] !== 0 || b[28] > 1) throw invalid('bad PNG compression, filter or interlace');
  let trns = false;
  let animated = false;
  let sawData = false;
  let iccDeflated: Uint8Array | undefined;
  // Chunks before the first IDAT (each is >= 12 bytes, so this is bounded by the length).
  for (let pos = 33; pos + 8 <= b.length; ) {
    const len = u32be(b, pos);
    const type = ascii(b, pos + 4, 4);
    if (type === 'IDAT') {
      sawData = true;
      break;
    }
    if (type === 'IEND') break;
    if (type === 'tRNS') trns = true;
    if (type === 'iCCP' && pos + 8 + len <= b.length) {
      const data = b.subarray(pos + 8, pos + 8 + len);
      const nul = data.indexOf(0);
      if (nul > 0 && nul + 2 < data.length && data[nul + 1] === 0) iccDeflated = data.subarray(nul + 2);
    }
    if (type === 'acTL') animated = true;
    if (len > b.length) throw invalid('truncated PNG');
    pos += 12 + len;
  }
  if (!sawData) throw invalid('truncated PNG');
  const base = colorType === 0 ? 1 : colorType === 2 ? 3 : colorType === 3 ? 3 : colorType === 4 ? 2 : 4;
  return {
    format: 'png',
    width,
    height,
    hasAlpha: colorType === 4 || colorType === 6 || trns,
    orientation: 1,
    progressive: b[28] === 1,
    animated,
    components: trns && (colorType === 0 || colorType === 2 || colorType === 3) ? base + 1 : base,
    bitDepth: depth,
    ...(iccDeflated ? { iccDeflated } : {}),
  };
}
