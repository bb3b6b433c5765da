// Text layers through the Worker (workerd, real local R2): the delivered pixels measured against
// the planner's text box (planned here from the same URL), never eyeballed.
import { beforeAll, describe, expect, it } from 'vitest';
import { decode } from '../../src/codecs/decode';
import type { Raster } from '../../src/pixels/raster';
import { buildPlan } from '../../src/plan/plan';
import type { Step } from '../../src/plan/steps';
import { parseDeliveryPath } from '../../src/url/delivery-url';
import { jpegHeader } from '../plan/helpers';
import { CLOUD, fixture, get, image, upload } from './worker';

const base = `/${CLOUD}/image/upload`;

beforeAll(async () => {
  await upload('text-base', await fixture('pepper.jpg')); // 600x400
});

type Composite = Extract<Step, { op: 'composite' }>;

/** The planner's composite step of the URL's (only) layer, planned from the wire form as the Worker plans it. */
function planned(transformation: string, base = jpegHeader(600, 400)): Composite {
  const { components } = parseDeliveryPath(`/${CLOUD}/image/upload/${transformation}/text-base.png`, CLOUD);
  const plan = buildPlan({ components, header: base, inputBytes: 0, output: { format: 'png', quality: 100, progressive: false } });
  const step = plan.steps.find((s): s is Composite => s.op === 'composite');
  if (!step) throw new Error('no composite step');
  return step;
}

async function raster(path: string): Promise<Raster> {
  const { bytes, header } = await image(path);
  return decode(bytes, header);
}

/** Bounding box [x0, y0, x1, y1] (exclusive ends) of the pixels that differ, and how many differ. */
function diff(a: Raster, b: Raster): { box: [number, number, number, number]; count: number } {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let x0 = Infinity,
    y0 = Infinity,
    x1 = -1,
    y1 = -1,
    count = 0;
  for (let y = 0; y < a.height; y++)
    for (let x = 0; x < a.width; x++) {
      const i = (y * a.width + x) * 4;
      if (a.data[i] === b.data[i] && a.data[i + 1] === b.data[i + 1] && a.data[i + 2] === b.data[i + 2] && a.data[i + 3] === b.data[i + 3]) continue;
      count++;
      x0 = Math.min(x0, x);
      y0 = Math.min(y0, y);
      x1 = Math.max(x1, x + 1);
      y1 = Math.max(y1, y + 1);
    }
  return { box: [x0, y0, x1, y1], count };
}

const boxOf = (s: Composite): [number, number, number, number] => [s.x, s.y, s.x + s.layer.width, s.y + s.layer.height];

let plain: Raster;
beforeAll(async () => {
  plain = await raster(`${base}/text-base.png`);
});

describe('l_text: size, ink and colour', () => {
  it('with b_ the delivered text box is exactly the planner’s box', async () => {
    const t = 'b_white,l_text:Arial_60:Hello/fl_layer_apply,g_north_west,x_10,y_20';
    const step = planned(t);
    expect([step.x, step.y]).toEqual([10, 20]);
    const { box, count } = diff(await raster(`${base}/${t}/text-base.png`), plain);
    expect(box).toEqual(boxOf(step));
    expect(count).toBe(step.layer.width * step.layer.height);
    // Liberation Sans is Arial's metrics: "Hello" at 60 px is about 2.4 em wide and one cap height plus a little tall.
    expect(step.layer.width).toBeGreaterThan(120);
    expect(step.layer.width).toBeLessThan(150);
  });

  it('without b_ the ink is inside the box and reaches its edges (the box is trimmed to the glyphs)', async () => {
    const t = 'l_text:Arial_60:Hello%20gy/fl_layer_apply';
    const step = planned(t);
    const [bx0, by0, bx1, by1] = boxOf(step);
    const [x0, y0, x1, y1] = diff(await raster(`${base}/${t}/text-base.png`), plain).box;
    expect(x0).toBeGreaterThanOrEqual(bx0);
    expect(y0).toBeGreaterThanOrEqual(by0);
    expect(x1).toBeLessThanOrEqual(bx1);
    expect(y1).toBeLessThanOrEqual(by1);
    for (const [a, b] of [
      [x0, bx0],
      [y0, by0],
      [x1, bx1],
      [y1, by1],
    ])
      expect(Math.abs(a - b)).toBeLessThanOrEqual(1);
  });

  it('a wider word makes a wider box, in the planner and in the pixels', async () => {
    const narrow = planned('l_text:Arial_60:Hi/fl_layer_apply,g_north_west');
    const wide = planned('l_text:Arial_60:Hello%20world/fl_layer_apply,g_north_west');
    expect(wide.layer.width).toBeGreaterThan(narrow.layer.width * 3);
    const dn = diff(await raster(`${base}/l_text:Arial_60:Hi/fl_layer_apply,g_north_west/text-base.png`), plain).box;
    const dw = diff(await raster(`${base}/l_text:Arial_60:Hello%20world/fl_layer_apply,g_north_west/text-base.png`), plain).box;
    expect(dw[2] - dw[0]).toBeGreaterThan((dn[2] - dn[0]) * 3);
  });

  it('fully covered pixels are exactly co_ (default black)', async () => {
    for (const [co, rgb] of [
      ['co_rgb:ff0000,', [255, 0, 0]],
      ['co_rgb:2080c0,', [0x20, 0x80, 0xc0]],
      ['', [0, 0, 0]],
    ] as const) {
      const t = `${co}l_text:Arial_80_bold:IH/fl_layer_apply`;
      const out = await raster(`${base}/${t}/text-base.png`);
      const [x0, y0, x1, y1] = boxOf(planned(t));
      let exact = 0;
      for (let y = y0; y < y1; y++)
        for (let x = x0; x < x1; x++) {
          const i = (y * out.width + x) * 4;
          if (out.data[i] === rgb[0] && out.data[i + 1] === rgb[1] && out.data[i + 2] === rgb[2]) exact++;
        }
      // The stems of a bold I and H at 80 px: well over a thousand fully covered pixels.
      expect(exact, co).toBeGreaterThan(1500);
    }
  });

  it('u_text underlays: the image stays on top where it is opaque (nothing changes on an opaque JPEG)', async () => {
    const out = await raster(`${base}/u_text:Arial_60:Hi/fl_layer_apply/text-base.png`);
    expect(diff(out, plain).count).toBe(0);
  });
});

