// The planner's side of layers, without pixels: grammar, the layer's own steps, placement,
// canvas growth, DPR scaling and memory.
import { describe, expect, it } from 'vitest';
import type { ImageHeader } from '../../src/codecs/header';
import { layerPublicIds, type LayerSources } from '../../src/plan/layers';
import { buildPlan, type Plan } from '../../src/plan/plan';
import type { Step } from '../../src/plan/steps';
import { formatTransformation, parseComponent } from '../../src/url/component';
import { CldError } from '../../src/url/errors';
import { jpegHeader } from './helpers';

const pngHeader = (width: number, height: number): ImageHeader => ({
  format: 'png',
  width,
  height,
  hasAlpha: true,
  orientation: 1,
  progressive: false,
  animated: false,
  components: 4,
  bitDepth: 8,
});

const sources: LayerSources = new Map([
  ['sale_icon', { header: pngHeader(200, 100), bytes: new Uint8Array(800) }],
  ['docs/logo', { header: jpegHeader(1600, 800), bytes: new Uint8Array(100_000) }],
  ['bomb', { header: pngHeader(8000, 8000), bytes: new Uint8Array(300_000) }],
]);
const pepper = jpegHeader(600, 400);

const parse = (t: string) => t.split('/').map(parseComponent);
function plan(t: string, header = pepper, layers: LayerSources | undefined = sources): Plan {
  return buildPlan({ components: parse(t), header, inputBytes: 50_000, output: { format: 'png', quality: 80, progressive: false }, layers });
}
type Composite = Extract<Step, { op: 'composite' }>;
const composites = (p: Plan) => p.steps.filter((s): s is Composite => s.op === 'composite');
const only = (p: Plan) => {
  const c = composites(p);
  expect(c).toHaveLength(1);
  return c[0];
};
const ops = (steps: Step[]) => steps.map((s) => `${s.op} ${s.width}x${s.height}`);

function refused(t: string, message: RegExp, layers: LayerSources | undefined = sources) {
  try {
    plan(t, pepper, layers);
  } catch (e) {
    expect(e).toBeInstanceOf(CldError);
    expect((e as CldError).status).toBe(400);
    expect((e as CldError).message).toMatch(message);
    return;
  }
  throw new Error(`${t} was not refused`);
}

describe('the DPR example: sale_icon half the width of a 100x100 pepper, bottom right', () => {
  const t = (dpr: string) => `c_fill,h_100,w_100/r_max/l_sale_icon/c_scale,fl_relative,w_0.5/o_60/fl_layer_apply,g_south_east/dpr_${dpr}`;
  for (const [dpr, n] of [
    ['1.0', 100],
    ['2.0', 200],
    ['3.0', 300],
  ] as const) {
    it(`dpr_${dpr}: ${n}x${n}, the layer ${n / 2}x${n / 4} at the bottom right corner`, () => {
      const p = plan(t(dpr));
      expect(`${p.width}x${p.height}`).toBe(`${n}x${n}`);
      const c = only(p);
      expect([c.layer.width, c.layer.height, c.x, c.y, c.baseX, c.baseY, c.width, c.height]).toEqual([n / 2, n / 4, n / 2, (3 * n) / 4, 0, 0, n, n]);
      expect(ops(c.layer.steps)).toEqual(['decode 200x100', `resize ${n / 2}x${n / 4}`, `opacity ${n / 2}x${n / 4}`]);
      expect(c.under).toBe(false);
    });
  }
});

