/**
 * Deterministic hostile originals: mutations of small fixtures and hand-written files whose
 * headers lie. Pure bytes (CompressionStream for zlib, which workerd and Node both have); the
 * caller supplies the fixtures.
 */
import { concatBytes as concat } from '../../../src/pixels/bytes';
import { mulberry32, nameHash, type Rng } from './prng';

export interface HostileImage {
  cls: ImageClass;
  name: string;
  bytes: Uint8Array;
}

export const IMAGE_CLASSES = [
  'truncate',
  'bitflip',
  'png-ihdr',
  'png-zbomb',
  'png-iccp-bomb',
  'png-16bit',
  'png-chunks',
  'gif-screen',
  'gif-frame-huge',
  'jpeg-sof',
  'jpeg-cmyk',
  'jpeg-progressive-huge',
  'webp-canvas',
] as const;
export type ImageClass = (typeof IMAGE_CLASSES)[number];

/** Fixtures (test/.fixtures) the mutations start from. */
export const BASES = [
  'small.jpg',
  'small-progressive.jpg',
  'blue-40x20.png',
  'sale_icon.png',
  'anim.gif',
  'still.gif',
  'lossy.webp',
  'small-lossless.webp',
  'small-alpha.webp',
  'cmyk.jpg',
  'photo.avif',
] as const;
export type Bases = Record<(typeof BASES)[number], Uint8Array>;

