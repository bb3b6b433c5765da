/** The GIF header: size, alpha, orientation and what decoding it will cost, from the first bytes (codecs/header.ts sniffs the format). */
import { invalid, need, u16le } from '../binary';
import { checkGifFrame } from './decode';
import type { ImageHeader } from '../../plan/steps';

export function gifHeader(b: Uint8Array): ImageHeader {
  need(b, 13, 'GIF header');
  const width = u16le(b, 6);
  const height = u16le(b, 8);
  const flags = b[10];
  let pos = 13 + (flags & 0x80 ? 3 << ((flags & 7) + 1) : 0);
  let images = 0;
  let transparent = false;
  let firstCovers = true;
  // Indices the frames decode (what lands on the screen): the work of decoding every frame.
  let frameArea = 0;
  // Each step consumes at least one byte: bounded by the file length. Every frame is counted (the planner's frames x area budget).
  try {
    while (pos < b.length) {
      const block = b[pos++];
      if (block === 0x3b) break; // trailer
      if (block === 0x21) {
        need(b, pos + 1, 'GIF extension');
        const label = b[pos++];
        if (label === 0xf9 && images === 0 && pos + 2 <= b.length && b[pos] >= 4) transparent = (b[pos + 1] & 1) === 1;
        pos = skipSubBlocks(b, pos);
      } else if (block === 0x2c) {
        need(b, pos + 9, 'GIF image descriptor');
        const x = u16le(b, pos),
          y = u16le(b, pos + 2),
          w = u16le(b, pos + 4),
          h = u16le(b, pos + 6);
        if (images === 0) firstCovers = x === 0 && y === 0 && w >= width && h >= height;
        if (w === 0 || h === 0) throw invalid('empty GIF frame');
        frameArea += w * checkGifFrame({ x, y, width: w, height: h, interlaced: (b[pos + 8] & 0x40) !== 0 }, width, height);
        const f = b[pos + 8];
        pos += 9 + (f & 0x80 ? 3 << ((f & 7) + 1) : 0);
        need(b, pos + 1, 'GIF image');
        pos = skipSubBlocks(b, pos + 1); // LZW minimum code size, then data
        images++;
      } else {
        if (images > 0) break; // junk after the first frame: decoders stop there too
        throw invalid('bad GIF block');
      }
    }
  } catch (e) {
    // A truncated later frame ends the count: the decoder stops there too.
    if (images === 0) throw e;
  }
  if (images === 0) throw invalid('GIF without image');
  return {
    format: 'gif',
    width,
    height,
    hasAlpha: transparent || !firstCovers,
    orientation: 1,
    progressive: false,
    animated: images > 1,
    ...(images > 1 ? { frames: images, frameArea } : {}),
    components: 3,
  };
}

function skipSubBlocks(b: Uint8Array, pos: number): number {
  while (true) {
    need(b, pos + 1, 'GIF data');
    const n = b[pos];
    pos += 1 + n;
    if (n === 0) return pos;
  }
}
