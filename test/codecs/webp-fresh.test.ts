// Large WebP outputs (codecs/webp/encode.ts): the rows are written into a fresh encoder instance's
// heap where embind's copy of the argument goes, so that no JS raster of the output exists; the
// file must be the one the shared instance makes from a JS raster with the same settings.
import { expect, it } from 'vitest';
import { encode, encodeWebpRows, WEBP_DEFAULTS } from '../../src/codecs/encode';
import { webpEncoder } from '../../src/codecs/jsquash';
import { feeds } from '../../src/codecs/webp/encode';
import { decode } from '../../src/codecs/decode';
import { readHeader } from '../../src/codecs/header';
import { wasmMemory } from '../../src/kernels/memory';
import { rasterRows } from '../../src/pixels/rows';
import type { Raster } from '../../src/pixels/raster';

function picture(width: number, height: number, alpha: boolean): Raster {
  const data = new Uint8Array(width * height * 4);
  let seed = 3;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      const i = (y * width + x) * 4;
      data[i] = (x * 255) / width;
      data[i + 1] = (y * 255) / height;
      data[i + 2] = seed >>> 24;
      data[i + 3] = alpha ? (x + y) & 255 : 255;
    }
  return { width, height, data, opaque: !alpha };
}

it.each([
  [1201, 900, false],
  [1500, 1001, true],
] as const)('a %ix%i WebP (alpha %s) from rows in the fresh instance is the shared instance’s file', async (w, h, alpha) => {
  const r = picture(w, h, alpha);
  const before = feeds.heap;
  const fromRows = await encodeWebpRows(rasterRows({ ...r, data: r.data.slice() }), 80);
  expect(feeds.heap).toBe(before + 1);
  expect(feeds.copied).toBe(0);
  // The same encode from a JS raster in the shared instance (what encode() did before).
  const shared = await webpEncoder.get();
  const config = { ...WEBP_DEFAULTS, quality: 80, low_memory: 1 };
  const reference = shared.encode(r.data, w, h, config);
  expect(reference).not.toBeNull();
  expect(fromRows).toEqual(reference);
  const back = await decode(fromRows, readHeader(fromRows));
  expect([back.width, back.height, back.opaque]).toEqual([w, h, !alpha]);
  // Dropped after the encode: reported as a number, not a live instance.
  expect(wasmMemory().webpEncLarge).toBeGreaterThanOrEqual(16 * 2 ** 20);
});

it('encode() of a raster over WEBP_LOW_MEMORY_PIXELS goes through the fresh instance', async () => {
  const before = feeds.heap;
  const out = await encode(picture(1100, 1000, false), 'webp', { quality: 75 });
  expect(feeds.heap).toBe(before + 1);
  expect(readHeader(out).format).toBe('webp');
});
