// Own file = fresh isolate: the JPEG decoder's memory starts from its initial size.
import { expect, it } from 'vitest';
import { jpegRows } from '../../src/codecs/jpeg/decode';
import { readHeader } from '../../src/codecs/header';
import { wasmMemory } from '../../src/kernels/memory';
import { decodeCost } from '../../src/plan/cost/model';
import { fixture } from './util';

it('a 12 MP CMYK JPEG streams through its profile in bands: the decoder holds no full raster', async () => {
  const bytes = await fixture('12mp-cmyk.jpg');
  const h = readHeader(bytes);
  expect(h).toMatchObject({ width: 4000, height: 3000, components: 4 });
  const rows = jpegRows(bytes, 1, h.icc);
  let seen = 0;
  let sum = 0;
  try {
    while (seen < rows.height) {
      const band = rows.next();
      for (let i = 0; i < band.length; i += 4001 * 4) sum += band[i] + band[i + 3];
      seen += band.length / (rows.width * 4);
    }
  } finally {
    rows.close();
  }
  expect(seen).toBe(3000);
  expect(sum).toBeGreaterThan(0);
  const used = wasmMemory().jpegTurbo;
  const model = decodeCost(h, 1, bytes.length, true);
  console.log(`12 MP CMYK streamed: jpegTurbo ${(used / 2 ** 20).toFixed(1)} MiB, model ${(model / 2 ** 20).toFixed(1)} MiB (a full RGBA raster: 45.8 MiB)`);
  expect(used).toBeLessThanOrEqual(model);
  expect(used).toBeLessThan(4000 * 3000 * 4);
});
