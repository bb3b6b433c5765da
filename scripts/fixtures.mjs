// Generates the binary test fixtures in test/.fixtures/ (gitignored) from the public-domain
// sample images in samples/ (skimage data). Idempotent: a fixture that exists is not rebuilt,
// so a second run only stats files. Delete test/.fixtures/ to regenerate everything.
import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { chunk } from './lib/png-chunk.mjs';
import { ycckJpeg } from './lib/ycck-jpeg.mjs';
import { bmp } from './lib/bmp.mjs';

const root = join(import.meta.dirname, '..');
const out = join(root, 'test/.fixtures');
const samplesDir = existsSync(join(root, 'samples/astronaut.png')) ? join(root, 'samples') : '/usr/lib/python3/dist-packages/skimage/data';
const sample = (name) => join(samplesDir, name);

/** coffee at 300x200 converted to Display P3, the profile embedded. */
const p3 = (s) => s(sample('coffee.png')).resize(300, 200).withIccProfile('p3');

/** name -> async () => Buffer | string */
const fixtures = {
  'hello.txt': async () => 'hello\n',

  // ---- JPEG -------------------------------------------------------------------------------
  'small.jpg': async (s) => s(sample('astronaut.png')).resize(200, 303, { fit: 'fill' }).jpeg({ quality: 85 }).toBuffer(),
  'medium.jpg': async (s) => s(sample('coffee.png')).resize(640, 427, { fit: 'fill' }).jpeg({ quality: 85 }).toBuffer(),
  'gray.jpg': async (s) => s(sample('astronaut.png')).resize(160, 120).toColourspace('b-w').jpeg({ quality: 85 }).toBuffer(),
  // ICC-tagged (ops/icc.ts): Display P3 in each container, and sRGB's own profile. sharp converts
  // embedded profiles to sRGB when it decodes: the -ref.png of each is that (same bytes, re-made).
  'p3.jpg': async (s) => p3(s).jpeg({ quality: 95 }).toBuffer(),
  'p3.png': async (s) => p3(s).png().toBuffer(),
  'p3.webp': async (s) => p3(s).webp({ quality: 95 }).toBuffer(),
  'p3.jpg-ref.png': async (s) =>
    s(await p3(s).jpeg({ quality: 95 }).toBuffer())
      .png()
      .toBuffer(),
  'p3.png-ref.png': async (s) =>
    s(await p3(s).png().toBuffer())
      .png()
      .toBuffer(),
  'p3.webp-ref.png': async (s) =>
    s(await p3(s).webp({ quality: 95 }).toBuffer())
      .png()
      .toBuffer(),
  'srgb-tagged.jpg': async (s) => s(sample('coffee.png')).resize(300, 200).withIccProfile('srgb').jpeg({ quality: 95 }).toBuffer(),
  'medium-444.jpg': async (s) => s(sample('coffee.png')).jpeg({ quality: 90, chromaSubsampling: '4:4:4' }).toBuffer(),
  // The Huffman decoder's table paths (src/kernels/libjpeg/jdhuff-wasm.patch): q100's large
  // coefficients (magnitudes past the one-lookup table), mozjpeg's optimised code lengths, a
  // progressive 4:4:4 scan; each with libjpeg-turbo's own decode (sharp) as a lossless PNG.
  ...Object.fromEntries(
    Object.entries({
      'huffman-q100': { quality: 100 },
      'huffman-mozjpeg': { quality: 70, mozjpeg: true },
      'huffman-444-progressive': { quality: 92, chromaSubsampling: '4:4:4', progressive: true },
    }).flatMap(([name, options]) => {
      const jpeg = (s) => s(sample('chelsea.png')).jpeg(options).toBuffer();
      return [
        [`${name}.jpg`, jpeg],
        [
          `${name}-ref.png`,
          async (s) =>
            s(await jpeg(s))
              .png()
              .toBuffer(),
        ],
      ];
    }),
  ),
  '12mp.jpg': async (s) => bigPhoto(s, 4000, 3000).then((b) => s(b.data, { raw: b.info }).jpeg({ quality: 90 }).toBuffer()),
  '24mp.jpg': async (s) => bigPhoto(s, 6000, 4000).then((b) => s(b.data, { raw: b.info }).jpeg({ quality: 90 }).toBuffer()),
  // The largest JPEG the issue accepts (shrink-on-load must make it fit).
  '50mp.jpg': async (s) => bigPhoto(s, 8640, 5760).then((b) => s(b.data, { raw: b.info }).jpeg({ quality: 80 }).toBuffer()),
  // 1000x750 photos in each input format: the originals of issue #15's replayed Cloudinary URLs (test/routes/memory-matrix.test.ts).
  'photo-1000.jpg': async (s) => bigPhoto(s, 1000, 750).then((b) => s(b.data, { raw: b.info }).jpeg({ quality: 85 }).toBuffer()),
  'photo-1000.png': async (s) => bigPhoto(s, 1000, 750).then((b) => s(b.data, { raw: b.info }).png().toBuffer()),
  'photo-1000.webp': async (s) => bigPhoto(s, 1000, 750).then((b) => s(b.data, { raw: b.info }).webp({ quality: 80 }).toBuffer()),
  // A decompression bomb: 64 MP of black in a few hundred KB of PNG (PNG cannot shrink on load).
  'bomb.png': async (s) =>
    s({ create: { width: 8000, height: 8000, channels: 3, background: 'black' } })
      .png()
      .toBuffer(),
  '24mp-progressive.jpg': async (s) => bigPhoto(s, 6000, 4000).then((b) => s(b.data, { raw: b.info }).jpeg({ quality: 90, progressive: true }).toBuffer()),
  // EXIF orientation: stored pixels are the astronaut turned so that applying the tag shows it upright.
  'orient6.jpg': async (s) => orient(s, 6),
  'orient3.jpg': async (s) => orient(s, 3),
  // What a viewer shows for them (sharp auto-orient), as lossless PNG.
  'orient6-ref.png': async (s) =>
    s(await orient(s, 6))
      .rotate()
      .png()
      .toBuffer(),
  'orient3-ref.png': async (s) =>
    s(await orient(s, 3))
      .rotate()
      .png()
      .toBuffer(),

  // ---- PNG --------------------------------------------------------------------------------
  'rgb.png': async (s) => s(sample('astronaut.png')).png().toBuffer(),
  'alpha.png': async (s) => withAlpha(s).then((b) => s(b.data, { raw: b.info }).png().toBuffer()),
  'rgb16.png': async (s) => s(sample('chelsea.png')).toColourspace('rgb16').png().toBuffer(),
  'palette.png': async (s) => s(sample('coffee.png')).png({ palette: true, colours: 64 }).toBuffer(),
  'palette-alpha.png': async (s) => withAlpha(s).then((b) => s(b.data, { raw: b.info }).png({ palette: true, colours: 64 }).toBuffer()),
  'gray.png': async (s) => s(sample('astronaut.png')).toColourspace('b-w').png().toBuffer(),
  'apng.png': async () => apngStub(),
  // Every colour type, bit depth, tRNS and palette, plain and Adam7, through our own writer
  // (pngKind below: every filter type on every pass); each with its sharp decode as RGBA8.
  ...pngKinds(),
  'alpha-interlaced.png': async (s) =>
    s(await fixture('alpha.png'))
      .png({ progressive: true })
      .toBuffer(),
  'alpha-interlaced.png.rgba': async (s) => sharpRgba(s, await fixture('alpha-interlaced.png')),
  'rgb16.png.rgba': async (s) => sharpRgba(s, await fixture('rgb16.png')),
  'palette-alpha.png.rgba': async (s) => sharpRgba(s, await fixture('palette-alpha.png')),
  'alpha.png.rgba': async (s) => sharpRgba(s, await fixture('alpha.png')),
  // 2000x1500 RGBA photo (Kodak kodim03 when present, else the astronaut) for decode timings.
  'photo-3mp-alpha.png': async (s) => {
    const kodak = join(root, '../shared/datasets/Kodak/kodim03.png');
    const src = existsSync(kodak) ? kodak : sample('astronaut.png');
    const { data, info } = await s(src).resize(2000, 1500, { fit: 'fill' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    for (let y = 0; y < 1500; y++)
      for (let x = 0; x < 2000; x++) data[(y * 2000 + x) * 4 + 3] = Math.max(0, Math.min(255, Math.round(255 * (1.6 - Math.hypot(x - 1000, y - 750) / 600))));
    return s(data, { raw: info }).png().toBuffer();
  },

  // ---- WebP -------------------------------------------------------------------------------
  'lossy.webp': async (s) => s(sample('chelsea.png')).webp({ quality: 80 }).toBuffer(),
  'lossless.webp': async (s) => s(sample('coffee.png')).resize(200, 133).webp({ lossless: true }).toBuffer(),
  'alpha.webp': async (s) => withAlpha(s).then((b) => s(b.data, { raw: b.info }).webp({ quality: 80 }).toBuffer()),

  // ---- AVIF (sharp's libheif + aom: an encoder other than dprox's own) ----------------------
  'photo.avif': async (s) => s(sample('coffee.png')).avif({ quality: 60, effort: 2 }).toBuffer(),
  'photo-ref.png': async (s) =>
    s(await s(sample('coffee.png')).avif({ quality: 60, effort: 2 }).toBuffer())
      .png()
      .toBuffer(),
  'alpha.avif': async (s) => withAlpha(s).then((b) => s(b.data, { raw: b.info }).avif({ quality: 70, effort: 2 }).toBuffer()),
  '2mp.avif': async (s) => bigPhoto(s, 1600, 1200).then((b) => s(b.data, { raw: b.info }).avif({ quality: 70, effort: 2 }).toBuffer()),
  'anim.webp': async (s) => animated(s, 'webp'),

  // ---- GIF --------------------------------------------------------------------------------
  'still.gif': async (s) => s(sample('chelsea.png')).resize(150, 100).gif().toBuffer(),
  'alpha.gif': async (s) => withAlpha(s).then((b) => s(b.data, { raw: b.info }).resize(64, 64).gif().toBuffer()),
  'anim.gif': async (s) => animated(s, 'gif'),
  // Six 160x120 crops of a photo panning right, delays 40-90 ms, looping 3 times (test/routes/animation.test.ts),
  // their raw frames kept as PNGs for references; the WebP lossless so that its frames are the same pixels.
  'anim-photo.gif': async (s) =>
    photoFrames(s).then((f) =>
      s(f.frames, { join: { animated: true } })
        .gif({ delay: f.delays, loop: 3 })
        .toBuffer(),
    ),
  'anim-photo.webp': async (s) =>
    photoFrames(s).then((f) =>
      s(f.frames, { join: { animated: true } })
        .webp({ lossless: true, delay: f.delays, loop: 3 })
        .toBuffer(),
    ),
  'anim-photo-3.png': async (s) => photoFrames(s).then((f) => s(f.frames[3]).png().toBuffer()),
  // sharp's (libnsgif's) decoding of the GIF's fourth frame, and that frame resized to 80x60 (Lanczos 3).
  'anim-photo.gif-3.png': async (s) =>
    s(
      await photoFrames(s).then((f) =>
        s(f.frames, { join: { animated: true } })
          .gif({ delay: f.delays, loop: 3 })
          .toBuffer(),
      ),
      { page: 3 },
    )
      .png()
      .toBuffer(),
  'anim-photo.gif-3-80.png': async (s) =>
    s(
      await photoFrames(s).then((f) =>
        s(f.frames, { join: { animated: true } })
          .gif({ delay: f.delays, loop: 3 })
          .toBuffer(),
      ),
      { page: 3 },
    )
      .resize(80, 60, { kernel: 'lanczos3' })
      .png()
      .toBuffer(),
  // 110 frames on a 1000x920 screen (101 MP of frames): a full first frame, then 1x1 patches.
  'anim-long.gif': async (s) => longGif(s, 110),
  'still-ref.png': async (s) =>
    s(await s(sample('chelsea.png')).resize(150, 100).gif().toBuffer())
      .png()
      .toBuffer(),

  // ---- layers: the docs' DPR example (pepper is the coffee sample, see samples/NOTICE) -------
  'pepper.jpg': async (s) => s(sample('coffee.png')).jpeg({ quality: 90 }).toBuffer(),
  'sale_icon.png': async () => readFileSync(join(root, 'samples/sale_icon.png')),
  // An opaque 40x20 blue block and a half-transparent green one: exact colours for compositing checks.
  'blue-40x20.png': async (s) =>
    s({ create: { width: 40, height: 20, channels: 4, background: { r: 0, g: 0, b: 255, alpha: 1 } } })
      .png()
      .toBuffer(),
  'green-half.png': async (s) =>
    s({ create: { width: 40, height: 20, channels: 4, background: { r: 0, g: 255, b: 0, alpha: 0.5 } } })
      .png()
      .toBuffer(),

  // ---- sharp references for resize PSNR checks (inputs are lossless PNGs) --------------------
  // libjpeg-turbo (sharp) baseline 4:2:0 with optimised Huffman tables: the reference for encode-jpeg.ts.
  'ref-rgb-q80.jpg': async (s) => s(sample('astronaut.png')).jpeg({ quality: 80, optimiseCoding: true }).toBuffer(),
  'ref-rgb-q95.jpg': async (s) => s(sample('astronaut.png')).jpeg({ quality: 95, optimiseCoding: true }).toBuffer(),
  // astronaut at 1/4 (bicubic, as the SR model's training degradation): e_upscale should restore rgb.png better than c_scale.
  'astro-128.png': async (s) => s(sample('astronaut.png')).resize(128, 128, { kernel: 'cubic' }).png().toBuffer(),
  'ref-rgb-200x150.png': async (s) => s(sample('astronaut.png')).resize(200, 150, { fit: 'fill', kernel: 'lanczos3' }).png().toBuffer(),
  'ref-rgb-123x77.png': async (s) => s(sample('astronaut.png')).resize(123, 77, { fit: 'fill', kernel: 'lanczos3' }).png().toBuffer(),
  'ref-rgb-900x700.png': async (s) => s(sample('astronaut.png')).resize(900, 700, { fit: 'fill', kernel: 'lanczos3' }).png().toBuffer(),
  'ref-alpha-100x100.png': async (s) =>
    s(await fixture('alpha.png'))
      .resize(100, 100, { fit: 'fill', kernel: 'lanczos3' })
      .png()
      .toBuffer(),
};

async function fixture(name) {
  await ensure(name);
  return readFileSync(join(out, name));
}

/** An astronaut upscaled to w x h with mild grain, so the JPEG has photo-like entropy. */
const bigCache = new Map();
async function bigPhoto(s, w, h) {
  const key = `${w}x${h}`;
  if (!bigCache.has(key)) {
    const { data, info } = await s(sample('astronaut.png')).resize(w, h, { fit: 'fill' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    let seed = 12345;
    for (let i = 0; i < data.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const v = data[i] + ((seed >>> 24) & 15) - 8;
      data[i] = v < 0 ? 0 : Math.min(v, 255);
    }
    bigCache.set(key, { data, info });
  }
  return bigCache.get(key);
}

async function orient(s, o) {
  // Store pixels rotated the opposite way, then tag them with orientation o.
  const upright = s(sample('astronaut.png')).resize(120, 80, { fit: 'fill' });
  const angle = o === 6 ? -90 : o === 3 ? 180 : 0;
  const stored = await upright.rotate(angle).jpeg({ quality: 95 }).toBuffer();
  return s(stored).withMetadata({ orientation: o }).jpeg({ quality: 95 }).toBuffer();
}

async function withAlpha(s) {
  const { data, info } = await s(sample('astronaut.png')).resize(256, 256).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  for (let y = 0; y < 256; y++)
    for (let x = 0; x < 256; x++) {
      const d = Math.hypot(x - 128, y - 128);
      data[(y * 256 + x) * 4 + 3] = d < 80 ? 255 : d > 120 ? 0 : Math.round((255 * (120 - d)) / 40);
    }
  return { data, info };
}

async function photoFrames(s) {
  const frames = [];
  for (let i = 0; i < 6; i++)
    frames.push(
      await s(sample('chelsea.png'))
        .extract({ left: i * 20, top: 40, width: 320, height: 240 })
        .resize(160, 120)
        .png()
        .toBuffer(),
    );
  return { frames, delays: [40, 50, 60, 70, 80, 90] };
}

/** A GIF of `n` frames: sharp's solid first frame, then n - 1 one-pixel frames (a GCE, a descriptor, a 2-colour table, one LZW code). */
async function longGif(s, n) {
  const first = await s({ create: { width: 1000, height: 920, channels: 3, background: { r: 200, g: 30, b: 30 } } })
    .gif()
    .toBuffer();
  const parts = [first.subarray(0, first.length - 1)];
  for (let i = 1; i < n; i++)
    parts.push(Buffer.from([0x21, 0xf9, 4, 4, 10, 0, 0, 0, 0x2c, i & 255, i >> 8, 0, 0, 1, 0, 1, 0, 0x80, 0, 0, 255, 255, 255, 255, 2, 2, 0x44, 0x01, 0]));
  parts.push(Buffer.from([0x3b]));
  return Buffer.concat(parts);
}

async function animated(s, fmt) {
  const frames = [];
  for (const c of [
    [255, 0, 0],
    [0, 255, 0],
    [0, 0, 255],
  ])
    frames.push(
      await s({ create: { width: 48, height: 32, channels: 3, background: { r: c[0], g: c[1], b: c[2] } } })
        .png()
        .toBuffer(),
    );
  const img = s(frames, { join: { animated: true } });
  return fmt === 'gif' ? img.gif({ delay: 100 }).toBuffer() : img.webp({ quality: 80, delay: 100 }).toBuffer();
}

/** The PNG kinds for pixel-exact decode tests (test/codecs/png.test.ts lists the same names). */
function pngKinds() {
  const kinds = [];
  for (const interlace of [0, 1])
    for (const [ct, depths] of [
      [0, [1, 2, 4, 8, 16]],
      [2, [8, 16]],
      [3, [1, 2, 4, 8]],
      [4, [8, 16]],
      [6, [8, 16]],
    ])
      for (const depth of depths)
        for (const trns of ct === 4 || ct === 6 ? [false] : [false, true])
          kinds.push({ name: `kind-c${ct}-d${depth}${trns ? '-trns' : ''}${interlace ? '-adam7' : ''}.png`, ct, depth, trns, interlace });
  const out = {};
  for (const k of kinds) {
    out[k.name] = async (s) => pngKind(s, k);
    out[`${k.name}.rgba`] = async (s) => sharpRgba(s, await fixture(k.name));
  }
  return out;
}

/** sharp's decode of a PNG as 8-bit RGBA (16-bit samples: the high byte). */
async function sharpRgba(s, png) {
  const meta = await s(png).metadata();
  const wide = meta.depth === 'ushort';
  // sharp works in 8 bits unless told to keep 16 (then raw ushort is the PNG's own samples).
  const img = wide ? s(png).toColourspace(meta.channels >= 3 ? 'rgb16' : 'grey16') : s(png);
  const { data, info } = await img.raw({ depth: wide ? 'ushort' : 'uchar' }).toBuffer({ resolveWithObject: true });
  const src = wide ? new Uint16Array(data.buffer, data.byteOffset, data.length / 2) : data;
  const px = info.width * info.height,
    ch = info.channels;
  const rgba = Buffer.alloc(px * 4);
  for (let i = 0; i < px; i++) {
    const v = (c) => (wide ? src[i * ch + c] >> 8 : src[i * ch + c]);
    const gray = ch <= 2;
    rgba[i * 4] = v(0);
    rgba[i * 4 + 1] = gray ? v(0) : v(1);
    rgba[i * 4 + 2] = gray ? v(0) : v(2);
    rgba[i * 4 + 3] = ch === 2 ? v(1) : ch === 4 ? v(3) : 255;
  }
  return rgba;
}

const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];

/** A 67x45 astronaut at one colour type and bit depth, written by hand: row filter = row number % 5, IDAT split in 500-byte chunks. */
async function pngKind(s, { ct, depth, trns, interlace }) {
  const { deflateSync } = await import('node:zlib');
  const w = 67,
    h = 45;
  const ch = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[ct];
  const { data: rgb } = await s(sample('astronaut.png')).resize(w, h, { fit: 'fill' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const max = (1 << depth) - 1;
  const samples = new Uint32Array(w * h * ch);
  for (let i = 0; i < w * h; i++) {
    const [r, g, b] = [rgb[i * 3], rgb[i * 3 + 1], rgb[i * 3 + 2]];
    const y = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    const a = Math.max(0, Math.min(255, Math.round(255 * (1.5 - Math.hypot((i % w) - w / 2, Math.floor(i / w) - h / 2) / 25))));
    // 16-bit: a varying low byte so that taking the high byte is checked.
    const deep = (v) => (depth === 16 ? v * 256 + ((i * 37 + v) & 255) : depth === 8 ? v : v >> (8 - depth));
    const vals =
      ct === 0
        ? [deep(y)]
        : ct === 2
          ? [deep(r), deep(g), deep(b)]
          : ct === 3
            ? [deep(y)]
            : ct === 4
              ? [deep(y), deep(a)]
              : [deep(r), deep(g), deep(b), deep(a)];
    samples.set(vals, i * ch);
  }
  // A tRNS key must match some pixels: the top-left 6x4 block takes pixel (10, 10)'s value.
  if (trns && ct !== 3)
    for (let y = 0; y < 4; y++) for (let x = 0; x < 6; x++) for (let c = 0; c < ch; c++) samples[(y * w + x) * ch + c] = samples[(10 * w + 10) * ch + c];
  const chunks = [];
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([depth, ct, 0, 0, interlace], 8);
  chunks.push(chunk('IHDR', ihdr));
  if (ct === 3) {
    const n = 1 << depth;
    const pal = Buffer.alloc(n * 3);
    for (let i = 0; i < n; i++) pal.set([(i * 255) / max, (i * 97) & 255, 255 - (i * 255) / max], i * 3);
    chunks.push(chunk('PLTE', pal));
    if (trns) chunks.push(chunk('tRNS', Buffer.from(Array.from({ length: Math.max(1, n >> 1) }, (_, i) => (i * 53) & 255))));
  } else if (trns) {
    const key = Buffer.alloc(ch * 2);
    for (let c = 0; c < ch; c++) key.writeUInt16BE(samples[(10 * w + 10) * ch + c], c * 2);
    chunks.push(chunk('tRNS', key));
  }
  const rows = [];
  let n = 0;
  for (const [x0, y0, dx, dy] of interlace ? ADAM7 : [[0, 0, 1, 1]]) {
    const pw = Math.ceil((w - x0) / dx),
      ph = Math.ceil((h - y0) / dy);
    if (pw <= 0 || ph <= 0) continue;
    const rb = Math.ceil((pw * ch * depth) / 8),
      bpp = Math.max(1, (ch * depth) >> 3);
    let prev = Buffer.alloc(rb);
    for (let py = 0; py < ph; py++) {
      const line = Buffer.alloc(rb);
      for (let px = 0; px < pw; px++)
        for (let c = 0; c < ch; c++) {
          const v = samples[((y0 + py * dy) * w + x0 + px * dx) * ch + c],
            i = px * ch + c;
          if (depth === 16) line.writeUInt16BE(v, i * 2);
          else if (depth === 8) line[i] = v;
          else line[(i * depth) >> 3] |= v << (8 - depth - ((i * depth) & 7));
        }
      const f = n++ % 5;
      const row = Buffer.alloc(rb + 1);
      row[0] = f;
      for (let i = 0; i < rb; i++) {
        const a = i >= bpp ? line[i - bpp] : 0,
          b = prev[i],
          c = i >= bpp ? prev[i - bpp] : 0;
        const p = a + b - c,
          pa = Math.abs(p - a),
          pb = Math.abs(p - b),
          pc = Math.abs(p - c);
        const pred = [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][f];
        row[i + 1] = (line[i] - pred) & 255;
      }
      rows.push(row);
      prev = line;
    }
  }
  const z = deflateSync(Buffer.concat(rows));
  for (let i = 0; i < z.length; i += 500) chunks.push(chunk('IDAT', z.subarray(i, i + 500)));
  chunks.push(chunk('IEND', Buffer.alloc(0)));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ...chunks]);
}

/** A minimal APNG signature check fixture: a PNG with an acTL chunk before IDAT (one frame). */
async function apngStub() {
  const { default: sharp } = await import('sharp');
  const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#808080' } })
    .png()
    .toBuffer();
  const acTL = chunk('acTL', Buffer.from([0, 0, 0, 1, 0, 0, 0, 0]));
  return Buffer.concat([png.subarray(0, 33), acTL, png.subarray(33)]); // after signature + IHDR
}

// Reliability (test/reliability/hostile-images.test.ts): small originals its generator mutates.
Object.assign(fixtures, {
  'cmyk.jpg': async (s) => s(sample('astronaut.png')).resize(64, 48).toColourspace('cmyk').jpeg({ quality: 80 }).toBuffer(),
  'small-progressive.jpg': async (s) => s(sample('coffee.png')).resize(96, 64).jpeg({ quality: 80, progressive: true }).toBuffer(),
  'small-lossless.webp': async (s) => s(sample('coffee.png')).resize(48, 32).webp({ lossless: true }).toBuffer(),
  'small-alpha.webp': async (s) => withAlpha(s).then((b) => s(b.data, { raw: b.info }).resize(48, 48).webp({ quality: 80, alphaQuality: 80 }).toBuffer()),
});

// CMYK JPEGs (codecs/jpeg/decode.ts, ops/icc-cmyk.ts): coffee in CMYK through libvips' own CMYK
// profile, embedded; the -ref.png is sharp's sRGB conversion through that profile (lcms2). The
// untagged one has the same pixels without the profile; its reference is the naive conversion of
// its CMYK samples as sharp reads them (a CMYK pipeline: no round trip through sRGB).
const cmykCoffee = (s) => s(sample('coffee.png')).resize(300, 200).toColourspace('cmyk').withIccProfile('cmyk').jpeg({ quality: 95 }).toBuffer();
Object.assign(fixtures, {
  'cmyk-icc.jpg': cmykCoffee,
  'cmyk-icc.jpg-ref.png': async (s) =>
    s(await cmykCoffee(s))
      .toColourspace('srgb')
      .png()
      .toBuffer(),
  'cmyk-untagged.jpg': async (s) => stripJpegIcc(await cmykCoffee(s)),
  'cmyk-untagged.jpg-ref.png': async (s) => {
    const { data, info } = await s(await cmykCoffee(s))
      .pipelineColourspace('cmyk')
      .toColourspace('cmyk')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 4) throw new Error(`expected CMYK samples, got ${info.channels} channels`);
    const rgb = Buffer.alloc(info.width * info.height * 3);
    for (let i = 0, o = 0; i < data.length; i += 4, o += 3) {
      const k = 255 - data[i + 3];
      for (let c = 0; c < 3; c++) rgb[o + c] = Math.round(((255 - data[i + c]) * k) / 255);
    }
    return s(rgb, { raw: { width: info.width, height: info.height, channels: 3 } })
      .png()
      .toBuffer();
  },
});

// YCCK (Photoshop's CMYK JPEG): the same inks and profile, written by scripts/lib/ycck-jpeg.mjs.
const ycckCoffee = async (s) => {
  const cmyk = await cmykCoffee(s);
  const { data, info } = await s(cmyk).pipelineColourspace('cmyk').toColourspace('cmyk').raw().toBuffer({ resolveWithObject: true });
  return ycckJpeg(data, info.width, info.height, (await s(cmyk).metadata()).icc);
};
fixtures['ycck-icc.jpg'] = ycckCoffee;
// test/pixels/memory-cmyk.test.ts: a 12 MP CMYK JPEG streams in bands like an RGB one.
fixtures['12mp-cmyk.jpg'] = async (s) =>
  bigPhoto(s, 4000, 3000).then((b) => s(b.data, { raw: b.info }).toColourspace('cmyk').withIccProfile('cmyk').jpeg({ quality: 85 }).toBuffer());
fixtures['ycck-icc.jpg-ref.png'] = async (s) =>
  s(await ycckCoffee(s))
    .toColourspace('srgb')
    .png()
    .toBuffer();

// BMP and TIFF originals (codecs/bmp, codecs/tiff): coffee at 120x80 with an alpha ramp in each
// layout; each -ref.png holds the pixels a correct reader gets (BMP palettes quantise to grey).
const rampRgba = async (s) => {
  const { data, info } = await s(sample('coffee.png')).resize(120, 80).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  for (let p = 0; p < info.width * info.height; p++) data[p * 4 + 3] = 55 + Math.round((200 * (p % info.width)) / (info.width - 1));
  return data;
};
const BMP_KINDS = {
  'bmp-24': [24],
  'bmp-24-topdown': [24, true],
  'bmp-32-alpha': [32, true],
  'bmp-16': [16],
  'bmp-8': [8],
  'bmp-4': [4],
  'bmp-1': [1],
  'bmp-rle8': ['rle8'],
  'bmp-rle4': ['rle4'],
};
for (const [name, [kind, topDown]] of Object.entries(BMP_KINDS)) {
  fixtures[`${name}.bmp`] = async (s) => bmp(await rampRgba(s), 120, 80, kind, topDown).file;
  fixtures[`${name}.bmp-ref.png`] = async (s) =>
    s(bmp(await rampRgba(s), 120, 80, kind, topDown).expected, { raw: { width: 120, height: 80, channels: 4 } })
      .png()
      .toBuffer();
}
const TIFF_KINDS = {
  'tiff-none': (t) => t.tiff({ compression: 'none' }),
  'tiff-lzw': (t) => t.tiff({ compression: 'lzw', predictor: 'none' }),
  'tiff-lzw-predictor': (t) => t.tiff({ compression: 'lzw', predictor: 'horizontal' }),
  'tiff-deflate': (t) => t.tiff({ compression: 'deflate', predictor: 'horizontal' }),
  'tiff-packbits': (t) => t.tiff({ compression: 'packbits' }),
  'tiff-tiled': (t) => t.tiff({ compression: 'deflate', tile: true, tileWidth: 32, tileHeight: 32 }),
  'tiff-rgba': (t) => t.ensureAlpha(0.6).tiff({ compression: 'lzw' }),
  'tiff-grey': (t) => t.toColourspace('b-w').tiff({ compression: 'deflate' }),
  'tiff-jpeg': (t) => t.tiff({ compression: 'jpeg' }),
  'tiff-16bit': (t) => t.toColourspace('rgb16').tiff({ compression: 'none' }),
  'tiff-orient6': (t) => t.withMetadata({ orientation: 6 }).tiff({ compression: 'lzw' }),
};
for (const [name, write] of Object.entries(TIFF_KINDS)) {
  fixtures[`${name}.tiff`] = async (s) => write(s(sample('coffee.png')).resize(120, 80)).toBuffer();
  fixtures[`${name}.tiff-ref.png`] = async (s) =>
    s(await write(s(sample('coffee.png')).resize(120, 80)).toBuffer())
      .png()
      .toBuffer();
}

// HEIC (HEVC in HEIF) is refused by its signature (codecs/header.ts): the ftyp box is enough.
fixtures['heic-stub.heic'] = async () => Buffer.from('\0\0\0\x18ftypheic\0\0\0\0mif1heic\0\0\0\x08mdat', 'latin1');

/** A JPEG without its APP2 ICC_PROFILE segments. */
function stripJpegIcc(jpeg) {
  const parts = [jpeg.subarray(0, 2)];
  let pos = 2;
  while (pos + 4 <= jpeg.length && jpeg[pos] === 0xff && jpeg[pos + 1] !== 0xda) {
    const len = jpeg.readUInt16BE(pos + 2);
    const isIcc = jpeg[pos + 1] === 0xe2 && jpeg.subarray(pos + 4, pos + 15).toString('latin1') === 'ICC_PROFILE';
    if (!isIcc) parts.push(jpeg.subarray(pos, pos + 2 + len));
    pos += 2 + len;
  }
  parts.push(jpeg.subarray(pos));
  return Buffer.concat(parts);
}

let sharpMod;
async function ensure(name) {
  const path = join(out, name);
  if (existsSync(path)) return false;
  sharpMod ??= (await import('sharp')).default;
  sharpMod.concurrency(1);
  const data = await fixtures[name](sharpMod);
  writeFileSync(`${path}.tmp`, data);
  renameSync(`${path}.tmp`, path);
  return true;
}

mkdirSync(out, { recursive: true });
const t0 = Date.now();
let made = 0;
for (const name of Object.keys(fixtures)) if (await ensure(name)) made++;
console.log(`fixtures: ${made} generated, ${Object.keys(fixtures).length - made} up to date (${Date.now() - t0} ms)`);
