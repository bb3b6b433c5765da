/** The AVIF header: size, alpha, orientation and what decoding it will cost, from the first bytes (codecs/header.ts sniffs the format). */
import { ascii, invalid, need, u16be, u32be } from '../binary';
import type { ImageHeader } from '../../plan/steps';

/** Boxes of an ISO BMFF container between `from` and `to`: [type, payload start, box end]. */
function* boxes(b: Uint8Array, from: number, to: number): Generator<[string, number, number]> {
  let pos = from;
  // Every box is at least 8 bytes: bounded by the length.
  while (pos + 8 <= to) {
    let size = u32be(b, pos);
    let header = 8;
    if (size === 1) {
      need(b, pos + 16, 'AVIF box');
      if (u32be(b, pos + 8) !== 0) throw invalid('AVIF box over 4 GB');
      size = u32be(b, pos + 12);
      header = 16;
    } else if (size === 0) size = to - pos; // to the end
    if (size < header || pos + size > to) throw invalid('truncated AVIF box');
    yield [ascii(b, pos + 4, 4), pos + header, pos + size];
    pos += size;
  }
}

/**
 * AVIF (HEIF with AV1): the primary item's `ispe` gives the size (a grid's ispe is the whole
 * canvas), an `auxC` alpha property marks transparency, `avis` without `avif` is an image sequence
 * (its first frame is decoded). `irot`/`imir` transforms are not applied (rare in AVIF).
 */
export function avifHeader(b: Uint8Array, sequence: boolean): ImageHeader {
  let meta: [number, number] | undefined;
  for (const [type, start, end] of boxes(b, 0, b.length)) if (type === 'meta') meta = [start + 4, end]; // full box
  if (!meta) throw invalid('AVIF without meta box');
  let primary = 0;
  let ipco: [number, number] | undefined;
  let ipma: [number, number] | undefined;
  for (const [type, start, end] of boxes(b, meta[0], meta[1])) {
    if (type === 'pitm') primary = b[start] === 0 ? u16be(b, start + 4) : u32be(b, start + 4);
    if (type === 'iprp') {
      for (const [t, s, e] of boxes(b, start, end)) {
        if (t === 'ipco') ipco = [s, e];
        if (t === 'ipma' && !ipma) ipma = [s, e];
      }
    }
  }
  if (!ipco) throw invalid('AVIF without item properties');
  const props: [string, number, number][] = [...boxes(b, ipco[0], ipco[1])];
  let hasAlpha = false;
  for (const [type, start, end] of props) {
    if (type === 'auxC' && /auxiliary:alpha|auxid:1/.test(ascii(b, start + 4, end - start - 4))) hasAlpha = true;
  }
  // The primary item's properties (ipma: 1-based indices into ipco), else the first ispe.
  let ispe = props.find(([t]) => t === 'ispe');
  if (ipma && primary) {
    const [s, e] = ipma;
    const version = b[s];
    const flags = b[s + 3];
    let pos = s + 4;
    need(b, pos + 4, 'AVIF ipma');
    const count = u32be(b, pos);
    pos += 4;
    for (let i = 0; i < count && pos < e; i++) {
      const item = version < 1 ? u16be(b, pos) : u32be(b, pos);
      pos += version < 1 ? 2 : 4;
      const n = b[pos++];
      for (let j = 0; j < n; j++) {
        const index = flags & 1 ? u16be(b, pos) & 0x7fff : b[pos] & 0x7f;
        pos += flags & 1 ? 2 : 1;
        if (item === primary && props[index - 1]?.[0] === 'ispe') ispe = props[index - 1];
      }
    }
  }
  if (!ispe) throw invalid('AVIF without image size');
  need(b, ispe[1] + 12, 'AVIF ispe');
  return {
    format: 'avif',
    width: u32be(b, ispe[1] + 4),
    height: u32be(b, ispe[1] + 8),
    hasAlpha,
    orientation: 1,
    progressive: false,
    animated: sequence,
    components: hasAlpha ? 4 : 3,
  };
}