// ---- byte helpers ----------------------------------------------------------------------------

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(parts: Uint8Array[]): number {
  let c = 0xffffffff;
  for (const p of parts) for (let i = 0; i < p.length; i++) c = CRC_TABLE[(c ^ p[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const u32be = (n: number) => new Uint8Array([(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
const ascii = (s: string) => new Uint8Array([...s].map((c) => c.charCodeAt(0)));

export function pngChunk(type: string, data: Uint8Array, badCrc = false): Uint8Array {
  const t = ascii(type);
  const crc = crc32([t, data]);
  return concat([u32be(data.length), t, data, u32be(badCrc ? crc ^ 1 : crc)]);
}

const PNG_SIGNATURE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function ihdr(width: number, height: number, depth = 8, colorType = 2, interlace = 0): Uint8Array {
  return pngChunk('IHDR', concat([u32be(width), u32be(height), new Uint8Array([depth, colorType, 0, 0, interlace])]));
}

/** zlib (RFC 1950) of `total` bytes produced by repeating `unit`: the stream API keeps memory flat for bombs. */
export async function zlib(unit: Uint8Array, total = unit.length): Promise<Uint8Array> {
  const cs = new CompressionStream('deflate');
  const writer = cs.writable.getWriter();
  const done = new Response(cs.readable).arrayBuffer();
  for (let left = total; left > 0; left -= unit.length) await writer.write(left >= unit.length ? unit : unit.subarray(0, left));
  await writer.close();
  return new Uint8Array(await done);
}

/** Raw scanlines (filter byte 0 + samples) of a gradient image. */
function scanlines(width: number, height: number, bytesPerPixel: number): Uint8Array {
  const stride = width * bytesPerPixel + 1;
  const raw = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) for (let i = 1; i < stride; i++) raw[y * stride + i] = (y * 7 + i * 3) & 255;
  return raw;
}

export async function png(width: number, height: number, depth: number, colorType: number, extra: Uint8Array[] = [], data?: Uint8Array): Promise<Uint8Array> {
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[colorType] ?? 3;
  const bpp = Math.max(1, (channels * depth) / 8);
  const idat = data ?? (await zlib(scanlines(width, height, bpp)));
  const plte =
    colorType === 3
      ? [
          pngChunk(
            'PLTE',
            new Uint8Array(768).map((_, i) => i & 255),
          ),
        ]
      : [];
  return concat([PNG_SIGNATURE, ihdr(width, height, depth, colorType), ...plte, ...extra, pngChunk('IDAT', idat), pngChunk('IEND', new Uint8Array())]);
}

export function gif(screenW: number, screenH: number, frames: { x: number; y: number; w: number; h: number; lzw?: Uint8Array }[]): Uint8Array {
  const le = (n: number) => [n & 255, (n >> 8) & 255];
  // Global colour table of 2 entries; each frame: descriptor, min code size 2, data sub-blocks.
  const parts: number[] = [...ascii('GIF89a'), ...le(screenW), ...le(screenH), 0x80, 0, 0, 0, 0, 0, 255, 255, 255];
  for (const f of frames) {
    const lzw = f.lzw ?? new Uint8Array([0x44, 0x01]); // clear, index 0, end: one pixel
    parts.push(0x2c, ...le(f.x), ...le(f.y), ...le(f.w), ...le(f.h), 0, 2);
    for (let i = 0; i < lzw.length; i += 255) {
      const block = lzw.subarray(i, i + 255);
      parts.push(block.length, ...block);
    }
    parts.push(0);
  }
  parts.push(0x3b);
  return new Uint8Array(parts);
}

/** Offset of the first SOFn marker segment of a JPEG (its length field), or -1. */
function sofOffset(jpeg: Uint8Array): number {
  for (let i = 2; i + 4 < jpeg.length; ) {
    if (jpeg[i] !== 0xff) return -1;
    const m = jpeg[i + 1];
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) return i + 2;
    i += 2 + ((jpeg[i + 2] << 8) | jpeg[i + 3]);
  }
  return -1;
}

function withJpegSize(jpeg: Uint8Array, width: number, height: number): Uint8Array {
  const out = jpeg.slice();
  const at = sofOffset(out);
  if (at < 0) return out;
  out[at + 3] = (height >> 8) & 255;
  out[at + 4] = height & 255;
  out[at + 5] = (width >> 8) & 255;
  out[at + 6] = width & 255;
  return out;
}

const SIZES = [
  [0, 0],
  [0, 10],
  [10, 0],
  [1, 1],
  [65535, 65535],
  [65535, 1],
  [1, 65535],
  [30000, 30000],
  [10000, 10000],
  [12000, 8000],
  [8191, 8191],
  [4000, 3000],
  [401, 607],
  [199, 302],
  [16384, 16384],
] as const;

// ---- the classes -----------------------------------------------------------------------------

type Gen = (r: Rng, i: number, bases: Bases) => Promise<{ name: string; bytes: Uint8Array }>;

let bombCache: Promise<Uint8Array> | undefined;
/** 64 MiB of zeros, deflated once (~64 KiB). */
const zeroBomb = () => (bombCache ??= zlib(new Uint8Array(1 << 20), 64 << 20));

const GENERATORS: Record<ImageClass, Gen> = {
  async truncate(r, i, bases) {
    const name = BASES[i % BASES.length];
    const b = bases[name];
    // Inside the header often, anywhere else too.
    const at = r.chance(0.5) ? r.int(Math.min(b.length, 400)) : r.int(b.length);
    return { name: `${name} cut at ${at}`, bytes: b.slice(0, at) };
  },
  async bitflip(r, i, bases) {
    const name = BASES[i % BASES.length];
    const b = bases[name].slice();
    const n = 1 + r.int(24);
    for (let k = 0; k < n; k++) {
      const at = r.chance(0.6) ? r.int(Math.min(b.length, 512)) : r.int(b.length);
      b[at] ^= 1 << r.int(8);
    }
    return { name: `${name} ${n} bit flips (seed case ${i})`, bytes: b };
  },
  async 'png-ihdr'(r) {
    // IHDR sizes that disagree with the IDAT (16x16 RGB of data), and odd depth/colour pairs.
    const [w, h] = r.pick(SIZES);
    const depth = r.pick([1, 2, 4, 8, 16, 3, 0, 255]);
    const ct = r.pick([0, 2, 3, 4, 6, 1, 5, 7]);
    const data = await zlib(scanlines(16, 16, 3));
    const bytes = concat([PNG_SIGNATURE, ihdr(w, h, depth, ct, r.pick([0, 0, 1, 2])), pngChunk('IDAT', data), pngChunk('IEND', new Uint8Array())]);
    return { name: `PNG IHDR ${w}x${h} depth ${depth} type ${ct}, 16x16 of data`, bytes };
  },
  async 'png-zbomb'(r) {
    const bomb = await zeroBomb();
    const [w, h] = r.pick([
      [16, 16],
      [1000, 1000],
      [4096, 4096],
      [8000, 8000],
      [1, 65535],
      [65535, 1],
    ] as const);
    const ct = r.pick([0, 2, 6]);
    return { name: `PNG ${w}x${h} type ${ct}, IDAT inflating to 64 MiB`, bytes: await png(w, h, 8, ct, [], bomb) };
  },
  async 'png-iccp-bomb'(r) {
    const bomb = await zeroBomb();
    const profile = r.chance(0.5) ? bomb : bomb.subarray(0, r.int(bomb.length));
    const iccp = pngChunk('iCCP', concat([ascii('bomb'), new Uint8Array([0, 0]), profile]));
    return { name: `PNG 16x16 with an iCCP inflating to 64 MiB${profile === bomb ? '' : ' (cut)'}`, bytes: await png(16, 16, 8, 2, [iccp]) };
  },
  async 'png-16bit'(r) {
    const ct = r.pick([0, 2, 4, 6]);
    const [w, h] = r.pick([
      [1, 1],
      [17, 9],
      [64, 48],
      [3, 200],
    ] as const);
    return { name: `PNG ${w}x${h} 16-bit type ${ct}`, bytes: await png(w, h, 16, ct) };
  },
  async 'png-chunks'(r) {
    // Chunks out of order, duplicated, with bad CRCs or lengths past the end.
    const data = await zlib(scanlines(16, 16, 3));
    const idat = pngChunk('IDAT', data);
    const form = r.int(6);
    const parts =
      form === 0
        ? [PNG_SIGNATURE, pngChunk('IDAT', data), ihdr(16, 16)]
        : form === 1
          ? [PNG_SIGNATURE, ihdr(16, 16), ihdr(4000, 4000), idat]
          : form === 2
            ? [PNG_SIGNATURE, ihdr(16, 16), pngChunk('IDAT', data, true)]
            : form === 3
              ? [PNG_SIGNATURE, ihdr(16, 16), u32be(0x7fffffff), ascii('IDAT'), data]
              : form === 4
                ? [PNG_SIGNATURE, ihdr(16, 16), ...Array.from({ length: 300 }, () => pngChunk('IDAT', data.subarray(0, 1)))]
                : [PNG_SIGNATURE, ihdr(16, 16, 8, 3), idat]; // palette image without PLTE
    return { name: `PNG chunk layout ${form}`, bytes: concat([...parts, pngChunk('IEND', new Uint8Array())]) };
  },
  async 'gif-screen'(r) {
    const form = r.int(5);
    const [w, h] = r.pick(SIZES);
    if (form === 0) return { name: `GIF screen ${w}x${h}, one 1x1 frame`, bytes: gif(w, h, [{ x: 0, y: 0, w: 1, h: 1 }]) };
    if (form === 1) return { name: `GIF 1x1 screen, frame ${w}x${h} with 1 pixel of data`, bytes: gif(1, 1, [{ x: 0, y: 0, w, h }]) };
    if (form === 2) return { name: `GIF frame at 65000,65000`, bytes: gif(16, 16, [{ x: 65000, y: 65000, w: 16, h: 16 }]) };
    if (form === 3) {
      const n = r.pick([100, 1000, 5000]);
      return {
        name: `GIF ${w}x${h} with ${n} frames`,
        bytes: gif(
          Math.max(w, 1),
          Math.max(h, 1),
          Array.from({ length: n }, () => ({ x: 0, y: 0, w: 1, h: 1 })),
        ),
      };
    }
    const lzw = new Uint8Array(400).map(() => r.int(256));
    return { name: `GIF 64x64 with LZW garbage`, bytes: gif(64, 64, [{ x: 0, y: 0, w: 64, h: 64, lzw }]) };
  },
  async 'gif-frame-huge'(r, i) {
    // The header (logical screen) is small; the frame descriptor claims up to 65535x65535 with one pixel of data.
    // The first case is the costliest form, so a run of one case shows the bug.
    const [sw, sh] =
      i === 0
        ? [1, 1]
        : r.pick([
            [1, 1],
            [16, 16],
            [64, 48],
          ] as const);
    const [w, h] =
      i === 0
        ? [65535, 65535]
        : r.pick([
            [65535, 65535],
            [65535, 40000],
            [50000, 50000],
          ] as const);
    return { name: `GIF ${sw}x${sh} screen, frame ${w}x${h} with 1 pixel of data`, bytes: gif(sw, sh, [{ x: 0, y: 0, w, h }]) };
  },
  async 'jpeg-sof'(r, _i, bases) {
    const [w, h] = r.pick(SIZES);
    return { name: `small.jpg with SOF ${w}x${h}`, bytes: withJpegSize(bases['small.jpg'], w, h) };
  },
  async 'jpeg-cmyk'(r, _i, bases) {
    const [w, h] = r.chance(0.5) ? [64, 48] : r.pick(SIZES);
    return { name: `CMYK JPEG with SOF ${w}x${h}`, bytes: withJpegSize(bases['cmyk.jpg'], w, h) };
  },
  async 'jpeg-progressive-huge'(r, _i, bases) {
    const [w, h] = r.pick([
      [8000, 8000],
      [10000, 10000],
      [16383, 6000],
      [5000, 5000],
      [3000, 3000],
      [96, 64],
      [65535, 65535],
    ] as const);
    return { name: `progressive JPEG with SOF2 ${w}x${h} (96x64 of scans)`, bytes: withJpegSize(bases['small-progressive.jpg'], w, h) };
  },
  async 'webp-canvas'(r, _i, bases) {
    const form = r.int(4);
    const [w, h] = r.pick(SIZES);
    if (form === 0) {
      // VP8 (lossy) frame header: 14-bit sizes after the start code 9d 01 2a at offset 23.
      const b = bases['lossy.webp'].slice();
      const W = Math.min(w, 16383),
        H = Math.min(h, 16383);
      b[26] = W & 255;
      b[27] = (W >> 8) & 63;
      b[28] = H & 255;
      b[29] = (H >> 8) & 63;
      return { name: `lossy WebP with VP8 ${W}x${H}`, bytes: b };
    }
    if (form === 1) {
      // VP8X canvas (24-bit width-1, height-1 at 24 and 27) that disagrees with the frame.
      const b = bases['small-alpha.webp'].slice();
      const W = Math.max(w, 1) - 1,
        H = Math.max(h, 1) - 1;
      b[24] = W & 255;
      b[25] = (W >> 8) & 255;
      b[26] = (W >> 16) & 255;
      b[27] = H & 255;
      b[28] = (H >> 8) & 255;
      b[29] = (H >> 16) & 255;
      return { name: `VP8X WebP with canvas ${W + 1}x${H + 1} over a 48x48 frame`, bytes: b };
    }
    if (form === 2) {
      // VP8L: 14-bit width-1 and height-1 packed after the signature byte 0x2f at offset 20.
      const b = bases['small-lossless.webp'].slice();
      const W = Math.min(Math.max(w, 1), 16384) - 1,
        H = Math.min(Math.max(h, 1), 16384) - 1;
      const bits = W | (H << 14) | (((b[24] >> 4) & 1) << 28);
      b[21] = bits & 255;
      b[22] = (bits >> 8) & 255;
      b[23] = (bits >> 16) & 255;
      b[24] = (b[24] & 0xe0) | ((bits >> 24) & 0x1f);
      return { name: `lossless WebP with VP8L ${W + 1}x${H + 1}`, bytes: b };
    }
    // RIFF and chunk sizes that lie.
    const b = bases['lossy.webp'].slice();
    const size = r.pick([0, 1, 0xffffffff, 0x7fffffff, b.length * 4]);
    const at = r.pick([4, 16]);
    b[at] = size & 255;
    b[at + 1] = (size >> 8) & 255;
    b[at + 2] = (size >> 16) & 255;
    b[at + 3] = (size >>> 24) & 255;
    return { name: `lossy WebP with ${at === 4 ? 'RIFF' : 'VP8'} size ${size}`, bytes: b };
  },
};

/** `count` cases of a class; case i depends only on (seed, class, i). */
export async function hostileImages(seed: number, cls: ImageClass, count: number, bases: Bases): Promise<HostileImage[]> {
  const out: HostileImage[] = [];
  for (let i = 0; i < count; i++) {
    const { name, bytes } = await GENERATORS[cls](mulberry32((seed ^ nameHash(cls)) + i * 0x9e3779b1), i, bases);
    out.push({ cls, name, bytes });
  }
  return out;
}
