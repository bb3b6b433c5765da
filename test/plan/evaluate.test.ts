// Variables, expressions and conditions in the planner (plan/evaluate.ts): evaluated against the
// header and the size the chain has at each point, before any pixel.
import { describe, expect, it } from 'vitest';
import type { ImageHeader } from '../../src/codecs/header';
import type { LayerSources } from '../../src/plan/layers';
import { buildPlan } from '../../src/plan/plan';
import { parseComponent } from '../../src/url/component';
import { jpegHeader, plan, sizeOf } from './helpers';
import { errorOf } from '../url/error-of';

const size = (t: string, header = jpegHeader(1200, 800)) => sizeOf(plan(t, header));

describe('conditions', () => {
  const block = 'if_w_gt_1000/c_scale,w_500/if_else/c_scale,w_200/if_end';
  it('chooses the branch by the current width', () => {
    expect(size(block, jpegHeader(1200, 800))).toBe('500x333');
    expect(size(block, jpegHeader(800, 600))).toBe('200x150');
  });
  it('evaluates at its point of the chain, after the earlier components', () => {
    expect(size(`c_scale,w_900/${block}`, jpegHeader(1200, 800))).toBe('200x133');
    expect(size('c_scale,w_900/if_iw_gt_1000/c_scale,w_500/if_end', jpegHeader(1200, 800))).toBe('500x333');
  });
  it('supports and/or with and before or, aspect ratios and several blocks', () => {
    expect(size('if_w_lt_10_and_h_lt_10_or_ar_gt_1.4/c_scale,w_300/if_end')).toBe('300x200');
    expect(size('if_ar_gt_3:4_and_w_gt_300/c_scale,w_100/if_end/if_h_gt_1000/c_scale,w_50/if_end')).toBe('100x67');
    expect(size('if_iar_lt_1/c_scale,w_100/if_else/c_scale,h_100/if_end')).toBe('150x100');
  });
  it('accepts the single-component form', () => {
    expect(size('if_w_gt_1000,c_scale,w_300')).toBe('300x200');
    expect(size('if_w_gt_1000,c_scale,w_300', jpegHeader(800, 600))).toBe('800x600');
  });
  it('refuses unbalanced and nested blocks', () => {
    expect(errorOf(() => plan('if_w_gt_1/c_scale,w_5', jpegHeader(100, 100))).message).toMatch(/without if_end/);
    expect(errorOf(() => plan('c_scale,w_5/if_end', jpegHeader(100, 100))).message).toMatch(/if_end without if_/);
    expect(errorOf(() => plan('if_else/if_end', jpegHeader(100, 100))).message).toMatch(/if_else without if_/);
    expect(errorOf(() => plan('if_w_gt_1/if_h_gt_1/w_5/if_end/if_end', jpegHeader(100, 100))).message).toMatch(/nested conditions are not supported/);
    expect(errorOf(() => plan('if_w_gt_1/if_h_gt_1,w_5/if_end/if_end', jpegHeader(100, 100))).message).toMatch(/[Nn]ested/);
    expect(errorOf(() => plan('if_w_gt_1/if_else/if_else/if_end', jpegHeader(100, 100))).message).toMatch(/second if_else/);
    expect(errorOf(() => plan('if_w_gt_1/w_5/if_end,w_6', jpegHeader(100, 100))).message).toMatch(/if_end takes no/);
    expect(errorOf(() => plan('if_w_gt_1/f_png/if_end', jpegHeader(100, 100))).message).toMatch(/f_ inside/);
    expect(errorOf(() => plan('c_scale,w_50/if_w_gt_1/dpr_2.0/if_end', jpegHeader(100, 100))).message).toMatch(/dpr_ inside/);
  });
});

