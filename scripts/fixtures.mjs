// Generates the binary test fixtures in test/.fixtures/ (gitignored) from the public-domain
// sample images in samples/ (skimage data). Idempotent: a fixture that exists is not rebuilt,
// so a second run only stats files. Delete test/.fixtures/ to regenerate everything.
import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const out = join(root, 'test/.fixtures');
const samplesDir = existsSync(join(root, 'samples/astronaut.png'))
  ? join(root, 'samples')
  : '/usr/lib/python3/dist-packages/skimage/data';
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
  // ICC-tagged (pixels/icc.ts): Display P3 in each container, and sRGB's own profile. sharp converts
  // embedded profiles to sRGB when it decodes: the -ref.png of each is that (same bytes, re-made).
  'p3.jpg': async (s) => p3(s).jpeg({ quality: 95 }).toBuffer(),
  'p3.png': async (s) => p3(s).png().toBuffer(),
  'p3.webp': async (s) => p3(s).webp({ quality: 95 }).toBuffer(),
  'p3.jpg-ref.png': async (s) => s(await p3(s).jpeg({ quality: 95 }).toBuffer()).png().toBuffer(),
  'p3.png-ref.png': async (s) => s(await p3(s).png().toBuffer()).png().toBuffer(),
  'p3.webp-ref.png': async (s) => s(await p3(s).webp({ quality: 95 }).toBuffer()).png().toBuffer(),
  'srgb-tagged.jpg': async (s) => s(sample('coffee.png')).resize(300, 200).withIccProfile('srgb').jpeg({ quality: 95 }).toBuffer(),
  'medium-444.jpg': async (s) => s(sample('coffee.png')).jpeg({ quality: 90, chromaSubsampling: '4:4:4' }).toBuffer(),
  '12mp.jpg': async (s) => bigPhoto(s, 4000, 3000).then((b) => s(b.data, { raw: b.info }).jpeg({ quality: 90 }).toBuffer()),
  '24mp.jpg': async (s) => bigPhoto(s, 6000, 4000).then((b) => s(b.data, { raw: b.info }).jpeg({ quality: 90 }).toBuffer()),
  // The largest JPEG the issue accepts (shrink-on-load must make it fit).
  '50mp.jpg': async (s) => bigPhoto(s, 8640, 5760).then((b) => s(b.data, { raw: b.info }).jpeg({ quality: 80 }).toBuffer()),
  // A decompression bomb: 64 MP of black in a few hundred KB of PNG (PNG cannot shrink on load).
  'bomb.png': async (s) => s({ create: { width: 8000, height: 8000, channels: 3, background: 'black' } }).png().toBuffer(),
  '24mp-progressive.jpg': async (s) =>
    bigPhoto(s, 6000, 4000).then((b) => s(b.data, { raw: b.info }).jpeg({ quality: 90, progressive: true }).toBuffer()),
  // EXIF orientation: stored pixels are the astronaut turned so that applying the tag shows it upright.
  'orient6.jpg': async (s) => orient(s, 6),
  'orient3.jpg': async (s) => orient(s, 3),
  // What a viewer shows for them (sharp auto-orient), as lossless PNG.
  'orient6-ref.png': async (s) => s(await orient(s, 6)).rotate().png().toBuffer(),
  'orient3-ref.png': async (s) => s(await orient(s, 3)).rotate().png().toBuffer(),

  // ---- PNG --------------------------------------------------------------------------------
  'rgb.png': async (s) => s(sample('astronaut.png')).png().toBuffer(),
  'alpha.png': async (s) => withAlpha(s).then((b) => s(b.data, { raw: b.info }).png().toBuffer()),
  'rgb16.png': async (s) => s(sample('chelsea.png')).toColourspace('rgb16').png().toBuffer(),
  'palette.png': async (s) => s(sample('coffee.png')).png({ palette: true, colours: 64 }).toBuffer(),
  'palette-alpha.png': async (s) =>
    withAlpha(s).then((b) => s(b.data, { raw: b.info }).png({ palette: true, colours: 64 }).toBuffer()),
  'gray.png': async (s) => s(sample('astronaut.png')).toColourspace('b-w').png().toBuffer(),
  'apng.png': async () => apngStub(),

  // ---- WebP -------------------------------------------------------------------------------
  'lossy.webp': async (s) => s(sample('chelsea.png')).webp({ quality: 80 }).toBuffer(),
  'lossless.webp': async (s) => s(sample('coffee.png')).resize(200, 133).webp({ lossless: true }).toBuffer(),
  'alpha.webp': async (s) => withAlpha(s).then((b) => s(b.data, { raw: b.info }).webp({ quality: 80 }).toBuffer()),

  // ---- AVIF (sharp's libheif + aom: an encoder other than dprox's own) ----------------------
  'photo.avif': async (s) => s(sample('coffee.png')).avif({ quality: 60, effort: 2 }).toBuffer(),
  'photo-ref.png': async (s) => s(await s(sample('coffee.png')).avif({ quality: 60, effort: 2 }).toBuffer()).png().toBuffer(),
  'alpha.avif': async (s) => withAlpha(s).then((b) => s(b.data, { raw: b.info }).avif({ quality: 70, effort: 2 }).toBuffer()),
  '2mp.avif': async (s) => bigPhoto(s, 1600, 1200).then((b) => s(b.data, { raw: b.info }).avif({ quality: 70, effort: 2 }).toBuffer()),
  'anim.webp': async (s) => animated(s, 'webp'),

  // ---- GIF --------------------------------------------------------------------------------
  'still.gif': async (s) => s(sample('chelsea.png')).resize(150, 100).gif().toBuffer(),
  'alpha.gif': async (s) => withAlpha(s).then((b) => s(b.data, { raw: b.info }).resize(64, 64).gif().toBuffer()),
  'anim.gif': async (s) => animated(s, 'gif'),
  'still-ref.png': async (s) => s(await s(sample('chelsea.png')).resize(150, 100).gif().toBuffer()).png().toBuffer(),

  // ---- layers: the docs' DPR example (pepper is the coffee sample, see samples/NOTICE) -------
  'pepper.jpg': async (s) => s(sample('coffee.png')).jpeg({ quality: 90 }).toBuffer(),
  'sale_icon.png': async () => readFileSync(join(root, 'samples/sale_icon.png')),
  // An opaque 40x20 blue block and a half-transparent green one: exact colours for compositing checks.
  'blue-40x20.png': async (s) => s({ create: { width: 40, height: 20, channels: 4, background: { r: 0, g: 0, b: 255, alpha: 1 } } }).png().toBuffer(),
  'green-half.png': async (s) => s({ create: { width: 40, height: 20, channels: 4, background: { r: 0, g: 255, b: 0, alpha: 0.5 } } }).png().toBuffer(),

  // ---- sharp references for resize PSNR checks (inputs are lossless PNGs) --------------------
  // libjpeg-turbo (sharp) baseline 4:2:0 with optimised Huffman tables: the reference for encode-jpeg.ts.
  'ref-rgb-q80.jpg': async (s) => s(sample('astronaut.png')).jpeg({ quality: 80, optimiseCoding: true }).toBuffer(),
  'ref-rgb-q95.jpg': async (s) => s(sample('astronaut.png')).jpeg({ quality: 95, optimiseCoding: true }).toBuffer(),
  // astronaut at 1/4 (bicubic, as the SR model's training degradation): e_upscale should restore rgb.png better than c_scale.
  'astro-128.png': async (s) => s(sample('astronaut.png')).resize(128, 128, { kernel: 'cubic' }).png().toBuffer(),
  'ref-rgb-200x150.png': async (s) => s(sample('astronaut.png')).resize(200, 150, { fit: 'fill', kernel: 'lanczos3' }).png().toBuffer(),
  'ref-rgb-123x77.png': async (s) => s(sample('astronaut.png')).resize(123, 77, { fit: 'fill', kernel: 'lanczos3' }).png().toBuffer(),
  'ref-rgb-900x700.png': async (s) => s(sample('astronaut.png')).resize(900, 700, { fit: 'fill', kernel: 'lanczos3' }).png().toBuffer(),
  'ref-alpha-100x100.png': async (s) => s(await fixture('alpha.png')).resize(100, 100, { fit: 'fill', kernel: 'lanczos3' }).png().toBuffer(),
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
      data[i] = v < 0 ? 0 : v > 255 ? 255 : v;
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
      data[(y * 256 + x) * 4 + 3] = d < 80 ? 255 : d > 120 ? 0 : Math.round(255 * (120 - d) / 40);
    }
  return { data, info };
}