describe('grammar', () => {
  it('components between l_ and fl_layer_apply transform the layer only', () => {
    const p = plan('c_scale,w_300/l_sale_icon/c_scale,w_40/e_grayscale/fl_layer_apply,g_north_west,x_10,y_5', pngHeader(600, 400));
    expect(ops(p.steps.filter((s) => s.op !== 'decode' && s.op !== 'encode'))).toEqual(['resize 300x200', 'composite 300x200']);
    const c = only(p);
    expect(ops(c.layer.steps)).toEqual(['decode 200x100', 'resize 40x20', 'grayscale 40x20']);
    expect([c.x, c.y]).toEqual([10, 5]);
  });
  it('legacy single component: size and placement in the l_ component, applied there', () => {
    const p = plan('c_scale,w_300/l_sale_icon,g_south_east,w_40,x_10/c_scale,w_150', pngHeader(600, 400));
    const steps = p.steps.filter((s) => s.op !== 'decode' && s.op !== 'encode');
    expect(ops(steps)).toEqual(['resize 300x200', 'composite 300x200', 'resize 150x100']);
    const c = composites(p)[0];
    expect([c.layer.width, c.layer.height, c.x, c.y]).toEqual([40, 20, 300 - 40 - 10, 200 - 20]);
  });
  it('the fl_layer_apply component may carry the layer’s last transformation (docs: u_site_bg/c_fill,fl_layer_apply,fl_relative,h_1.0,w_1.0)', () => {
    const c = only(plan('c_scale,w_300/u_sale_icon/c_fill,fl_layer_apply,fl_relative,h_1.0,w_1.0'));
    expect(c.under).toBe(true);
    expect([c.layer.width, c.layer.height, c.x, c.y, c.width, c.height]).toEqual([300, 200, 0, 0, 300, 200]);
  });
  it('flags add up within a component (fl_layer_apply,fl_relative)', () => {
    expect(parseComponent('fl_layer_apply,fl_relative,fl_tiled').fl).toEqual(['layer_apply', 'relative', 'tiled']);
  });
  it('folders use ":" and the canonical form keeps the layer components', () => {
    const parsed = parse('l_docs:logo.png/c_scale,w_0.5/fl_layer_apply,g_north,y_10');
    expect(parsed[0].l).toBe('docs/logo');
    expect(formatTransformation(parsed)).toBe('l_docs:logo/c_scale,w_0.5/fl_layer_apply,g_north,y_10');
    expect(layerPublicIds(parsed)).toEqual(['docs/logo']);
  });
  it('dpr, f and q inside a layer are the delivery’s, not the layer’s', () => {
    const p = plan('c_scale,w_100/l_sale_icon/c_scale,w_20,dpr_2.0/fl_layer_apply');
    expect(p.width).toBe(200);
    expect(only(p).layer.width).toBe(40);
  });
  const bad: [string, RegExp][] = [
    ['c_scale,w_100/fl_layer_apply', /fl_layer_apply without an open layer/],
    ['l_sale_icon/fl_layer_apply/fl_layer_apply', /fl_layer_apply without an open layer/],
    ['l_sale_icon/l_docs:logo/fl_layer_apply/fl_layer_apply', /Layers inside layers are not supported/],
    ['l_sale_icon,u_docs:logo', /both l_ and u_/],
    ['l_nothere/fl_layer_apply', /Unknown or invalid referenced image nothere of type upload/],
    ['l_sale_icon/e_upscale/fl_layer_apply', /AI effects are not supported inside a layer/],
    [Array.from({ length: 11 }, () => 'l_sale_icon,w_10').join('/'), /Too many layers/],
  ];
  for (const [t, message] of bad) it(`${t.slice(0, 60)} → 400`, () => refused(t, message));
  it('a text layer needs no source: a text step of the laid-out box, its memory counted in the plan', () => {
    const p = buildPlan({
      components: parse('co_red,l_text:Arial_60:Hello/fl_layer_apply'),
      header: pepper,
      inputBytes: 0,
      output: { format: 'png', quality: 80, progressive: false },
    });
    expect(layerPublicIds(parse('l_text:Arial_60:Hello/fl_layer_apply'))).toEqual([]);
    const composite = p.steps.find((s) => s.op === 'composite')!;
    const text = composite.layer.steps[0];
    expect(text.op).toBe('text');
    expect([composite.layer.width, composite.layer.height]).toEqual([text.width, text.height]);
    if (text.op === 'text') expect(text.color).toEqual([255, 0, 0, 255]);
    // The RGBA box and the float accumulator: 8 bytes per pixel at least.
    expect(composite.layer.peakBytes).toBeGreaterThanOrEqual(text.width * text.height * 8);
    expect(p.peakBytes).toBeGreaterThan(composite.layer.peakBytes);
  });
  it('layers outside delivery (no sources) → 400', () =>
    expect(() =>
      buildPlan({ components: parse('l_sale_icon/fl_layer_apply'), header: pepper, inputBytes: 0, output: { format: 'png', quality: 80, progressive: false } }),
    ).toThrow(/only in delivery URLs/));
  it('other sources, bad fetch URLs and empty layer IDs are refused by the parser; text and fetch are parsed', () => {
    expect(parseComponent('l_text:Arial_20:Hi').l).toMatchObject({ kind: 'text', face: 'sans-regular', size: 20, text: 'Hi' });
    expect(() => parseComponent('l_text:Arial_20_stroke:Hi')).toThrow(/Unsupported text style 'stroke'/);
    expect(() => parseComponent('u_video:dog')).toThrow(/Unsupported underlay source/);
    expect(() => parseComponent('u_fetch:aHR0cA==')).toThrow(/Invalid underlay .*not an http\(s\) URL/); // 'http'
    expect(parseComponent('u_fetch:aHR0cHM6Ly9hLmV4YW1wbGUvYi5wbmc=').u).toBe('fetch:https://a.example/b.png');
    expect(() => parseComponent('l_a::b')).toThrow(/Invalid overlay/);
  });
});

