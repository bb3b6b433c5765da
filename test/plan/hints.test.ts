import { describe, expect, it } from 'vitest';
import { resolveHints } from '../../src/plan/hints';
import { parseComponent } from '../../src/url/component';
import { jpegHeader, plan, sizeOf } from './helpers';

const big = jpegHeader(4000, 3000);

describe('dpr_auto', () => {
  const cases: [Record<string, string>, number][] = [
    [{ 'Sec-CH-DPR': '1.5' }, 2],
    [{ 'Sec-CH-DPR': '2.625' }, 3],
    [{ 'Sec-CH-DPR': '2' }, 2],
    [{ DPR: '3' }, 3],
    [{ 'Sec-CH-DPR': '1', DPR: '3' }, 1],
    [{}, 1],
    [{ 'Sec-CH-DPR': '9' }, 4],
    [{ 'Sec-CH-DPR': 'nonsense' }, 1],
    [{ 'Sec-CH-DPR': '-2' }, 1],
  ];
  for (const [headers, factor] of cases) {
    it(`${JSON.stringify(headers)} gives x${factor}`, () => {
      expect(sizeOf(plan('c_fill,h_100,w_100,dpr_auto', big, headers))).toBe(`${100 * factor}x${100 * factor}`);
    });
  }
  it('records exactly the headers it consulted', () => {
    const c = [parseComponent('c_fill,h_100,w_100,dpr_auto')];
    expect(resolveHints(c, new Headers({ 'Sec-CH-DPR': '2' })).vary).toEqual(['Sec-CH-DPR']);
    expect(resolveHints(c, new Headers({ DPR: '2' })).vary).toEqual(['Sec-CH-DPR', 'DPR']);
    expect(resolveHints([parseComponent('c_fill,h_100,w_100')], new Headers({ DPR: '2' })).vary).toEqual([]);
  });
  it('puts the resolved value in the canonical component', () => {
    const c = [parseComponent('w_100,dpr_auto')];
    expect(resolveHints(c, new Headers({ 'Sec-CH-DPR': '2.2' })).components[0].dpr).toEqual({ kind: 'fixed', value: 3 });
  });
});

describe('w_auto', () => {
  it('rounds Sec-CH-Width up to the step', () => {
    expect(plan('c_limit,w_auto', big, { 'Sec-CH-Width': '333' }).width).toBe(400);
    expect(plan('c_limit,w_auto:50', big, { 'Sec-CH-Width': '333' }).width).toBe(350);
    expect(plan('c_limit,w_auto', big, { Width: '801' }).width).toBe(900);
  });
  it('uses the fallback without a hint, and no width without either', () => {
    expect(plan('c_limit,w_auto:100:640', big).width).toBe(640);
    expect(plan('c_limit,w_auto', jpegHeader(1000, 750)).width).toBe(1000);
  });
});

describe('dpr without a size', () => {
  it('keeps the size (no width or height to multiply) and scales the pixel values of the chain', () => {
    const big = jpegHeader(1000, 750);
    expect(sizeOf(plan('dpr_2.0', big))).toBe(`${big.width}x${big.height}`);
    expect(sizeOf(plan('e_sharpen/dpr_2.0', big))).toBe(`${big.width}x${big.height}`);
    const blur = plan('e_blur:100/dpr_2.0', big).steps.find((s) => s.op === 'blur');
    expect(blur).toMatchObject({ sigma: 10 });
    const border = plan('bo_3px_solid_red,dpr_2.0', big).steps.find((s) => s.op === 'border');
    expect(border).toMatchObject({ size: 6, width: big.width + 12, height: big.height + 12 });
    expect(plan('c_scale,w_100/dpr_2.0', big).width).toBe(200);
  });
});
