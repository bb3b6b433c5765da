// Own file = fresh isolate. Cases run in increasing size so each module's memory (which never
// shrinks) is the high-water of the cases so far; the model must bound it every time.
import { describe, expect, it } from 'vitest';
import { chooseShrink, coefficientBytes, decodeCost, encodeCost, WASM_INITIAL, WEBP_LOW_MEMORY_PIXELS } from '../../src/plan/cost/model';
import { pngKernelBytes } from '../../src/plan/cost/png';
import { decode } from '../../src/codecs/decode';
import { encode } from '../../src/codecs/encode';
import { readHeader, type ImageHeader } from '../../src/codecs/header';
import { wasmMemory } from '../../src/kernels/memory';
import { fixture, solid } from './util';

const jpegHeader = (width: number, height: number, sampling = [2, 2, 1, 1, 1, 1]): ImageHeader => ({
  format: 'jpg',
  width,
  height,
  hasAlpha: false,
  orientation: 1,
  progressive: true,
  animated: false,
  components: 3,
  samplingFactors: sampling,
});

describe('cost model', () => {
  it('chooseShrink picks the largest scale that still covers the target, 1/8 only with a resize by 2 after it', () => {
    const h = jpegHeader(4000, 3000);
    expect(chooseShrink(h, 800, 600)).toBe(4);
    expect(chooseShrink(h, 500, 375)).toBe(4); // 1/8 would leave nothing for the filter
    expect(chooseShrink(h, 250, 187)).toBe(8);
    expect(chooseShrink(h, 251, 100)).toBe(4);
    expect(chooseShrink(h, 1000, 750)).toBe(4);
    expect(chooseShrink(h, 1001, 300)).toBe(2);
    expect(chooseShrink(h, 4000, 1)).toBe(1);
    expect(chooseShrink(jpegHeader(201, 99), 13, 6)).toBe(8); // ceil(201/8) = 26 = 2 x 13
    expect(chooseShrink({ ...h, format: 'png' }, 10, 10)).toBe(1);
  });

  it('coefficient bytes follow the sampling', () => {
    expect(coefficientBytes(jpegHeader(6000, 4000))).toBe(6000 * 4000 * 3);
    expect(coefficientBytes(jpegHeader(6000, 4000, [1, 1, 1, 1, 1, 1]))).toBe(6000 * 4000 * 6);
  });

  it.each([
    ['cmyk-icc.jpg', 1], // first: its 300x200 is the smallest JPEG here, and memory only grows
    ['medium.jpg', 1],
    ['12mp.jpg', 8],
    ['12mp.jpg', 4],
    ['12mp.jpg', 2],
    ['24mp-progressive.jpg', 4],
    ['12mp.jpg', 1],
    ['gray.png', 1],
    ['rgb16.png', 1],
    ['rgb.png', 1],
    ['kind-c6-d16-adam7.png', 1],
    ['photo-3mp-alpha.png', 1],
    ['lossless.webp', 1],
    ['lossy.webp', 1],
    ['alpha.webp', 1],
    ['photo.avif', 1],
    ['alpha.avif', 1],
    ['2mp.avif', 1],
  ] as const)('decode %s at 1/%i is bounded by decodeCost', async (name, shrink) => {
    const bytes = await fixture(name);
    const h = readHeader(bytes);
    await decode(bytes, h, shrink);
    const module = h.format === 'jpg' ? 'jpegTurbo' : h.format === 'png' ? 'pngUnfilter' : h.format === 'avif' ? 'avifDec' : 'webpDec';
    const cost = decodeCost(h, shrink, bytes.length);
    console.log(`${name} 1/${shrink}: ${module} ${(wasmMemory()[module] / 2 ** 20).toFixed(1)} MiB, model ${(cost / 2 ** 20).toFixed(1)} MiB`);
    expect(wasmMemory()[module]).toBeLessThanOrEqual(cost);
    // The PNG kernel's own share: its initial memory and one decode's bands, whatever the image's height.
    if (h.format === 'png') expect(wasmMemory().pngUnfilter).toBeLessThanOrEqual(WASM_INITIAL.pngUnfilter + pngKernelBytes(h.width) + 65536);
  });

  it.each([
    ['jpg', 800, 600],
    ['webp', 800, 600],
    ['jpg', 2000, 1500],
    ['webp', 2000, 1500],
    ['jpg', 3001, 1999],
    ['avif', 800, 600],
    ['avif', 1414, 1414], // ~AVIF_MAX_PIXELS: larger AVIF is encoded as WebP
  ] as const)('encode %s %ix%i is bounded by encodeCost', async (format, w, h) => {
    const r = solid(w, h, [0, 0, 0, 255]);
    for (let i = 0; i < r.data.length; i += 4) r.data[i] = (i * 2654435761) >>> 24; // noise: worst case
    await encode(r, format, { quality: 90 });
    // WebP over WEBP_LOW_MEMORY_PIXELS: a fresh instance per encode (codecs/webp/encode.ts).
    const module = format === 'jpg' ? 'jpegEnc' : format === 'avif' ? 'avifEnc' : w * h > WEBP_LOW_MEMORY_PIXELS ? 'webpEncLarge' : 'webpEnc';
    const cost = encodeCost(format, w, h);
    if (format === 'jpg') {
      // q100 noise: the worst case for the output area.
      await encode(r, 'jpg', { quality: 100 });
      expect(wasmMemory().jpegEnc).toBeLessThanOrEqual(cost);
      await encode(r, 'jpg', { quality: 90, progressive: true });
      expect(wasmMemory().mozjpegEnc).toBeLessThanOrEqual(encodeCost('jpg', w, h, true));
    }
    console.log(`encode ${format} ${w}x${h}: ${module} ${(wasmMemory()[module] / 2 ** 20).toFixed(1)} MiB, model ${(cost / 2 ** 20).toFixed(1)} MiB`);
    expect(wasmMemory()[module]).toBeLessThanOrEqual(cost);
  });
});
