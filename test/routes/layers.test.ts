// Layers through the Worker (workerd, real local R2): pixels measured in the delivered images.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { decode } from '../../src/codecs/decode';
import type { Raster } from '../../src/pixels/raster';
import { deliverySignature } from '../../src/url/signature';
import { px } from '../pixels/util';
import { CLOUD, fixture, get, image, upload } from './worker';

const base = `/${CLOUD}/image/upload`;

beforeAll(async () => {
  await upload('pepper', await fixture('pepper.jpg')); // 600x400 (the coffee sample, samples/NOTICE)
  await upload('sale_icon', await fixture('sale_icon.png')); // 200x100, red badge, transparent around
  await upload('layers/blue', await fixture('blue-40x20.png')); // opaque blue
  await upload('layers/green-half', await fixture('green-half.png')); // green at alpha 128
});

async function raster(path: string): Promise<Raster> {
  const { bytes, header } = await image(path);
  return decode(bytes, header);
}

const near = (a: number[], b: number[], tol: number) => a.every((v, i) => Math.abs(v - b[i]) <= tol);
const isBlue = (p: number[]) => near(p, [0, 0, 255, 255], 2);

/** Bounding box [x0, y0, x1, y1] (x1, y1 exclusive) of the pixels that differ between two same-size rasters. */
function diffBox(a: Raster, b: Raster): [number, number, number, number] {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let x0 = Infinity,
    y0 = Infinity,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < a.height; y++)
    for (let x = 0; x < a.width; x++) {
      const i = (y * a.width + x) * 4;
      let d = 0;
      for (let c = 0; c < 4; c++) d = Math.max(d, Math.abs(a.data[i + c] - b.data[i + c]));
      if (d > 0) {
        x0 = Math.min(x0, x);
        y0 = Math.min(y0, y);
        x1 = Math.max(x1, x + 1);
        y1 = Math.max(y1, y + 1);
      }
    }
  return [x0, y0, x1, y1];
}

describe('the DPR example of the docs: sale_icon over pepper at dpr 1, 2 and 3', () => {
  const seed = (dpr: string) => `${base}/c_fill,h_100,w_100/r_max/l_sale_icon/c_scale,fl_relative,w_0.5/o_60/fl_layer_apply,g_south_east/dpr_${dpr}/pepper.png`;
  const plain = (dpr: string) => `${base}/c_fill,h_100,w_100/r_max/dpr_${dpr}/pepper.png`;

  it('100, 200 and 300 px squares with the watermark on the same part of the image', async () => {
    const boxes: number[][] = [];
    for (const [dpr, n] of [
      ['1.0', 100],
      ['2.0', 200],
      ['3.0', 300],
    ] as const) {
      const withLayer = await raster(seed(dpr));
      expect([withLayer.width, withLayer.height]).toEqual([n, n]);
      const box = diffBox(withLayer, await raster(plain(dpr)));
      // In logical pixels (of the 100x100 image): divide by the DPR.
      boxes.push(box.map((v) => (v * 100) / n));
      // The badge is semi-transparent red: more red than green, but the photo shows through (o_60).
      const centre = px(withLayer, Math.round(n * 0.6), Math.round(n * 0.8));
      expect(centre[0]).toBeGreaterThan(centre[1] + 40);
    }
    console.log('footprints (logical px):', JSON.stringify(boxes.map((b) => b.map((v) => +v.toFixed(2)))));
    // The 50x25 badge at the bottom right (its anti-aliased rounded corners inset by ~1 px).
    expect(boxes[0][0]).toBeGreaterThanOrEqual(50);
    expect(boxes[0][1]).toBeGreaterThanOrEqual(75);
    expect(boxes[0][2]).toBeLessThanOrEqual(100);
    expect(boxes[0][3]).toBeLessThanOrEqual(100);
    expect(boxes[0][2] - boxes[0][0]).toBeGreaterThan(45);
    for (const b of boxes.slice(1)) for (let k = 0; k < 4; k++) expect(Math.abs(b[k] - boxes[0][k])).toBeLessThanOrEqual(1);
  });

  it('the same URLs deliver JPEG too (flattened on white)', async () => {
    const { header } = await image(seed('2.0').replace('.png', '.jpg'));
    expect([header.format, header.width, header.height]).toEqual(['jpg', 200, 200]);
  });
});