describe('l_text: wrapping, DPR and escaping', () => {
  const sentence = 'The%20quick%20brown%20fox%20jumps%20over%20the%20lazy%20dog';

  it('c_fit,w_ wraps into more lines, no wider than w', async () => {
    const one = planned(`l_text:Arial_40:${sentence}/fl_layer_apply`);
    const t = `c_fit,w_200,l_text:Arial_40:${sentence}/fl_layer_apply`;
    const wrapped = planned(t);
    expect(one.layer.width).toBeGreaterThan(600 - 1); // the canvas grows to hold the unwrapped line
    expect(wrapped.layer.width).toBeLessThanOrEqual(200);
    expect(wrapped.layer.height).toBeGreaterThan(one.layer.height * 3);
    const [x0, y0, x1, y1] = diff(await raster(`${base}/${t}/text-base.png`), plain).box;
    expect(x1 - x0).toBeLessThanOrEqual(200);
    expect(y1 - y0).toBeGreaterThan(one.layer.height * 3);
  });

  it('dpr_2 doubles the text box (font size and spacing times the DPR)', async () => {
    for (const style of ['Arial_40', 'Times_30_letter_spacing_5_line_spacing_10', 'Courier_20_bold']) {
      const t = `l_text:${style}:Two%0Alines/fl_layer_apply`;
      const at1 = planned(`c_scale,w_300/${t}/dpr_1.0`);
      const at2 = planned(`c_scale,w_300/${t}/dpr_2.0`);
      expect(Math.abs(at2.layer.width - 2 * at1.layer.width), style).toBeLessThanOrEqual(2);
      expect(Math.abs(at2.layer.height - 2 * at1.layer.height), style).toBeLessThanOrEqual(2);
    }
    const t = 'c_scale,w_300/b_white,l_text:Arial_40:Hi/fl_layer_apply,g_north_west';
    const at1 = diff(await raster(`${base}/${t}/dpr_1.0/text-base.png`), await raster(`${base}/c_scale,w_300/dpr_1.0/text-base.png`)).box;
    const at2 = diff(await raster(`${base}/${t}/dpr_2.0/text-base.png`), await raster(`${base}/c_scale,w_300/dpr_2.0/text-base.png`)).box;
    expect(at2).toEqual(boxOf(planned(`${t}/dpr_2.0`)));
    expect(Math.abs(at2[2] - 2 * at1[2])).toBeLessThanOrEqual(2);
    expect(Math.abs(at2[3] - 2 * at1[3])).toBeLessThanOrEqual(2);
  });

  it('escaped characters render as the character: %252C is a comma, %252F and %2F a slash, %2525 a percent sign', async () => {
    // The path is decoded once before it is split at commas, so a comma in the text is sent as %252C.
    const comma = await raster(`${base}/l_text:Arial_60:a%252Cb/fl_layer_apply/text-base.png`);
    const period = await raster(`${base}/l_text:Arial_60:a.b/fl_layer_apply/text-base.png`);
    expect(diff(comma, plain).count).toBeGreaterThan(0);
    expect(diff(comma, period).count).toBeGreaterThan(0); // a comma is not a period
    const slash2 = await raster(`${base}/l_text:Arial_60:a%252Fb/fl_layer_apply/text-base.png`);
    const slash1 = await raster(`${base}/l_text:Arial_60:a%2Fb/fl_layer_apply/text-base.png`);
    expect(diff(slash2, slash1).count).toBe(0);
    expect(planned('l_text:Arial_60:a%252Cb/fl_layer_apply').layer.publicId).toBe('text:Arial_60:a%2Cb');
    expect(planned('l_text:Arial_60:100%2525/fl_layer_apply').layer.publicId).toBe('text:Arial_60:100%25');
    // The SDKs send 100% as 100%25: a stray % after the path's decoding stays a %.
    expect(planned('l_text:Arial_60:100%25%20sure/fl_layer_apply').layer.publicId).toBe('text:Arial_60:100%25%20sure');
  });

  it('an emoji the font lacks is its .notdef box, not a crash (the signature test vector’s text)', async () => {
    const res = await get(`${base}/co_red,l_text:Times_70_bold:Cool%25F0%259F%2598%258D/fl_layer_apply/text-base.png`);
    expect(res.status, res.headers.get('X-Cld-Error') ?? '').toBe(200);
  });
});

