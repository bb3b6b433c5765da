/** TIFF → RGBA, one strip or tile at a time (codecs/tiff/header.ts says what is read). */
import { inflateZlibUpTo } from '../../kernels/deflate';
import { createRaster, type Raster } from '../../pixels/raster';
import { invalid } from '../binary';
import { type TiffLayout, tiffLayout } from './header';

export function decodeTiff(b: Uint8Array): Raster {
  const l = tiffLayout(b);
  const { width: w, height: h, samples: spp, tileWidth: tw, tileHeight: th } = l;
  const out = createRaster(w, h, !l.hasAlpha);
  const px = out.data;
  const across = Math.ceil(w / tw);
  for (let i = 0; i < l.offsets.length; i++) {
    const x0 = (i % across) * tw;
    const y0 = Math.floor(i / across) * th;
    // Strips: the last one holds only the rows left; tiles are always whole.
    const rows = tw === w ? Math.min(th, h - y0) : th;
    const raw = inflate(l, b.subarray(l.offsets[i], l.offsets[i] + l.byteCounts[i]), tw * rows * spp);
    if (l.predictor === 2) for (let y = 0; y < rows; y++) for (let k = y * tw * spp + spp; k < (y + 1) * tw * spp; k++) raw[k] = (raw[k] + raw[k - spp]) & 255;
    for (let y = 0; y < rows && y0 + y < h; y++)
      for (let x = 0; x < tw && x0 + x < w; x++) {
        const s = (y * tw + x) * spp;
        const o = ((y0 + y) * w + x0 + x) * 4;
        if (l.photometric === 2) {
          px[o] = raw[s];
          px[o + 1] = raw[s + 1];
          px[o + 2] = raw[s + 2];
        } else if (l.photometric === 3) {
          const p = l.palette!;
          px[o] = p[raw[s] * 3];
          px[o + 1] = p[raw[s] * 3 + 1];
          px[o + 2] = p[raw[s] * 3 + 2];
        } else {
          const v = l.photometric === 0 ? 255 - raw[s] : raw[s];
          px[o] = px[o + 1] = px[o + 2] = v;
        }
        const a = l.hasAlpha ? raw[s + spp - 1] : 255;
        px[o + 3] = a;
        if (l.premultiplied && a < 255) for (let c = 0; c < 3; c++) px[o + c] = a ? Math.min(255, Math.round((px[o + c] * 255) / a)) : 0;
      }
  }
  if (l.hasAlpha) out.opaque = px.every((v, i) => (i & 3) !== 3 || v === 255);
  return out;
}

/** One strip or tile, decompressed to exactly `size` bytes (a short one is an error, a long one is cut). */
function inflate(l: TiffLayout, data: Uint8Array, size: number): Uint8Array {
  if (l.compression === 1) {
    if (data.length < size) throw invalid('truncated TIFF strip');
    return data.slice(0, size);
  }
  if (l.compression === 32773) return packBits(data, size);
  if (l.compression === 5) return lzw(data, size);
  const raw = inflateZlibUpTo(data, size);
  if (!raw || raw.length < size) throw invalid('corrupt TIFF Deflate strip');
  return raw;
}

function packBits(d: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let i = 0,
    o = 0;
  while (o < size) {
    if (i >= d.length) throw invalid('truncated TIFF PackBits strip');
    const n = (d[i++] << 24) >> 24;
    if (n >= 0) {
      if (i + n + 1 > d.length) throw invalid('truncated TIFF PackBits strip');
      out.set(d.subarray(i, i + Math.min(n + 1, size - o)), o);
      o += n + 1;
      i += n + 1;
    } else if (n !== -128) {
      if (i >= d.length) throw invalid('truncated TIFF PackBits strip');
      out.fill(d[i++], o, Math.min(size, o - n + 1));
      o += -n + 1;
    }
  }
  return out;
}

/** TIFF's LZW: MSB-first codes of 9 to 12 bits, 256 clear, 257 end, the width growing one code early. */
function lzw(d: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  const prefix = new Int32Array(4096);
  const suffix = new Uint8Array(4096);
  const first = new Uint8Array(4096);
  const length = new Int32Array(4096);
  for (let i = 0; i < 256; i++) {
    suffix[i] = first[i] = i;
    length[i] = 1;
  }
  let next = 258,
    width = 9,
    prev = -1,
    o = 0,
    bitPos = 0;
  const totalBits = d.length * 8;
  while (o < size) {
    if (bitPos + width > totalBits) throw invalid('truncated TIFF LZW strip');
    let code = 0;
    for (let k = 0; k < width; k++, bitPos++) code = (code << 1) | ((d[bitPos >> 3] >> (7 - (bitPos & 7))) & 1);
    if (code === 257) break;
    if (code === 256) {
      next = 258;
      width = 9;
      prev = -1;
      continue;
    }
    let entry: number;
    if (code < next && (code < 256 || code >= 258)) entry = code;
    else if (code === next && prev >= 0) {
      // KwKwK: the previous string and its own first byte.
      prefix[next] = prev;
      suffix[next] = first[prev];
      first[next] = first[prev];
      length[next] = length[prev] + 1;
      entry = next++;
      prev = -2; // the entry is added
    } else throw invalid('corrupt TIFF LZW strip');
    if (prev >= 0 && next < 4096) {
      prefix[next] = prev;
      suffix[next] = first[entry];
      first[next] = first[prev];
      length[next] = length[prev] + 1;
      next++;
    }
    const n = length[entry];
    for (let k = n - 1, c = entry; k >= 0; k--, c = prefix[c]) if (o + k < size) out[o + k] = suffix[c];
    o += n;
    prev = entry;
    if (next + 1 >= 1 << width && width < 12) width++;
  }
  if (o < size) throw invalid('truncated TIFF LZW strip');
  return out;
}
