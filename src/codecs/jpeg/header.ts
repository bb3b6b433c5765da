/** The JPEG header: size, alpha, orientation and what decoding it will cost, from the first bytes (codecs/header.ts sniffs the format). */
import { ascii, invalid, need, u16be, u16le, u32be, u32le } from '../binary';
import { ImageError } from '../../pixels/errors';
import { concatBytes } from '../../pixels/bytes';
import type { ImageHeader } from '../../plan/steps';

export function jpegHeader(b: Uint8Array): ImageHeader {
  let pos = 2;
  let orientation = 1;
  let sawExif = false;
  const icc: Uint8Array[] = [];
  // Every iteration advances pos by at least 1 byte, so this ends within b.length steps.
  while (pos < b.length) {
    if (b[pos] !== 0xff) throw invalid('JPEG marker expected');
    while (pos < b.length && b[pos] === 0xff) pos++; // fill bytes
    need(b, pos + 1, 'JPEG');
    const m = b[pos++];
    if (m === 0xd8 || m === 0x01 || (m >= 0xd0 && m <= 0xd7)) continue; // no length
    if (m === 0xd9 || m === 0xda) throw invalid('JPEG has no frame header');
    need(b, pos + 2, 'JPEG segment');
    const len = u16be(b, pos);
    if (len < 2) throw invalid('bad JPEG segment length');
    const start = pos + 2;
    const end = pos + len;
    need(b, end, 'JPEG segment');
    if (m === 0xe1 && !sawExif && len >= 8 && ascii(b, start, 4) === 'Exif' && b[start + 4] === 0 && b[start + 5] === 0) {
      sawExif = true;
      orientation = exifOrientation(b, start + 6, end);
    } else if (m === 0xe2 && len >= 16 && ascii(b, start, 11) === 'ICC_PROFILE' && b[start + 11] === 0) {
      icc[b[start + 12]] = b.subarray(start + 14, end); // chunks numbered from 1
    } else if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
      const frame = jpegFrame(b, m, start, end, orientation);
      const chunks = icc.filter(Boolean);
      return chunks.length ? { ...frame, icc: chunks.length === 1 ? chunks[0] : concatBytes(chunks) } : frame;
    }
    pos = end;
  }
  throw invalid('truncated JPEG');
}

function jpegFrame(b: Uint8Array, marker: number, start: number, end: number, orientation: number): ImageHeader {
  // libjpeg-turbo decodes baseline, extended and progressive DCT (Huffman or arithmetic);
  // lossless (SOF3/7/11/15) and hierarchical (SOF5-7, SOF13-15) frames are refused.
  if (![0xc0, 0xc1, 0xc2, 0xc9, 0xca].includes(marker)) throw new ImageError('Unsupported JPEG type', 415);
  if (end - start < 6) throw invalid('short JPEG frame header');
  const precision = b[start];
  if (precision !== 8) throw new ImageError(`Unsupported JPEG precision ${precision}`, 415);
  const height = u16be(b, start + 1);
  const width = u16be(b, start + 3);
  const components = b[start + 5];
  // 4: CMYK or YCCK, decoded to CMYK and converted to sRGB (codecs/jpeg/decode.ts).
  if (components !== 1 && components !== 3 && components !== 4) throw new ImageError(`Unsupported JPEG with ${components} components`, 415);
  if (end - start < 6 + components * 3) throw invalid('short JPEG frame header');
  const factors: number[] = [];
  for (let c = 0; c < components; c++) {
    const hv = b[start + 6 + c * 3 + 1];
    const hs = hv >> 4;
    const vs = hv & 15;
    if (hs < 1 || hs > 4 || vs < 1 || vs > 4) throw invalid('bad JPEG sampling factors');
    factors.push(hs, vs);
  }
  return {
    format: 'jpg',
    width,
    height,
    hasAlpha: false,
    orientation,
    progressive: marker === 0xc2 || marker === 0xca,
    animated: false,
    components,
    sampling: samplingName(factors),
    samplingFactors: factors,
  };
}

function samplingName(f: number[]): string {
  if (f.length === 2) return 'gray';
  if (f.length === 8) return `cmyk ${f[0]}x${f[1]},${f[2]}x${f[3]},${f[4]}x${f[5]},${f[6]}x${f[7]}`;
  const [h0, v0, h1, v1, h2, v2] = f;
  if (h1 === h2 && v1 === v2 && h1 === 1 && v1 === 1) {
    const key = `${h0}x${v0}`;
    const names: Record<string, string> = { '1x1': '4:4:4', '2x1': '4:2:2', '2x2': '4:2:0', '1x2': '4:4:0', '4x1': '4:1:1' };
    if (names[key]) return names[key];
  }
  const parts: string[] = [];
  for (let i = 0; i < f.length; i += 2) parts.push(`${f[i]}x${f[i + 1]}`);
  return parts.join(',');
}

/** Orientation tag (0x0112) of IFD0 in the TIFF structure at [tiff, end); 1 when absent or malformed. */
function exifOrientation(b: Uint8Array, tiff: number, end: number): number {
  if (tiff + 8 > end) return 1;
  const le = b[tiff] === 0x49 && b[tiff + 1] === 0x49;
  const be = b[tiff] === 0x4d && b[tiff + 1] === 0x4d;
  if (!le && !be) return 1;
  const r16 = (i: number) => (le ? u16le(b, i) : u16be(b, i));
  const r32 = (i: number) => (le ? u32le(b, i) : u32be(b, i));
  if (r16(tiff + 2) !== 42) return 1;
  const ifd = tiff + r32(tiff + 4);
  if (ifd + 2 > end || ifd < tiff) return 1;
  const count = r16(ifd);
  for (let i = 0; i < count; i++) {
    const e = ifd + 2 + i * 12;
    if (e + 12 > end) return 1;
    if (r16(e) === 0x0112) {
      const type = r16(e + 2);
      const v = type === 3 ? r16(e + 8) : type === 4 ? r32(e + 8) : 0;
      return v >= 1 && v <= 8 ? v : 1;
    }
  }
  return 1;
}
