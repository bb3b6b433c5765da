// The planner's hard limits: every size it computes is a finite integer within MAX_SIDE/MAX_AREA
// (or the plan is a 400), the work estimate grows with the work, and ordinary URLs fit with margin.
import { describe, expect, it } from 'vitest';
import type { ImageHeader } from '../../src/codecs/header';
import { MAX_AREA, MAX_COMPONENTS, MAX_SIDE } from '../../src/plan/limits';
import { MEMORY_BUDGET, buildPlan, type Plan } from '../../src/plan/plan';
import { stepWork } from '../../src/plan/cost/work';
import { WORK_BUDGET_NS } from '../../src/plan/cost/work';
import { CldError } from '../../src/url/errors';
import { parseComponent } from '../../src/url/component';
import { resolveHints } from '../../src/plan/hints';
import { jpegHeader } from './helpers';

const pngHeader = (width: number, height: number): ImageHeader => ({
  format: 'png',
  width,
  height,
  hasAlpha: false,
  orientation: 1,
  progressive: false,
  animated: false,
  components: 3,
  bitDepth: 8,
});

function planOf(
  transformation: string,
  header: ImageHeader,
  output: Plan['output'] = { format: 'jpg', quality: 80, progressive: false },
  premium = false,
): Plan {
  const parsed = transformation ? transformation.split('/').map(parseComponent) : [];
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

// Margin: the budget over the estimate. AVIF's encoder is the slowest step dprox has (plan/output.ts
// caps AVIF at 2 MP for that reason), so AVIF cases get less, as does the strongest blur on the
// largest raster the memory budget lets it have.
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
    ['2000x1500 JPEG e_blur:2000', jpegHeader(2000, 1500), 'e_blur:2000', 'jpg'],
    ['1600x1200 JPEG q_auto AVIF (the largest AVIF)', jpegHeader(1600, 1200), 'q_auto', 'avif'],
  ] as const)('%s', (_, header, t, format, premium: boolean = false) => {
    const p = planOf(t, header, { format, quality: 80, progressive: false, ...(t.includes('q_auto') ? { auto: 'good' as const } : {}) }, premium);
    console.log(`${_}: work ${ms(p.work)}, ${(p.peakBytes / 2 ** 20).toFixed(1)} MiB`);
    expect(p.work).toBeLessThan(WORK_BUDGET_NS / (format === 'avif' ? 1.5 : t.includes('e_blur') ? 2.5 : 4));
  });
});

describe('reproducers of issue #11 are refused from the plan, naming the limit', () => {
  it('80 chained w_100.0 upscales stop at the first size over the per-side limit', () => {
    const e = refusal(() => planOf(Array(80).fill('w_100.0').join('/'), jpegHeader(768, 512)));
    expect(e.status).toBe(400);
    expect(e.message).toMatch(/component 1 would be 76800x51200, over the 25000 px per side limit/);
  });

  it('c_fill,w_1,h_25000 with and without dpr_5 on a 300x200 PNG', () => {
    for (const t of ['c_fill,w_1,h_25000,dpr_5', 'c_fill,w_1,h_25000']) {
      const e = refusal(() => planOf(t, pngHeader(300, 200), { format: 'png', quality: 80, progressive: false }));
      expect(e.status).toBe(400);
      expect(e.message, t).toMatch(/over the 25000 px per side limit/);
    }
    // Within the sides, the 25 MP area limit still bounds the streamed intermediate.
    const e = refusal(() => planOf('c_fill,w_1,h_20000', pngHeader(200, 300), { format: 'png', quality: 80, progressive: false }));
    expect(e.message).toMatch(/13333x20000 \(266.7 MP\), over the 25 MP limit/);
  });

  it('10 x e_blur:2000 on 2000x1500 is over the work budget; one is not', () => {
    const header = jpegHeader(2000, 1500);
    const one = planOf('e_blur:2000', header);
    expect(one.work).toBeLessThan(WORK_BUDGET_NS);
    const e = refusal(() => planOf(Array(10).fill('e_blur:2000').join('/'), header));
    expect(e.status).toBe(400);
    expect(e.message).toMatch(/^Transformation too expensive: .* needs about \d+\.\d s of processing, over the 2\.0 s limit$/);
  });

  it(`more than ${MAX_COMPONENTS} components are refused; ${MAX_COMPONENTS} cheap ones are planned`, () => {
    expect(refusal(() => planOf(Array(300).fill('a_hflip').join('/'), jpegHeader(64, 64))).message).toBe(
      `Too many transformation components: 300, at most ${MAX_COMPONENTS} in one URL`,
    );
    expect(planOf(Array(MAX_COMPONENTS).fill('a_hflip').join('/'), jpegHeader(64, 64)).steps.length).toBe(MAX_COMPONENTS + 2);
  });
});

// A small deterministic PRNG so that a failure can be reproduced.
function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