describe('placement', () => {
  const at = (t: string) => {
    const c = only(plan(`c_scale,w_300/l_sale_icon,w_40/${t}`));
    return [c.x, c.y];
  };
  it('center by default, compass points and Cloudinary’s offset directions', () => {
    expect(at('fl_layer_apply')).toEqual([130, 90]);
    expect(at('fl_layer_apply,g_north_west,x_5,y_6')).toEqual([5, 6]);
    expect(at('fl_layer_apply,g_north_east,x_5,y_6')).toEqual([300 - 40 - 5, 6]);
    expect(at('fl_layer_apply,g_south_east,x_5,y_6')).toEqual([300 - 40 - 5, 200 - 20 - 6]);
    expect(at('fl_layer_apply,g_south_west,x_5,y_6')).toEqual([5, 200 - 20 - 6]);
    expect(at('fl_layer_apply,g_west,x_0.1')).toEqual([30, 90]);
  });
  it('offsets and sizes are logical: times the DPR', () => {
    const c = only(plan('c_scale,w_150/l_sale_icon/c_scale,w_20/fl_layer_apply,g_north_west,x_5,y_6/dpr_2.0'));
    expect([c.layer.width, c.x, c.y]).toEqual([40, 10, 12]);
  });
  it('a layer without a pixel size is scaled by the DPR (same share of the image at every DPR)', () => {
    const one = only(plan('c_scale,w_600/l_sale_icon/fl_layer_apply/dpr_1.0'));
    const two = only(plan('c_scale,w_600/l_sale_icon/fl_layer_apply/dpr_2.0'));
    expect([one.layer.width, two.layer.width]).toEqual([200, 400]);
    const half = only(plan('c_scale,w_600/l_sale_icon/c_scale,w_0.5/fl_layer_apply/dpr_2.0'));
    expect(half.layer.width).toBe(200);
  });
  it('a layer past the edge enlarges the canvas; fl_no_overflow clips it to the image', () => {
    const grown = plan('c_scale,w_300/l_sale_icon/fl_layer_apply,g_north_west,x_250,y_-30');
    const c = only(grown);
    expect([c.width, c.height, c.baseX, c.baseY, c.x, c.y]).toEqual([450, 230, 0, 30, 250, 0]);
    expect([grown.width, grown.height]).toEqual([450, 230]);
    const clipped = plan('c_scale,w_300/l_sale_icon/fl_layer_apply,g_north_west,x_250,y_-30,fl_no_overflow');
    const k = only(clipped);
    expect([k.width, k.height, k.baseX, k.baseY, k.x, k.y]).toEqual([300, 200, 0, 0, 250, -30]);
  });
  it('fl_tiled covers the image without growing it', () => {
    const c = only(plan('c_scale,w_300/l_sale_icon/c_scale,w_50/fl_layer_apply,fl_tiled'));
    expect([c.tiled, c.width, c.height]).toEqual([true, 300, 200]);
  });
  it('fl_relative sizes are fractions of the image at the point the layer is applied', () => {
    const c = only(plan('c_scale,w_400/l_docs:logo/c_fit,fl_relative,w_0.25,h_1.0/fl_layer_apply'));
    expect([c.layer.width, c.layer.height]).toEqual([100, 50]);
  });
});

describe('memory', () => {
  it('the layer decodes with shrink-on-load when its chain starts by downsizing', () => {
    const c = only(plan('c_scale,w_300/l_docs:logo/c_scale,w_100/fl_layer_apply'));
    expect(c.layer.steps[0]).toMatchObject({ op: 'decode', shrink: 8, width: 200, height: 100 });
  });
  it('the layer’s memory is counted in the peak', () => {
    const without = plan('c_scale,w_300');
    const withLayer = plan('c_scale,w_300/l_docs:logo/fl_layer_apply');
    const c = only(withLayer);
    expect(c.layer.peakBytes).toBeGreaterThan(1600 * 800 * 4);
    expect(withLayer.peakBytes - without.peakBytes).toBeGreaterThanOrEqual(c.layer.peakBytes);
  });
  it('a layer bomb is refused before decoding', () => refused('c_scale,w_300/l_bomb/c_scale,w_10/fl_layer_apply', /Layer bomb: Image too large to process/));
  it('a canvas grown past the budget is refused', () =>
    refused('l_sale_icon/c_scale,w_5000/fl_layer_apply,g_north_west,x_20000,y_20000', /too large to process/));
});