describe('l_text: $(name) interpolates a variable', () => {
  const same = async (a: string, b: string) =>
    expect(diff(await raster(`${base}/${a}/text-base.png`), await raster(`${base}/${b}/text-base.png`)).count).toBe(0);

  it('a string variable draws as its text, exactly as the text written out', async () => {
    await same('$name_!Jane!/l_text:Arial_50:Hi%20$(name)/fl_layer_apply', 'l_text:Arial_50:Hi%20Jane/fl_layer_apply');
    const other = await raster(`${base}/$name_!Bob!/l_text:Arial_50:Hi%20$(name)/fl_layer_apply/text-base.png`);
    expect(diff(other, await raster(`${base}/l_text:Arial_50:Hi%20Jane/fl_layer_apply/text-base.png`)).count).toBeGreaterThan(0);
  });

  it('a number, computed from the image, draws as its decimal; the layer’s own component may define it', async () => {
    await same('$w_iw_div_2/l_text:Arial_40:$(w)px/fl_layer_apply', 'l_text:Arial_40:300px/fl_layer_apply');
    await same('$n_7,l_text:Arial_40:n%3D$(n)/fl_layer_apply', 'l_text:Arial_40:n%3D7/fl_layer_apply');
  });

  it('a literal $ is %2524 (escaped once more than the path), and is drawn', async () => {
    const res = await get(`${base}/l_text:Arial_40:%2524(x)/fl_layer_apply/text-base.png`);
    await res.arrayBuffer();
    expect(res.status, res.headers.get('X-Cld-Error') ?? '').toBe(200);
    expect(planned('l_text:Arial_40:%2524(x)/fl_layer_apply').layer.publicId).toBe('text:Arial_40:%24(x)');
  });
});

describe('l_text: refused with 400 and X-Cld-Error', () => {
  const cases: [string, RegExp][] = [
    ['l_text:Comic%20Sans_60:Hi', /Unsupported font 'Comic Sans'/],
    ['l_text:Arial_0:Hi', /Invalid font size '0'/],
    ['l_text:Arial_big:Hi', /Invalid font size 'big'/],
    ['l_text:Arial_1001:Hi', /Invalid font size '1001'/],
    ['l_text:Arial:Hi', /Invalid font size ''/],
    ['l_text:Arial_60_light:Hi', /Unsupported text style 'light'/],
    ['l_text:Arial_60_bold_italic:Hi', /bold_italic/],
    ['l_text:DejaVu_60_bold:Hi', /regular face only/],
    ['l_text:Arial_60_justify:Hi', /'justify'/],
    ['l_text:Arial_60_stroke:Hi', /'stroke'/],
    ['l_text:Arial_60_letter_spacing_x:Hi', /letter_spacing/],
    ['l_text:Arial_60:', /text is empty/],
    // The path's decoding makes %24 a $: $(name) reads a variable, and none is defined.
    ['l_text:Arial_60:%24(name)', /Undefined variable \$name in the text/],
    ['l_text:Arial_60:costs%20$5', /escaped as %24/],
    ['l_text:Arial_60:%25E0%25A4', /not URL-escaped UTF-8/],
    // 1000 px text 12 characters wide: a box past the memory budget, refused by the planner before any pixel.
    ['l_text:Arial_1000:WWWWWWWWWWWWWWWWWWWWWWWWW', /too large/],
  ];
  for (const [t, message] of cases)
    it(t, async () => {
      const res = await get(`${base}/${t}/fl_layer_apply/text-base.png`);
      expect(res.status).toBe(400);
      expect(res.headers.get('X-Cld-Error')).toMatch(message);
    });
});
