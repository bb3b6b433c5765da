// Own file = fresh isolate: the lossy encoders' memory on their worst content, per quality, each
// module's cases in increasing memory so that its high-water is the current case's.
import { expect, it } from 'vitest';
import { encodeCost } from '../../src/plan/cost/model';
import { encode } from '../../src/codecs/encode';
import { wasmMemory } from '../../src/kernels/memory';
import { decode } from '../../src/codecs/decode';
import { readHeader } from '../../src/codecs/header';
import { JPEG_STREAM_PIXELS, WEBP_LOW_MEMORY_PIXELS } from '../../src/plan/cost/model';
import { psnr, solid } from './util';

// Binary noise (each sample 0 or 255) is the worst content measured for both lossy encoders; the
// cases run in increasing memory per module, so each module's high-water is this case's.
it.each([
  ['jpg', 4000, 2001, 80], // over JPEG_STREAM_PIXELS: fixed tables, no coefficients
  ['jpg', 4000, 2001, 100],
  ['jpg', 2000, 1500, 75],
  ['jpg', 2000, 1500, 90],
  ['jpg', 2000, 1500, 100],
  ['webp', 500, 500, 75],
  ['webp', 800, 600, 90],
  ['webp', 1000, 1000, 100],
  ['webp', 2000, 1500, 100],
  ['webp', 2309, 1732, 100],
] as const)('encode %s %ix%i of binary noise at q%i is bounded by encodeCost at that quality', async (format, w, h, quality) => {
  const r = solid(w, h, [0, 0, 0, 255]);
  let seed = 1;
  for (let i = 0; i < r.data.length; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    if ((i & 3) !== 3) r.data[i] = (seed >>> 31) * 255;
  }
  await encode(r, format, { quality });
  // WebP over WEBP_LOW_MEMORY_PIXELS: a fresh instance per encode (codecs/webp/encode.ts).
  const module = format === 'jpg' ? 'jpegEnc' : w * h > WEBP_LOW_MEMORY_PIXELS ? 'webpEncLarge' : 'webpEnc';
  const cost = encodeCost(format, w, h, false, false, { quality, alpha: false });
  console.log(
    `binary noise ${format} ${w}x${h} q${quality}: ${module} ${(wasmMemory()[module] / 2 ** 20).toFixed(1)} MiB, model ${(cost / 2 ** 20).toFixed(1)} MiB`,
  );
  expect(wasmMemory()[module]).toBeLessThanOrEqual(cost);
});

it.each([
  [1000, 1000],
  [1500, 1000],
] as const)('encode webp %ix%i with a noise alpha plane is bounded by encodeCost with alpha', async (w, h) => {
  const r = solid(w, h, [0, 0, 0, 255]);
  let seed = 7;
  for (let i = 0; i < r.data.length; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    r.data[i] = seed >>> 24;
  }
  r.opaque = false;
  await encode(r, 'webp', { quality: 100 });
  const cost = encodeCost('webp', w, h, false, false, { quality: 100, alpha: true });
  const module = w * h > WEBP_LOW_MEMORY_PIXELS ? 'webpEncLarge' : 'webpEnc';
  console.log(`alpha noise webp ${w}x${h}: ${module} ${(wasmMemory()[module] / 2 ** 20).toFixed(1)} MiB, model ${(cost / 2 ** 20).toFixed(1)} MiB`);
  expect(wasmMemory()[module]).toBeLessThanOrEqual(cost);
});

it('a baseline JPEG over JPEG_STREAM_PIXELS (fixed tables, MCU row by row) decodes to the image', async () => {
  const w = 4000,
    h = 2001;
  expect(w * h).toBeGreaterThan(JPEG_STREAM_PIXELS);
  const r = solid(w, h, [0, 0, 0, 255]);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      r.data[i] = (x * 255) / w;
      r.data[i + 1] = (y * 255) / h;
      r.data[i + 2] = 128 + 100 * Math.sin(x / 40) * Math.cos(y / 30);
    }
  const bytes = await encode(r, 'jpg', { quality: 90 });
  const back = await decode(bytes, readHeader(bytes));
  expect([back.width, back.height]).toEqual([w, h]);
  const db = psnr(r, back);
  console.log(`fixed-table JPEG ${w}x${h} q90: ${bytes.length} bytes, PSNR ${db.toFixed(1)} dB`);
  expect(db).toBeGreaterThan(38);
});
