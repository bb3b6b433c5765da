/** BMP → RGBA (codecs/bmp/header.ts says what is read). Truncated pixel data is an error, as libjpeg's warnings are. */
import { createRaster, type Raster } from '../../pixels/raster';
import { invalid } from '../binary';
import { bmpLayout } from './header';

export function decodeBmp(b: Uint8Array): Raster {
  const l = bmpLayout(b);
  const { width: w, height: h } = l;
  const stride = Math.floor((w * l.bitCount + 31) / 32) * 4;
  const rle = l.compression === 1 || l.compression === 2;
  // Before the raster is allocated: uncompressed rows must all be in the file.
  if (!rle && l.pixels + stride * (h - 1) + Math.ceil((w * l.bitCount) / 8) > b.length) throw invalid('truncated BMP pixel data');
  const out = createRaster(w, h, l.masks[3] === 0);
  const px = out.data;
  const palette = new Uint8Array(256 * 4).fill(255);
  for (let i = 0; i < l.paletteSize; i++) {
    const at = l.palette + i * l.paletteEntryBytes;
    palette[i * 4] = b[at + 2];
    palette[i * 4 + 1] = b[at + 1];
    palette[i * 4 + 2] = b[at];
  }
  const rowOf = (y: number) => (l.topDown ? y : h - 1 - y); // file row y -> image row
  if (rle) {
    decodeRle(b, l.pixels, w, h, l.compression === 2, (x, y, index) => {
      const o = (rowOf(y) * w + x) * 4;
      px[o] = palette[index * 4];
      px[o + 1] = palette[index * 4 + 1];
      px[o + 2] = palette[index * 4 + 2];
    });
    for (let i = 3; i < px.length; i += 4) px[i] = 255;
    return out;
  }
  const fields = l.masks.map(field);
  let opaque = true;
  for (let y = 0; y < h; y++) {
    const src = l.pixels + y * stride;
    let o = rowOf(y) * w * 4;
    for (let x = 0; x < w; x++, o += 4) {
      if (l.bitCount <= 8) {
        const bit = x * l.bitCount;
        const index = (b[src + (bit >> 3)] >> (8 - l.bitCount - (bit & 7))) & ((1 << l.bitCount) - 1);
        px[o] = palette[index * 4];
        px[o + 1] = palette[index * 4 + 1];
        px[o + 2] = palette[index * 4 + 2];
        px[o + 3] = 255;
      } else if (l.bitCount === 24) {
        const s = src + x * 3;
        px[o] = b[s + 2];
        px[o + 1] = b[s + 1];
        px[o + 2] = b[s];
        px[o + 3] = 255;
      } else {
        const s = src + (x * l.bitCount) / 8;
        const v = l.bitCount === 16 ? b[s] | (b[s + 1] << 8) : (b[s] | (b[s + 1] << 8) | (b[s + 2] << 16) | (b[s + 3] << 24)) >>> 0;
        px[o] = fields[0](v);
        px[o + 1] = fields[1](v);
        px[o + 2] = fields[2](v);
        px[o + 3] = l.masks[3] ? fields[3](v) : 255;
        if (px[o + 3] !== 255) opaque = false;
      }
    }
  }
  out.opaque = opaque;
  return out;
}

/** A bitfield mask → a reader scaling its bits to 0..255 (a zero mask reads 0). */
function field(mask: number): (v: number) => number {
  if (!mask) return () => 0;
  let shift = 0;
  while (!((mask >>> shift) & 1)) shift++;
  let bits = 0;
  while ((mask >>> (shift + bits)) & 1) bits++;
  const max = 2 ** bits - 1;
  return (v) => Math.round((((v & mask) >>> shift) * 255) / max);
}

/** BI_RLE8 / BI_RLE4, calling `put` for every decoded pixel in file row order (pixels not written stay black). */
function decodeRle(b: Uint8Array, at: number, w: number, h: number, four: boolean, put: (x: number, y: number, index: number) => void): void {
  let x = 0,
    y = 0;
  const emit = (index: number) => {
    if (x < w && y < h) put(x, y, index);
    x++;
  };
  // Each iteration reads at least 2 bytes: bounded by the file length.
  while (y < h) {
    if (at + 2 > b.length) throw invalid('truncated BMP RLE data');
    const n = b[at],
      v = b[at + 1];
    at += 2;
    if (n > 0) {
      for (let i = 0; i < n && x < w; i++) emit(four ? (i & 1 ? v & 15 : v >> 4) : v);
    } else if (v === 0) {
      x = 0;
      y++;
    } else if (v === 1) return;
    else if (v === 2) {
      if (at + 2 > b.length) throw invalid('truncated BMP RLE data');
      x += b[at];
      y += b[at + 1];
      at += 2;
    } else {
      const bytes = four ? Math.ceil(v / 2) : v;
      if (at + bytes > b.length) throw invalid('truncated BMP RLE data');
      for (let i = 0; i < v; i++) emit(four ? (i & 1 ? b[at + (i >> 1)] & 15 : b[at + (i >> 1)] >> 4) : b[at + i]);
      at += bytes + (bytes & 1);
    }
  }
}
