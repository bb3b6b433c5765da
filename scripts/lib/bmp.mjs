// A BMP writer for test fixtures (sharp writes no BMP): the layouts codecs/bmp/decode.ts reads.
// Returns the file and the RGBA pixels a correct reader gets from it (palettes quantise).

/**
 * rgba: width*height*4 bytes, top row first. kind: 24 | 32 (BI_BITFIELDS with alpha, V4 header) |
 * 16 (565 bitfields) | 8 | 4 | 1 (grey palettes) | 'rle8' | 'rle4'. topDown: rows stored top first.
 */
export function bmp(rgba, width, height, kind, topDown = false) {
  const expected = Buffer.from(rgba);
  const bits = kind === 'rle8' ? 8 : kind === 'rle4' ? 4 : kind;
  const levels = bits <= 8 ? 1 << bits : 0;
  const grey = (i) => Math.round((0.299 * rgba[i] + 0.587 * rgba[i + 1] + 0.114 * rgba[i + 2]) / (255 / (levels - 1)));
  const index = new Uint8Array(width * height);
  for (let p = 0; p < width * height; p++) {
    const i = p * 4;
    if (levels) {
      index[p] = grey(i);
      const v = Math.round((index[p] * 255) / (levels - 1));
      expected.set([v, v, v, 255], i);
    } else if (bits === 16) {
      const [r, g, b] = [rgba[i] >> 3, rgba[i + 1] >> 2, rgba[i + 2] >> 3];
      expected.set([Math.round((r * 255) / 31), Math.round((g * 255) / 63), Math.round((b * 255) / 31), 255], i);
    } else if (bits === 24) expected[i + 3] = 255;
  }
  const dib = bits === 32 ? 108 : 40;
  const masks = bits === 16 ? [0xf800, 0x7e0, 0x1f] : bits === 32 ? [0xff0000, 0xff00, 0xff, 0xff000000] : [];
  const paletteBytes = levels * 4;
  const extraMasks = bits === 16 ? 12 : 0; // after a 40-byte header; a V4 header holds them
  const stride = Math.floor((width * bits + 31) / 32) * 4;
  const rows = [];
  for (let fy = 0; fy < height; fy++) {
    const y = topDown ? fy : height - 1 - fy;
    const row = Buffer.alloc(stride);
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const i = p * 4;
      if (levels) row[(x * bits) >> 3] |= index[p] << (8 - bits - ((x * bits) & 7));
      else if (bits === 16) row.writeUInt16LE(((rgba[i] >> 3) << 11) | ((rgba[i + 1] >> 2) << 5) | (rgba[i + 2] >> 3), x * 2);
      else if (bits === 24) row.set([rgba[i + 2], rgba[i + 1], rgba[i]], x * 3);
      else row.set([rgba[i + 2], rgba[i + 1], rgba[i], rgba[i + 3]], x * 4);
    }
    rows.push(kind === 'rle8' || kind === 'rle4' ? rle(index.subarray(y * width, (y + 1) * width), kind === 'rle4') : row);
  }
  const pixels = Buffer.concat([...rows, ...(kind === 'rle8' || kind === 'rle4' ? [Buffer.from([0, 1])] : [])]);
  const offset = 14 + dib + extraMasks + paletteBytes;
  const h = Buffer.alloc(offset);
  h.write('BM', 0, 'latin1');
  h.writeUInt32LE(offset + pixels.length, 2);
  h.writeUInt32LE(offset, 10);
  h.writeUInt32LE(dib, 14);
  h.writeInt32LE(width, 18);
  h.writeInt32LE(topDown ? -height : height, 22);
  h.writeUInt16LE(1, 26);
  h.writeUInt16LE(bits, 28);
  h.writeUInt32LE(kind === 'rle8' ? 1 : kind === 'rle4' ? 2 : masks.length ? 3 : 0, 30);
  h.writeUInt32LE(pixels.length, 34);
  h.writeUInt32LE(levels, 46);
  for (const [k, m] of masks.entries()) h.writeUInt32LE(m, 54 + k * 4);
  for (let k = 0; k < levels; k++) {
    const v = Math.round((k * 255) / (levels - 1));
    h.set([v, v, v, 0], 14 + dib + extraMasks + k * 4);
  }
  return { file: Buffer.concat([h, pixels]), expected };
}

/** One row of indices as BI_RLE8/BI_RLE4 encoded runs, then end of line. */
function rle(indices, four) {
  const out = [];
  for (let x = 0; x < indices.length; ) {
    let n = 1;
    while (x + n < indices.length && indices[x + n] === indices[x] && n < 255) n++;
    out.push(n, four ? (indices[x] << 4) | indices[x] : indices[x]);
    x += n;
  }
  out.push(0, 0);
  return Buffer.from(out);
}