const PARTS = [
  'w_100.0',
  'h_100.0',
  'w_0.01',
  'h_0.001',
  'w_4.0',
  'w_25000',
  'h_25000',
  'w_1',
  'h_1',
  'w_iw',
  'h_ih',
  'w_3000',
  'h_777',
  'c_fill',
  'c_lfill',
  'c_fit',
  'c_limit',
  'c_mfit',
  'c_pad',
  'c_lpad',
  'c_mpad',
  'c_crop',
  'c_thumb',
  'c_scale',
  'ar_16:9',
  'ar_0.01',
  'ar_100',
  'dpr_5',
  'dpr_0.1',
  'dpr_2',
  'a_90',
  'a_hflip',
  'e_blur:2000',
  'e_blur:100',
  'e_sharpen',
  'e_grayscale',
  'r_max',
  'r_20',
  'o_50',
  'g_auto',
  'g_south_east',
  'x_25000',
  'y_-25000',
  'x_0.5',
  'fl_ignore_aspect_ratio',
  'fl_premium_downscaling',
];
const HEADERS = [
  jpegHeader(768, 512),
  jpegHeader(1, 1),
  jpegHeader(65535, 1),
  jpegHeader(8660, 5774),
  pngHeader(300, 200),
  jpegHeader(1, 65535),
  { ...pngHeader(10000, 10000), hasAlpha: true },
];

describe('property: every size the planner computes is a finite integer within the limits, or the plan is a 400', () => {
  it('3000 random chains of up to 12 components', () => {
    const next = rng(11);
    const pick = <T>(a: readonly T[]) => a[Math.floor(next() * a.length)];
    const outcomes = { planned: 0, refused: 0 };
    for (let i = 0; i < 3000; i++) {
      const chain = Array.from({ length: 1 + Math.floor(next() * 12) }, () =>
        Array.from({ length: 1 + Math.floor(next() * 4) }, () => pick(PARTS)).join(','),
      ).join('/');
      const header = pick(HEADERS);
      const format = pick(['jpg', 'png', 'webp', 'avif'] as const);
      let p: Plan;
      try {
        p = planOf(chain, header, { format, quality: 80, progressive: false });
      } catch (e) {
        expect(e, chain).toBeInstanceOf(CldError);
        expect((e as CldError).status, chain).toBe(400);
        outcomes.refused++;
        continue;
      }
      outcomes.planned++;
      const decoded = p.steps.filter((s) => ['decode', 'icc', 'orient'].includes(s.op)).at(-1) ?? p.steps[0];
      for (const s of p.steps) {
        expect(Number.isInteger(s.width) && Number.isInteger(s.height), `${chain}: ${s.op} ${s.width}x${s.height}`).toBe(true);
        expect(s.width >= 1 && s.height >= 1 && s.width <= 65535 && s.height <= 65535, `${chain}: ${s.op}`).toBe(true);
        // The decode (and an encode of the image as decoded) is the original's size, bounded by its header (100 MP); every size the chain computes, by MAX_SIDE/MAX_AREA.
        if (s.width !== decoded.width || s.height !== decoded.height)
          expect(s.width <= MAX_SIDE && s.height <= MAX_SIDE && s.width * s.height <= MAX_AREA, `${chain}: ${s.op} ${s.width}x${s.height}`).toBe(true);
      }
      expect(Number.isFinite(p.peakBytes) && p.peakBytes <= MEMORY_BUDGET, chain).toBe(true);
      expect(Number.isFinite(p.work) && p.work <= WORK_BUDGET_NS, chain).toBe(true);
      for (const w of stepWork(p.steps, header)) expect(Number.isFinite(w) && w >= 0, chain).toBe(true);
    }
    console.log('random chains', JSON.stringify(outcomes));
    expect(outcomes.planned).toBeGreaterThan(100);
    expect(outcomes.refused).toBeGreaterThan(100);
  });
});

describe('the work estimate is monotonic', () => {
  it('in the output size of an upscale', () => {
    let last = 0;
    for (let w = 400; w <= 3000; w += 100) {
      const work = planOf(`c_scale,w_${w}`, jpegHeader(300, 200)).work;
      expect(work, `w_${w}`).toBeGreaterThanOrEqual(last);
      last = work;
    }
  });

  // Of a PNG: a JPEG's shrink-on-load makes some larger inputs cheaper, as it does in fact.
  it('in the input size of a downscale', () => {
    let last = 0;
    for (let side = 200; side <= 3000; side += 100) {
      const work = planOf('c_scale,w_100', pngHeader(side, side)).work;
      expect(work, `${side}x${side}`).toBeGreaterThanOrEqual(last);
      last = work;
    }
  });

  it('in the blur strength, and in the number of components', () => {
    let last = 0;
    for (const s of [1, 10, 50, 100, 150, 200, 201, 500, 1000, 2000]) {
      const work = planOf(`e_blur:${s}`, jpegHeader(800, 600)).work;
      expect(work, `e_blur:${s}`).toBeGreaterThanOrEqual(last);
      last = work;
    }
    last = 0;
    for (let n = 1; n <= 20; n++) {
      const work = planOf(Array(n).fill('e_sharpen').join('/'), jpegHeader(800, 600)).work;
      expect(work, `${n} x e_sharpen`).toBeGreaterThan(last);
      last = work;
    }
  });
});
