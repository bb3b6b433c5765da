// Own file = fresh isolate: wasmMemoryTotal() starts from nothing instantiated.
import { expect, it } from 'vitest';
import { decodeCost, encodeCost } from '../../src/plan/cost/model';
import { decode } from '../../src/codecs/decode';
import { encode } from '../../src/codecs/encode';
import { readHeader } from '../../src/codecs/header';
import { resize } from '../../src/ops/resize';
import { wasmMemory, wasmMemoryTotal } from '../../src/kernels/memory';
import { fixture } from './util';

it('24 MP JPEG -> shrink 8 -> 800x600 -> JPEG q80 stays under 64 MB of wasm memory', async () => {
  const bytes = await fixture('24mp.jpg');
  const h = readHeader(bytes);
  expect(wasmMemoryTotal()).toBe(0);
  const r = await decode(bytes, h, 8);
  expect([r.width, r.height]).toEqual([750, 500]);
  const afterDecode = wasmMemory().jpegTurbo;
  expect(afterDecode).toBeLessThanOrEqual(decodeCost(h, 8, bytes.length));
  const out = await encode(resize(r, 800, 600), 'jpg', { quality: 80 });
  expect(readHeader(out)).toMatchObject({ width: 800, height: 600 });
  expect(wasmMemory().jpegEnc).toBeLessThanOrEqual(encodeCost('jpg', 800, 600));
  console.log('24 MP pipeline wasm memory', JSON.stringify(wasmMemory()), 'total', wasmMemoryTotal());
  expect(wasmMemoryTotal()).toBeLessThan(64 * 1024 * 1024);
});

it('decodeCost of the 24 MP progressive JPEG reflects the coefficient buffer, and bounds the real growth', async () => {
  const bytes = await fixture('24mp-progressive.jpg');
  const h = readHeader(bytes);
  const cost = decodeCost(h, 8, bytes.length);
  // 6000 x 4000 x 1.5 coefficients x 2 bytes = 72 MB, plus input and a small output.
  expect(cost).toBeGreaterThan(72e6);
  expect(cost).toBeLessThan(90e6);
  const r = await decode(bytes, h, 8);
  expect(r.width).toBe(750);
  console.log('24 MP progressive at 1/8: jpegTurbo', wasmMemory().jpegTurbo, 'model', cost);
  expect(wasmMemory().jpegTurbo).toBeGreaterThan(72e6); // the coefficient buffer is real
  expect(wasmMemory().jpegTurbo).toBeLessThanOrEqual(cost);
});