describe('r_max gives circles, transparent outside in formats with alpha', () => {
  for (const ext of ['png', 'webp']) {
    it(ext, async () => {
      const r = await raster(`${base}/c_fill,w_100,h_100,r_max/pepper.${ext}`);
      expect([r.width, r.height]).toEqual([100, 100]);
      for (const [x, y] of [
        [0, 0],
        [99, 0],
        [0, 99],
        [99, 99],
        [5, 5],
      ])
        expect(px(r, x, y)[3]).toBeLessThanOrEqual(3);
      for (const [x, y] of [
        [50, 50],
        [50, 2],
        [2, 50],
        [97, 50],
      ])
        expect(px(r, x, y)[3]).toBeGreaterThanOrEqual(250);
    });
  }
});

describe('placement', () => {
  it('g_ with x/y in Cloudinary’s directions', async () => {
    const nw = await raster(`${base}/c_scale,w_300/l_layers:blue/fl_layer_apply,g_north_west,x_10,y_5/pepper.png`);
    expect([nw.width, nw.height]).toEqual([300, 200]);
    expect(isBlue(px(nw, 10, 5)) && isBlue(px(nw, 49, 24))).toBe(true);
    expect(isBlue(px(nw, 9, 10)) || isBlue(px(nw, 50, 10)) || isBlue(px(nw, 20, 25))).toBe(false);
    const se = await raster(`${base}/c_scale,w_300/l_layers:blue/fl_layer_apply,g_south_east,x_10,y_5/pepper.png`);
    expect(isBlue(px(se, 250, 175)) && isBlue(px(se, 289, 194))).toBe(true);
    expect(isBlue(px(se, 290, 180)) || isBlue(px(se, 260, 195))).toBe(false);
  });
  it('center by default', async () => {
    const c = await raster(`${base}/c_scale,w_300/l_layers:blue/fl_layer_apply/pepper.png`);
    expect(isBlue(px(c, 130, 90)) && isBlue(px(c, 169, 109))).toBe(true);
    expect(isBlue(px(c, 129, 90)) || isBlue(px(c, 170, 109))).toBe(false);
  });
  it('legacy single-component form: l_, size and placement in one component', async () => {
    const r = await raster(`${base}/c_scale,w_300/l_layers:blue,g_south_east,w_20,x_10,y_5/pepper.png`);
    expect([r.width, r.height]).toEqual([300, 200]);
    expect(isBlue(px(r, 270, 185)) && isBlue(px(r, 289, 194))).toBe(true);
    expect(isBlue(px(r, 268, 190)) || isBlue(px(r, 280, 183))).toBe(false);
  });
  it('offsets are logical: x/y and the layer’s size scale with the DPR', async () => {
    const r = await raster(`${base}/c_scale,w_150/l_layers:blue/c_scale,w_20/fl_layer_apply,g_north_west,x_5,y_5/dpr_2.0/pepper.png`);
    expect([r.width, r.height]).toEqual([300, 200]);
    expect(isBlue(px(r, 10, 10)) && isBlue(px(r, 49, 29))).toBe(true);
    expect(isBlue(px(r, 9, 15)) || isBlue(px(r, 50, 15))).toBe(false);
  });
  it('fl_relative: w_0.5 is half the base’s width', async () => {
    const r = await raster(`${base}/c_scale,w_300/l_layers:blue/c_scale,fl_relative,w_0.5/fl_layer_apply/pepper.png`);
    // 150x75, centred: x 75..224, y 62..136
    expect(isBlue(px(r, 76, 64)) && isBlue(px(r, 223, 135))).toBe(true);
    expect(isBlue(px(r, 73, 100)) || isBlue(px(r, 226, 100))).toBe(false);
  });
});

describe('canvas growth and fl_no_overflow', () => {
  const path = (flags: string, ext = 'png') => `${base}/c_scale,w_300/l_layers:blue/fl_layer_apply,g_north_west,x_280,y_-10${flags}/pepper.${ext}`;
  it('a layer past the edge enlarges the canvas, transparent where neither image covers it', async () => {
    const r = await raster(path(''));
    expect([r.width, r.height]).toEqual([320, 210]);
    expect(px(r, 0, 0)[3]).toBe(0); // above the image, left of the layer
    expect(px(r, 310, 100)[3]).toBe(0); // right of the image, below the layer
    expect(isBlue(px(r, 281, 0)) && isBlue(px(r, 319, 19))).toBe(true);
    expect(px(r, 5, 15)[3]).toBe(255); // the image, moved down by 10
  });
  it('JPEG: the grown area is white', async () => {
    const r = await raster(path('', 'jpg'));
    expect([r.width, r.height]).toEqual([320, 210]);
    expect(near(px(r, 2, 2), [255, 255, 255, 255], 6)).toBe(true);
  });
  it('fl_no_overflow keeps the image’s size and clips the layer', async () => {
    const r = await raster(path(',fl_no_overflow'));
    expect([r.width, r.height]).toEqual([300, 200]);
    expect(isBlue(px(r, 281, 0)) && isBlue(px(r, 299, 9))).toBe(true);
    expect(isBlue(px(r, 290, 11))).toBe(false);
  });
});

