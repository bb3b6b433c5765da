import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../src/plan/plan';
import { streaming } from '../../src/plan/stream';
import { parseComponent } from '../../src/url/component';
import { jpegHeader } from './helpers';

const planOf = (
  t: string,
  header = jpegHeader(6000, 4000),
  output: { format: 'jpg' | 'webp'; quality: number; progressive: boolean; auto?: 'good' } = { format: 'jpg', quality: 80, progressive: false },
) => buildPlan({ components: t.split('/').map(parseComponent), header, inputBytes: 2_500_000, output });

describe('streamed steps', () => {
  it('decode, resizes and crops stream into a baseline JPEG encode', () => {
    const p = planOf('c_fill,w_800,h_500');
    expect(p.steps.map((s) => s.op)).toEqual(['decode', 'resize', 'crop', 'encode']);
    expect(streaming(p.steps)).toEqual({ steps: 3, encode: true });
  });

  it('stop at the first step that needs the whole image; WebP up to 1 MP, progressive and q_auto encode a raster', () => {
    expect(streaming(planOf('w_800/e_sharpen').steps)).toEqual({ steps: 2, encode: false });
    expect(streaming(planOf('w_800', undefined, { format: 'webp', quality: 80, progressive: false }).steps)).toEqual({ steps: 2, encode: false });
    expect(streaming(planOf('w_800', undefined, { format: 'jpg', quality: 80, progressive: true }).steps)).toEqual({ steps: 2, encode: false });
    expect(streaming(planOf('w_800', undefined, { format: 'jpg', quality: 80, progressive: false, auto: 'good' }).steps)).toEqual({ steps: 2, encode: false });
  });

  it('a WebP over WEBP_LOW_MEMORY_PIXELS at a fixed quality takes the rows into its fresh encoder (codecs/webp/encode.ts)', () => {
    const webp = { format: 'webp', quality: 80, progressive: false } as const;
    const header = jpegHeader(1000, 750);
    expect(streaming(planOf('w_1300', header, webp).steps)).toEqual({ steps: 2, encode: true });
    expect(streaming(planOf('w_1300', header, { ...webp, auto: 'good' }).steps)).toEqual({ steps: 2, encode: false });
    expect(streaming(planOf('w_1300/e_sharpen', header, webp).steps)).toEqual({ steps: 2, encode: false });
  });

  it('an embedded ICC profile converts in the stream', () => {
    const p = planOf('w_800', jpegHeader(6000, 4000, { icc: new Uint8Array(600) }));
    expect(p.steps.map((s) => s.op)).toEqual(['decode', 'icc', 'resize', 'encode']);
    expect(streaming(p.steps)).toEqual({ steps: 3, encode: true });
  });

  it('streaming keeps a 24 MP -> 2400 px JPEG well under the budget; through an effect the rasters count', () => {
    const streamed = planOf('w_2400').peakBytes;
    const rasters = planOf('w_1600/e_sharpen').peakBytes;
    console.log(`24 MP -> w_2400: ${(streamed / 2 ** 20).toFixed(1)} MiB streamed; -> w_1600/e_sharpen ${(rasters / 2 ** 20).toFixed(1)} MiB`);
    expect(streamed).toBeLessThan(60 * 2 ** 20);
    // The raster, the blur filter's copy of it and its output, and that output's JS copy, which the sharpened result overwrites.
    expect(rasters).toBeGreaterThanOrEqual(planOf('w_1600').peakBytes + 1600 * 1067 * 4 * 4);
  });

  it("a progressive JPEG's full-size coefficients count whatever the scale: 50 MP progressive is refused even for a thumbnail", () => {
    expect(() => planOf('w_100', jpegHeader(8660, 5774, { progressive: true }))).toThrow(/too large to process.*\(progressive\)/);
    expect(planOf('w_100', jpegHeader(8660, 5774)).width).toBe(100);
  });
});

describe('the ICC step in the estimate', () => {
  it('costs no raster: a tagged original plans like an untagged one', () => {
    const tagged = planOf('w_2400', jpegHeader(6000, 4000, { icc: new Uint8Array(600) }));
    expect(tagged.peakBytes).toBe(planOf('w_2400').peakBytes);
  });
});
