import { describe, expect, it } from 'vitest';
import { chooseQuality, mosaic } from '../../src/codecs/quality/auto-quality';
import { decodeAvif } from '../../src/codecs/avif/decode';
import { decode } from '../../src/codecs/decode';
import { encode } from '../../src/codecs/encode';
import { readHeader } from '../../src/codecs/header';
import { resize } from '../../src/ops/resize';
import { ssim } from '../../src/codecs/quality/ssim';
import { AUTO_TARGETS } from '../../src/codecs/quality/search';
import { coords, load } from '../pixels/util';

describe('q_auto search on pixels', () => {
  it('the mosaic copies full-resolution tiles', () => {
    const r = coords(1000, 700);
    const m = mosaic(r, 6 * 128 * 128);
    expect([m.width, m.height]).toEqual([384, 256]);
    // Each tile keeps a 1:1 pixel scale: neighbours differ by one in x.
    expect(m.data[4] - m.data[0]).toBe(1);
    expect(mosaic(r, 10 ** 6)).toBe(r);
  });

  for (const format of ['jpg', 'webp', 'avif'] as const) {
    it(`${format}: 800x600 photo, bounded probes and time, the full image lands near the target`, async () => {
      const photo = resize(await load('12mp.jpg', 4), 800, 600);
      await chooseQuality(photo, format, 'good'); // warm the codecs
      const t = performance.now();
      const { quality, probes } = await chooseQuality(photo, format, 'good');
      const ms = performance.now() - t;
      const bytes = await encode(photo, format, { quality });
      const back = format === 'avif' ? await decodeAvif(bytes) : await decode(bytes, readHeader(bytes));
      const full = ssim(photo, back);
      console.log(
        `q_auto:good ${format} 800x600: q${quality} after ${probes.length} probes (${probes.map(([q, s]) => `${q}:${s.toFixed(4)}`).join(' ')}), ${ms.toFixed(0)} ms; full image SSIM ${full.toFixed(4)}, ${bytes.length} B`,
      );
      expect(probes.length).toBeLessThanOrEqual(6);
      const { min, max, ssim: target } = AUTO_TARGETS.good;
      expect(quality).toBeGreaterThanOrEqual(min);
      expect(quality).toBeLessThanOrEqual(max);
      if (quality < max) expect(full).toBeGreaterThan(target - 0.015);
    });
  }
});