describe('fl_tiled, u_, o_, e_ in a layer', () => {
  it('fl_tiled covers the whole image', async () => {
    const r = await raster(`${base}/c_scale,w_300/l_layers:blue/c_scale,w_10/fl_layer_apply,fl_tiled/pepper.png`);
    expect([r.width, r.height]).toEqual([300, 200]);
    let blue = 0;
    for (let y = 0; y < r.height; y++) for (let x = 0; x < r.width; x++) if (isBlue(px(r, x, y))) blue++;
    expect(blue).toBe(300 * 200);
    const badges = await raster(`${base}/c_scale,w_300/l_sale_icon/c_scale,w_40/fl_layer_apply,fl_tiled/pepper.png`);
    const plain = await raster(`${base}/c_scale,w_300/pepper.png`);
    const box = diffBox(badges, plain); // tiles reach every edge
    expect(box).toEqual([0, 0, 300, 200]);
  });
  it('u_ puts the layer under the image: it shows where the image is transparent', async () => {
    const r = await raster(`${base}/c_fill,w_100,h_100,r_max/u_layers:blue/c_scale,w_100,h_100/fl_layer_apply/pepper.png`);
    expect([r.width, r.height]).toEqual([100, 100]);
    expect(isBlue(px(r, 1, 1)) && isBlue(px(r, 98, 98))).toBe(true);
    const plain = await raster(`${base}/c_fill,w_100,h_100,r_max/pepper.png`);
    expect(px(r, 50, 50)).toEqual(px(plain, 50, 50));
  });
  it('o_ on a layer scales its alpha; a layer’s own alpha is honoured', async () => {
    const plain = await raster(`${base}/c_scale,w_300/pepper.png`);
    const half = await raster(`${base}/c_scale,w_300/l_layers:blue/o_50/fl_layer_apply/pepper.png`);
    const [r, g, b] = px(plain, 150, 100);
    // alpha 128/255 after o_50
    const a = 128 / 255;
    expect(near(px(half, 150, 100), [r * (1 - a), g * (1 - a), 255 * a + b * (1 - a), 255], 2)).toBe(true);
    const green = await raster(`${base}/c_scale,w_300/l_layers:green-half/fl_layer_apply/pepper.png`);
    expect(near(px(green, 150, 100), [r * (1 - a), 255 * a + g * (1 - a), b * (1 - a), 255], 2)).toBe(true);
    const quarter = await raster(`${base}/c_scale,w_300/l_layers:green-half/o_50/fl_layer_apply/pepper.png`);
    const q = 64 / 255;
    expect(near(px(quarter, 150, 100), [r * (1 - q), 255 * q + g * (1 - q), b * (1 - q), 255], 2)).toBe(true);
  });
  it('e_ inside a layer transforms the layer only', async () => {
    const red = await raster(`${base}/c_scale,w_300/l_sale_icon/fl_layer_apply/pepper.png`);
    const gray = await raster(`${base}/c_scale,w_300/l_sale_icon/e_grayscale/fl_layer_apply/pepper.png`);
    const [r, g, b] = px(red, 60, 100); // the badge's red, left of the letters
    expect(r).toBeGreaterThan(g + 100);
    const [gr, gg, gb] = px(gray, 60, 100);
    expect(Math.max(gr, gg, gb) - Math.min(gr, gg, gb)).toBeLessThanOrEqual(2);
    expect(px(gray, 5, 5)).toEqual(px(red, 5, 5)); // the image itself is not grayscale
    expect(b).toBeLessThan(80);
  });
});

