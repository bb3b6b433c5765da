// The planner's hard limits: every size it computes is a finite integer within MAX_SIDE/MAX_AREA
// (or the plan is a 400), the work estimate grows with the work, and ordinary URLs fit with margin.
import { describe, expect, it } from 'vitest';
import type { ImageHeader } from '../../src/pixels/header';
import { MAX_AREA, MAX_COMPONENTS, MAX_SIDE } from '../../src/plan/limits';
import { MEMORY_BUDGET, buildPlan, type Plan } from '../../src/plan/plan';
import { WORK_BUDGET_NS } from '../../src/plan/work';
import { CldError } from '../../src/url/errors';
import { parseComponent } from '../../src/url/component';
import { resolveHints, validateDpr } from '../../src/plan/hints';
import { jpegHeader } from './helpers';

const pngHeader = (width: number, height: number): ImageHeader => ({ format: 'png', width, height, hasAlpha: false, orientation: 1, progressive: false, animated: false, components: 3, bitDepth: 8 });

function planOf(transformation: string, header: ImageHeader, output: Plan['output'] = { format: 'jpg', quality: 80, progressive: false }, premium = false): Plan {
  const parsed = transformation ? transformation.split('/').map(parseComponent) : [];
  validateDpr(parsed);
  const { components } = resolveHints(parsed, new Headers());
  // inputBytes as a q90 photo: ~0.5 B/px
  return buildPlan({ components, header, inputBytes: Math.ceil(header.width * header.height * 0.5), output, premium });
}

const refusal = (f: () => unknown): CldError => {
  try {
    f();
  } catch (e) {
    if (e instanceof CldError) return e;
    throw e;
  }
  throw new Error('not refused');
};

const ms = (ns: number) => `${(ns / 1e6).toFixed(0)} ms`;

describe('ordinary URLs fit the work budget with margin', () => {
  it.each([
    ['12 MP JPEG c_fill,w_800,h_600,q_80', jpegHeader(4000, 3000), 'c_fill,w_800,h_600,q_80', 'jpg'],
    ['12 MP JPEG w_800 WebP', jpegHeader(4000, 3000), 'w_800,q_75', 'webp'],
    ['3 MP PNG w_400', { ...pngHeader(2000, 1500), hasAlpha: true, components: 4 }, 'w_400', 'png'],
    ['24 MP JPEG w_2400', jpegHeader(6000, 4000), 'w_2400', 'jpg'],
    ['50 MP JPEG w_1000', jpegHeader(8660, 5774), 'w_1000', 'jpg'],
    ['2 MP JPEG c_fill,w_200,h_200 premium', jpegHeader(1200, 1800), 'c_fill,w_200,h_200', 'jpg', true],
    ['12 MP JPEG c_fill,w_1000,h_750,g_auto/e_sharpen WebP', jpegHeader(4000, 3000), 'c_fill,w_1000,h_750,g_auto/e_sharpen', 'webp'],
    ['12 MP JPEG c_fill,w_1000,h_1000/q_auto AVIF', jpegHeader(4000, 3000), 'c_fill,w_1000,h_1000/q_auto', 'avif'],
    ['2000x1500 JPEG e_blur:2000', jpegHeader(2000, 1500), 'e_blur:2000', 'jpg'], ['1600x1200 JPEG q_auto AVIF (the largest AVIF)', jpegHeader(1600, 1200), 'q_auto', 'avif'],
  ] as const)('%s', (_, header, t, format, premium = false) => {
    const p = planOf(t, header, { format, quality: 80, progressive: false, ...(t.includes('q_auto') ? { auto: 'good' as const } : {}) }, premium);
    console.log(`${_}: work ${ms(p.work)}, ${(p.peakBytes / 2 ** 20).toFixed(1)} MiB`);
    expect(p.work).toBeLessThan(WORK_BUDGET_NS / 2);
  });
});
