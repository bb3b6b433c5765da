// Own file = fresh isolate: the lossy encoders' memory on their worst content, per quality, each
// module's cases in increasing memory so that its high-water is the current case's.
import { expect, it } from 'vitest';
import { encodeCost } from '../../src/plan/cost/model';
import { encode } from '../../src/codecs/encode';
import { wasmMemory } from '../../src/kernels/memory';
import { solid } from './util';

// Binary noise (each sample 0 or 255) is the worst content measured for both lossy encoders; the
// cases run in increasing memory per module, so each module's high-water is this case's.
it.each([
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
  const module = format === 'jpg' ? 'jpegEnc' : 'webpEnc';
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
  console.log(`alpha noise webp ${w}x${h}: webpEnc ${(wasmMemory().webpEnc / 2 ** 20).toFixed(1)} MiB, model ${(cost / 2 ** 20).toFixed(1)} MiB`);
  expect(wasmMemory().webpEnc).toBeLessThanOrEqual(cost);
});
