// Effects are defined in logical pixels: an effect at dpr_2.0, shown at its logical size (downscaled 2x),
// must look like the same effect at 1x. Measured by PSNR against the 1x result, and against the wrong
// answer (the same strength applied to a 2x-wide image without DPR scaling) to show the test can tell.
import { beforeAll, describe, expect, it } from 'vitest';
import { decode } from '../../src/codecs/decode';
import { resize } from '../../src/ops/resize';
import type { Raster } from '../../src/pixels/raster';
import { psnr } from '../pixels/util';
import { CLOUD, fixture, image, upload } from './worker';

const base = `/${CLOUD}/image/upload`;

beforeAll(async () => {
  await upload('dpr/coffee', await fixture('medium-444.jpg')); // 400x300, 4:4:4, full of edges
});

async function raster(path: string): Promise<Raster> {
  const { bytes, header } = await image(path);
  expect(header.format).toBe('png');
  return decode(bytes, header);
}

describe('effects scale with DPR', () => {
  // The floor is resampling noise (600->400->200 vs 600->200: ~46 dB), amplified by (1 + amount) for sharpening,
  // plus detail that only exists at 2x and that sharpening boosts before the downscale removes it.
  const cases: [string, number][] = [
    ['e_blur:300', 50],
    ['e_blur:100', 50],
    ['e_sharpen', 35],
    ['e_sharpen:400', 25],
    ['e_unsharp_mask', 34],
    ['e_unsharp_mask:300', 26],
  ];
  for (const [effect, minDb] of cases) {
    it(`${effect} at dpr_2.0, downscaled to 1x, matches ${effect} at 1x`, async () => {
      const oneX = await raster(`${base}/c_scale,w_200/${effect}/dpr/coffee.png`);
      const twoX = await raster(`${base}/c_scale,w_200/${effect}/dpr_2.0/dpr/coffee.png`);
      const unscaled = await raster(`${base}/c_scale,w_400/${effect}/dpr/coffee.png`);
      expect(twoX.width).toBe(400);
      const good = psnr(resize(twoX, oneX.width, oneX.height), oneX);
      const wrong = psnr(resize(unscaled, oneX.width, oneX.height), oneX);
      console.log(`${effect}: dpr-scaled ${good.toFixed(2)} dB, unscaled ${wrong.toFixed(2)} dB`);
      expect(good).toBeGreaterThan(minDb);
      expect(good).toBeGreaterThan(wrong + 3);
    });
  }
});