async function animated(s, fmt) {
  const frames = [];
  for (const c of [[255, 0, 0], [0, 255, 0], [0, 0, 255]])
    frames.push(await s({ create: { width: 48, height: 32, channels: 3, background: { r: c[0], g: c[1], b: c[2] } } }).png().toBuffer());
  const img = s(frames, { join: { animated: true } });
  return fmt === 'gif' ? img.gif({ delay: 100 }).toBuffer() : img.webp({ quality: 80, delay: 100 }).toBuffer();
}

/** A minimal APNG signature check fixture: a PNG with an acTL chunk before IDAT (one frame). */
async function apngStub() {
  const { default: sharp } = await import('sharp');
  const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#808080' } }).png().toBuffer();
  const acTL = chunk('acTL', Buffer.from([0, 0, 0, 1, 0, 0, 0, 0]));
  return Buffer.concat([png.subarray(0, 33), acTL, png.subarray(33)]); // after signature + IHDR
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

function crc32(buf) {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

let sharpMod;
async function ensure(name) {
  const path = join(out, name);
  if (existsSync(path)) return false;
  sharpMod ??= (await import('sharp')).default;
  sharpMod.concurrency(1);
  const data = await fixtures[name](sharpMod);
  writeFileSync(path + '.tmp', data);
  renameSync(path + '.tmp', path);
  return true;
}

mkdirSync(out, { recursive: true });
const t0 = Date.now();
let made = 0;
for (const name of Object.keys(fixtures)) if (await ensure(name)) made++;
console.log(`fixtures: ${made} generated, ${Object.keys(fixtures).length - made} up to date (${Date.now() - t0} ms)`);
