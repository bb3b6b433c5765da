import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../src/plan/plan';
import { PREMIUM } from '../../src/plan/premium';
import { parseComponent } from '../../src/url/component';
import { jpegHeader, plan } from './helpers';

const planWith = (t: string, premium: boolean, header = jpegHeader(1200, 1800)) =>
  buildPlan({ components: t.split('/').map(parseComponent), header, inputBytes: 0, output: { format: 'jpg', quality: 80, progressive: false }, premium });

describe('premium downscaling', () => {
  it('widens the prefilter and adds the clamped sharpening after every downscale, at full strength from 2x', () => {
    const p = planWith('c_fill,w_200,h_200', true);
    const resize = p.steps.find((s) => s.op === 'resize');
    expect(resize).toMatchObject({ widen: 1 + PREMIUM.widen });
    const i = p.steps.findIndex((s) => s.op === 'resize');
    expect(p.steps[i + 1]).toMatchObject({ op: 'detail', sigma: PREMIUM.sigma, amount: PREMIUM.amount, width: 200, height: 300 });
    expect(p.steps.map((s) => s.op)).toEqual(['decode', 'resize', 'detail', 'crop', 'encode']);
  });

  it('grows with the shrink factor: a 1.5x downscale gets half the strength', () => {
    const p = planWith('c_scale,w_800', true);
    expect(p.steps.find((s) => s.op === 'resize')).toMatchObject({ widen: 1 + PREMIUM.widen * 0.5 });
    expect(p.steps.find((s) => s.op === 'detail')).toMatchObject({ amount: PREMIUM.amount * 0.5 });
  });

  it('leaves upscales, same-size results and clouds without it alone', () => {
    expect(planWith('c_scale,w_2400', true).steps.map((s) => s.op)).toEqual(['decode', 'resize', 'encode']);
    expect(planWith('c_scale,w_2400', true).steps[1]).not.toHaveProperty('widen');
    expect(planWith('a_90', true).steps.map((s) => s.op)).toEqual(['decode', 'rotate', 'encode']);
    expect(planWith('c_fill,w_200,h_200', false).steps.map((s) => s.op)).toEqual(['decode', 'resize', 'crop', 'encode']);
  });

  it('fl_premium_downscaling turns it on for one URL', () => {
    const p = plan('c_scale,w_200,fl_premium_downscaling', jpegHeader(1200, 1800));
    expect(p.steps.map((s) => s.op)).toEqual(['decode', 'resize', 'detail', 'encode']);
  });

  it('the wider kernel is counted in the memory estimate', () => {
    expect(planWith('c_scale,w_200', true).peakBytes).toBeGreaterThan(planWith('c_scale,w_200', false).peakBytes);
  });
});
