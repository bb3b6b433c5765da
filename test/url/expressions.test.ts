// Variables, expressions and conditions: the grammar (url/expressions.ts) through parseComponent,
// its canonical form (the cache key) and its refusals.
import { describe, expect, it } from 'vitest';
import { formatComponent, formatTransformation, parseComponent } from '../../src/url/component';
import { parseDeliveryPath } from '../../src/url/delivery-url';
import { formatExpression, MAX_EXPRESSION_TOKENS, parseExpression, parseIf, type Expr } from '../../src/url/expressions';
import { errorOf } from './error-of';

/** The tree with explicit parentheses, to read precedence. */
function tree(e: Expr): string {
  switch (e.kind) {
    case 'bin':
      return `(${tree(e.left)} ${e.op} ${tree(e.right)})`;
    default:
      return formatExpression(e);
  }
}

const canonical = (text: string) => formatComponent(parseComponent(text));

describe('expression grammar', () => {
  it('ranks pow over mul/div/mod over add/sub, left to right', () => {
    expect(tree(parseExpression('$a_mul_2_add_10', 'x'))).toBe('(($a mul 2) add 10)');
    expect(tree(parseExpression('10_add_$a_mul_2', 'x'))).toBe('(10 add ($a mul 2))');
    expect(tree(parseExpression('iw_mul_2_add_ih_mul_2', 'x'))).toBe('((iw mul 2) add (ih mul 2))');
    expect(tree(parseExpression('10_sub_3_sub_2', 'x'))).toBe('((10 sub 3) sub 2)');
    expect(tree(parseExpression('2_mul_3_pow_2', 'x'))).toBe('(2 mul (3 pow 2))');
    expect(tree(parseExpression('w_mod_7_div_2', 'x'))).toBe('((w mod 7) div 2)');
  });
  it('ranks and over or in conditions', () => {
    const c = parseIf('w_gt_300_or_h_lt_10_and_ar_gte_3:4');
    expect(c).toMatchObject({ kind: 'cond', cond: { kind: 'or', right: { kind: 'and' } } });
  });
  it('round-trips through the canonical form', () => {
    for (const text of [
      'if_w_gt_1000,c_scale,w_500',
      'if_ar_gt_3:4_and_w_gt_300',
      'if_isdef_$v',
      'if_!sale!_eq_$tag_or_iw_lte_ih',
      'if_else',
      'if_end',
      '$small_150',
      '$a_iw_div_2_sub_$b_mul_0.5,$b_!my_text!',
      'c_scale,w_$a_mul_2_add_10',
      'e_blur:$s',
      'e_$fx',
      'c_crop,g_north_west,h_ih_div_2,w_iw_div_2,x_w_div_50',
    ])
      expect(canonical(text)).toBe(text);
  });
  it('puts if_ first, then the definitions as written, then the parameters sorted', () => {
    expect(canonical('w_$x,$x_5,if_w_gt_5')).toBe('if_w_gt_5,$x_5,w_$x');
    expect(canonical('$b_2,$a_$b,c_scale')).toBe('$b_2,$a_$b,c_scale');
    expect(canonical('w_2.50_mul_$a')).toBe('w_2.5_mul_$a');
  });
  it('keeps plain values plain (w_iw, ar_16:9) and lets the last duplicate win', () => {
    expect(parseComponent('w_iw')).toEqual({ w: { kind: 'input', of: 'width' } });
    expect(parseComponent('ar_16:9').exprs).toBeUndefined();
    expect(canonical('w_$a,w_100')).toBe('w_100');
    expect(canonical('w_100,w_$a')).toBe('w_$a');
  });
  it('reads a component of definitions only as a component, not a folder', () => {
    const u = parseDeliveryPath('/demo/image/upload/$small_150/c_scale,w_$small/sample.jpg', 'demo');
    expect(u.publicId).toBe('sample');
    expect(formatTransformation(u.components)).toBe('$small_150/c_scale,w_$small');
  });
  it('refuses what dprox cannot compute, naming it', () => {
    expect(errorOf(() => parseComponent('if_fc_gt_0')).message).toMatch(/face_count.*only w, h, iw, ih, ar, iar/);
    expect(errorOf(() => parseComponent('w_pc_mul_10')).message).toMatch(/page_count/);
    expect(errorOf(() => parseComponent('if_!sale!_in_tags')).message).toMatch(/in|tags/);
    expect(errorOf(() => parseComponent('if_w_>_10')).message).toMatch(/write gt/);
    expect(errorOf(() => parseComponent('$a_5_add')).message).toMatch(/missing a value/);
    expect(errorOf(() => parseComponent('$1a_5')).message).toMatch(/Invalid variable name/);
    expect(errorOf(() => parseComponent('if_w')).message).toMatch(/missing a comparison/);
    expect(errorOf(() => parseComponent('c_$mode')).message).toMatch(/Variables are not supported in crop/);
    expect(errorOf(() => parseComponent('w_abc_mul')).status).toBe(400);
    expect(errorOf(() => parseComponent('w_abc')).message).toMatch(/Invalid width/);
    const long = Array.from({ length: MAX_EXPRESSION_TOKENS }, () => '1').join('_add_');
    expect(errorOf(() => parseComponent(`$a_${long}`)).message).toMatch(/too (complex|long)/);
  });
});