describe('errors and signatures', () => {
  const cases: [string, number, RegExp][] = [
    ['l_nothere/fl_layer_apply/pepper.jpg', 400, /Unknown or invalid referenced image nothere of type upload/],
    ['c_scale,w_100/fl_layer_apply/pepper.jpg', 400, /fl_layer_apply without an open layer/],
    ['l_sale_icon/l_layers:blue/fl_layer_apply/fl_layer_apply/pepper.jpg', 400, /Layers inside layers are not supported/],
    ['l_text:Comic_20:Hi/fl_layer_apply/pepper.jpg', 400, /Unsupported font 'Comic'/],
    ['l_video:dog/pepper.jpg', 400, /Unsupported overlay source/],
    // A fetch layer passes the fetch policy first (test/routes/fetch-layers.test.ts): example.com is not allowed.
    ['l_fetch:aHR0cHM6Ly9leGFtcGxlLmNvbS94LnBuZw==/pepper.jpg', 401, /Remote host example.com is not in the allowed fetch hosts/],
    ['l_sale_icon/e_upscale/fl_layer_apply/pepper.jpg', 400, /AI effects are not supported inside a layer/],
    ['l_sale_icon/fl_layer_apply/e_upscale/pepper.jpg', 400, /Layers and AI effects cannot be combined/],
    ['l_layers:bomb/c_scale,w_10/fl_layer_apply/pepper.jpg', 400, /Layer layers\/bomb: Image too large to process/],
    ['l_layers:junk/fl_layer_apply/pepper.jpg', 400, /Layer layers\/junk: Invalid image/],
    ['l_sale_icon/fl_layer_apply,g_north_west,x_20000,y_20000/pepper.jpg', 400, /too large to process/],
  ];
  beforeAll(async () => {
    await env.IMAGES.put(`original/${CLOUD}/upload/layers/bomb`, await fixture('bomb.png')); // 8000x8000 PNG
    await env.IMAGES.put(`original/${CLOUD}/upload/layers/junk`, new Uint8Array(3000).fill(9));
  });
  for (const [path, status, message] of cases) {
    it(`${path} → ${status}`, async () => {
      const res = await get(`${base}/${path}`);
      expect(res.status).toBe(status);
      expect(res.headers.get('X-Cld-Error')).toMatch(message);
      await res.arrayBuffer();
    });
  }
  it('signatures cover the layer components', async () => {
    const t = 'l_sale_icon/c_scale,w_40/fl_layer_apply,g_north_east/pepper.jpg';
    const sig = await deliverySignature(t, 'test-secret', 'sha1', 8);
    expect((await get(`${base}/s--${sig}--/${t}`)).status).toBe(200);
    const tampered = await get(`${base}/s--${sig}--/${t.replace('w_40', 'w_41')}`);
    expect(tampered.status).toBe(401);
    const other = await get(`${base}/s--${sig}--/${t.replace('l_sale_icon', 'l_layers:blue')}`);
    expect(other.status).toBe(401);
  });
  it('the canonical form keys the cache: equivalent spellings share one derived image', async () => {
    const before = (await env.IMAGES.list({ prefix: `derived/${CLOUD}/upload/pepper/` })).objects.length;
    await image(`${base}/l_sale_icon/w_30,c_scale/fl_layer_apply,g_west/pepper.jpg`);
    await image(`${base}/l_sale_icon/c_scale,w_30/g_west,fl_layer_apply/pepper.jpg`);
    const after = (await env.IMAGES.list({ prefix: `derived/${CLOUD}/upload/pepper/` })).objects.length;
    expect(after - before).toBe(1);
  });
});

describe('hostile layer chains', () => {
  it('150 random layer chains answer 2xx or 4xx with a reason, never 500', async () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)];
    const PARTS = [
      'l_sale_icon',
      'u_layers:blue',
      'l_layers:green-half',
      'l_nothere',
      'fl_layer_apply',
      'fl_relative',
      'fl_tiled',
      'fl_no_overflow',
      'w_0.5',
      'w_30',
      'h_2.0',
      'c_fill',
      'c_pad',
      'c_crop',
      'g_south_east',
      'g_auto',
      'x_-50',
      'y_0.9',
      'x_3000',
      'o_30',
      'e_blur:500',
      'r_max',
      'a_90',
      'dpr_2.0',
      'dpr_auto',
      'b_transparent',
    ];
    const statuses = new Map<number, number>();
    for (let i = 0; i < 150; i++) {
      const chain = Array.from({ length: 1 + Math.floor(next() * 4) }, () =>
        Array.from({ length: 1 + Math.floor(next() * 3) }, () => pick(PARTS)).join(','),
      ).join('/');
      const path = `${base}/c_scale,w_120/${chain}/pepper.${pick(['jpg', 'png', 'webp'])}`;
      const res = await get(path);
      if (res.status >= 400) expect(res.headers.get('X-Cld-Error'), path).toBeTruthy();
      expect(res.status, `${path}: ${res.headers.get('X-Cld-Error')}`).toBeLessThan(500);
      await res.arrayBuffer();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
    console.log('statuses', JSON.stringify([...statuses]));
    expect(statuses.get(200)).toBeGreaterThan(20);
  });
});
