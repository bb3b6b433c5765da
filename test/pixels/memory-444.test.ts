// Own file = fresh isolate: each encoder's wasm memory starts from nothing instantiated.
import { expect, it } from 'vitest';
import { encodeCost } from '../../src/plan/cost/model';
import { encode } from '../../src/codecs/encode';
import { readHeader } from '../../src/codecs/header';
import { wasmMemory } from '../../src/kernels/memory';
import { createRaster } from '../../src/pixels/raster';

/** Noise: the worst case for the entropy-coded output. */
function noise(width: number, height: number) {
  const r = createRaster(width, height, true);
  let s = 12345;
  for (let i = 0; i < r.data.length; i++) r.data[i] = i % 4 === 3 ? 255 : (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
  return r;
}

it('4:4:4 JPEG (q_<n>:444) stays within its cost, baseline and progressive', async () => {
  const [w, h] = [2000, 1500];
  const r = noise(w, h);
  const baseline = await encode(r, 'jpg', { quality: 100, chroma444: true });
  expect(readHeader(baseline)).toMatchObject({ width: w, height: h, sampling: '4:4:4' });
  expect(wasmMemory().jpegEnc).toBeLessThanOrEqual(encodeCost('jpg', w, h, false, false, { chroma444: true }));
  const progressive = await encode(r, 'jpg', { quality: 90, progressive: true, chroma444: true });
  expect(readHeader(progressive)).toMatchObject({ progressive: true, sampling: '4:4:4' });
  expect(wasmMemory().mozjpegEnc).toBeLessThanOrEqual(encodeCost('jpg', w, h, true, false, { chroma444: true }));
});