describe('variables and expressions', () => {
  it('sets sizes from variables, arithmetic and characteristics', () => {
    expect(size('$small_150/c_scale,w_$small')).toBe('150x100');
    expect(size('c_scale,w_$a_mul_2_add_10,$a_100')).toBe('210x140');
    expect(size('c_scale,w_iw_div_4')).toBe('300x200');
    expect(size('c_scale,w_900/c_scale,w_w_div_3')).toBe('300x200');
    expect(size('c_crop,w_iw_div_2,h_ih_div_2')).toBe('600x400');
    expect(size('$r_2/c_pad,w_ih_mul_$r,h_ih_div_$r')).toBe('1600x400');
    expect(size('$a_10/$b_$a_pow_2_add_$a/c_scale,w_$b')).toBe('110x73');
  });
  it('uses variables in conditions, isdef and strings', () => {
    expect(size('$big_1000/if_w_gt_$big/c_scale,w_100/if_end')).toBe('100x67');
    expect(size('if_isdef_$x/c_scale,w_100/if_else/c_scale,w_50/if_end')).toBe('50x33');
    expect(size('$mode_!small!/if_$mode_eq_!small!/c_scale,w_120/if_end')).toBe('120x80');
    expect(plan('$fx_!sepia:50!/e_$fx', jpegHeader(100, 100)).steps.map((s) => s.op)).toContain('color');
  });
  it('rounds computed pixels and applies the same limits as literal values', () => {
    expect(size('c_scale,w_iw_div_7')).toBe('171x114');
    expect(errorOf(() => plan('c_scale,w_iw_mul_100', jpegHeader(1200, 800))).message).toMatch(/Invalid width.*120000.*computed from w_iw_mul_100/);
    expect(errorOf(() => plan('c_scale,w_iw_sub_iw', jpegHeader(1200, 800))).message).toMatch(/Invalid width/);
    expect(errorOf(() => plan('c_scale,w_iw_div_0', jpegHeader(1200, 800))).message).toMatch(/Division by zero/);
    expect(errorOf(() => plan('c_scale,w_10_pow_400', jpegHeader(1200, 800))).message).toMatch(/out of range/);
    expect(errorOf(() => plan('$a_!x!/c_scale,w_$a_add_1', jpegHeader(1200, 800))).message).toMatch(/Arithmetic on a string/);
    expect(errorOf(() => plan('o_$a_mul_200,$a_1', jpegHeader(1200, 800))).message).toMatch(/Invalid opacity/);
  });
  it('refuses an undefined variable with its name', () => {
    expect(errorOf(() => plan('c_scale,w_$missing', jpegHeader(100, 100))).message).toMatch(/Undefined variable \$missing/);
    expect(errorOf(() => plan('if_$nope_gt_1/w_5/if_end', jpegHeader(100, 100))).message).toMatch(/Undefined variable \$nope/);
  });
  it('evaluates every parameter that takes a number', () => {
    const p = plan('$d_2/c_scale,w_100,dpr_$d', jpegHeader(1200, 800));
    expect(sizeOf(p)).toBe('200x133');
    expect(plan('$q_35/q_$q', jpegHeader(100, 100)).steps.length).toBeGreaterThan(0);
    const steps = (t: string) => plan(t, jpegHeader(400, 400)).steps.map((s) => s.op);
    expect(steps('$s_300/e_blur:$s')).toContain('blur');
    expect(steps('$deg_45/a_$deg_mul_2')).toContain('rotate');
    expect(steps('$rad_20/r_$rad')).toContain('round-corners');
    expect(steps('o_iw_div_8')).toContain('opacity');
    expect(sizeOf(plan('c_crop,g_north_west,w_100,h_100,x_w_div_2,y_$y,$y_10', jpegHeader(400, 400)))).toBe('100x100');
    expect(sizeOf(plan('$r_2.0/c_fill,w_200,ar_$r', jpegHeader(400, 400)))).toBe('200x100');
    expect(errorOf(() => plan('c_scale,w_100,dpr_w_div_100', jpegHeader(400, 400))).message).toMatch(/cannot depend on the current size/);
  });
});

describe('layers', () => {
  const sources: LayerSources = new Map([['mark', { header: jpegHeader(200, 100), bytes: new Uint8Array(1000) }]]);
  const layerPlan = (t: string, header: ImageHeader) =>
    buildPlan({
      components: t.split('/').map(parseComponent),
      header,
      inputBytes: 0,
      output: { format: 'jpg', quality: 80, progressive: false },
      layers: sources,
    });
  const layerSize = (t: string) => {
    const step = layerPlan(t, jpegHeader(600, 400)).steps.find((s) => s.op === 'composite');
    return step?.op === 'composite' ? `${step.layer.width}x${step.layer.height}` : 'none';
  };
  it('evaluates a layer chain with the layer own sizes and the outer variables', () => {
    expect(layerSize('l_mark/c_scale,w_iw_div_2/fl_layer_apply')).toBe('100x50');
    expect(layerSize('$lw_60/l_mark/c_scale,w_$lw/fl_layer_apply')).toBe('60x30');
    expect(layerSize('l_mark/if_w_gt_100/c_scale,w_50/if_end/fl_layer_apply')).toBe('50x25');
  });
  it('applies conditions around a whole layer with the base size', () => {
    expect(layerSize('if_w_gt_500/l_mark/fl_layer_apply/if_end')).toBe('200x100');
    expect(layerSize('if_w_gt_700/l_mark/fl_layer_apply/if_end')).toBe('none');
  });
  it('computes a placement from variables and iw/ih, as the same placement written in pixels', () => {
    const at = (t: string) => {
      const step = layerPlan(t, jpegHeader(600, 400)).steps.find((s) => s.op === 'composite');
      return step?.op === 'composite' ? `${step.x},${step.y}` : 'none';
    };
    expect(at('$pad_iw_mul_0.05/l_mark/fl_layer_apply,g_north_west,x_$pad,y_$pad')).toBe(at('l_mark/fl_layer_apply,g_north_west,x_30,y_30'));
    expect(at('$pad_iw_mul_0.05/l_mark/fl_layer_apply,g_north_west,x_$pad,y_$pad')).toBe('30,30');
    expect(at('l_mark/fl_layer_apply,g_north_west,x_ih_div_4,y_iw_sub_590')).toBe('100,10');
    // The one-component form: its own definitions count.
    expect(at('$m_20,l_mark,g_north_west,x_$m,y_$m_mul_2')).toBe('20,40');
  });
  it('refuses conditions and computed placement on the layer components themselves', () => {
    expect(errorOf(() => layerPlan('l_mark/fl_layer_apply,x_w_div_2', jpegHeader(600, 400))).message).toMatch(/placement/);
    expect(errorOf(() => layerPlan('if_w_gt_1,l_mark/fl_layer_apply', jpegHeader(600, 400))).message).toMatch(/if_ in a layer/);
  });
});
