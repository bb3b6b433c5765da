// Spatial effects measured on synthetic rasters: what changes, where, and what must not.
import { describe, expect, it } from 'vitest';
import { autoTone } from '../../src/ops/auto-tone';
import { blurRegion } from '../../src/ops/blur';
import { shadow } from '../../src/ops/shadow';
import { gradientFade } from '../../src/ops/gradient-fade';
import { makeTransparent } from '../../src/ops/make-transparent';
import { noise } from '../../src/ops/noise';
import { oilPaint } from '../../src/ops/oil-paint';
import { pixelate } from '../../src/ops/pixelate';
import { vignette } from '../../src/ops/vignette';
import type { Raster } from '../../src/pixels/raster';
import { buildPlan } from '../../src/plan/plan';
import type { ImageHeader } from '../../src/plan/steps';
import { parseComponent } from '../../src/url/component';

/** A 64x48 raster of noise-like colour (deterministic), opaque. */
function photo(w = 64, h = 48): Raster {
  const data = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) {
    data[i * 4] = (i * 37) % 256;
    data[i * 4 + 1] = (i * 91 + 13) % 256;
    data[i * 4 + 2] = (i * 17 + 101) % 256;
    data[i * 4 + 3] = 255;
  }
  return { width: w, height: h, data, opaque: true };
}
const px = (r: Raster, x: number, y: number) => [...r.data.subarray((y * r.width + x) * 4, (y * r.width + x) * 4 + 4)];

describe('spatial effects', () => {
  it('pixelate: every block is one colour; a region leaves the rest untouched', () => {
    const r = pixelate(photo(), 8);
    for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) expect(px(r, x, y)).toEqual(px(r, 0, 0));
    expect(px(r, 8, 0)).not.toEqual(px(r, 0, 0));
    const src = photo();
    const part = pixelate(photo(), 8, { x: 16, y: 16, width: 16, height: 16 });
    expect(px(part, 0, 0)).toEqual(px(src, 0, 0));
    expect(px(part, 20, 20)).toEqual(px(part, 16, 16));
  });
  it('blur_region changes the region only', () => {
    const src = photo();
    const r = blurRegion(photo(), 3, { x: 10, y: 10, width: 20, height: 20 });
    expect(px(r, 5, 5)).toEqual(px(src, 5, 5));
    expect(px(r, 40, 40)).toEqual(px(src, 40, 40));
    expect(px(r, 20, 20)).not.toEqual(px(src, 20, 20));
  });
  it('vignette keeps the centre and darkens the corners by the strength', () => {
    const flat: Raster = { width: 41, height: 41, data: new Uint8Array(41 * 41 * 4).fill(200), opaque: true };
    const r = vignette(flat, 0.5);
    expect(px(r, 20, 20)).toEqual([200, 200, 200, 200]);
    expect(px(r, 0, 0)).toEqual([100, 100, 100, 200]);
  });
  it('noise is reproducible and averages out', () => {
    const a = noise(photo(), 40, 7);
    const b = noise(photo(), 40, 7);
    expect(a.data).toEqual(b.data);
    const src = photo();
    let diff = 0;
    let changed = 0;
    for (let i = 0; i < src.data.length; i += 4) {
      diff += a.data[i + 1] - src.data[i + 1];
      if (a.data[i + 1] !== src.data[i + 1]) changed++;
    }
    expect(changed).toBeGreaterThan(src.width * src.height * 0.8);
    expect(Math.abs(diff / (src.width * src.height))).toBeLessThan(5);
  });
  it('oil paint turns pixels into strokes: neighbours share their colour', () => {
    const same = (r: Raster) => {
      let n = 0;
      for (let y = 0; y < r.height; y++) for (let x = 1; x < r.width; x++) if (px(r, x, y).join() === px(r, x - 1, y).join()) n++;
      return n / (r.height * (r.width - 1));
    };
    expect(same(photo())).toBeLessThan(0.05);
    expect(same(oilPaint(photo(), 3, 20))).toBeGreaterThan(0.3);
  });
  it('make_transparent clears exactly the pixels near the colour', () => {
    const r = photo();
    r.data.set([10, 20, 30, 255], 0);
    const out = makeTransparent(r, 0.01, [10, 20, 30, 255]);
    expect(px(out, 0, 0)[3]).toBe(0);
    expect(out.data.filter((_, i) => i % 4 === 3 && _ === 0).length).toBeLessThan(5);
    expect(out.opaque).toBe(false);
  });
  it('gradient_fade: alpha near 0 at the edge, unchanged past the depth', () => {
    const r = gradientFade(photo(), 'bottom', 10, 1, false);
    expect(px(r, 5, 47)[3]).toBeLessThan(20);
    expect(px(r, 5, 30)[3]).toBe(255);
  });
});

describe('measured tone corrections and the shadow', () => {
  const ramp = (lo: number, hi: number): Raster => {
    const w = 256,
      data = new Uint8Array(w * 4);
    for (let x = 0; x < w; x++) data.set([lo + ((hi - lo) * x) / 255, lo + ((hi - lo) * x) / 255, lo + ((hi - lo) * x) / 255, 255].map(Math.round), x * 4);
    return { width: w, height: 1, data, opaque: true };
  };
  const mean = (r: Raster) => r.data.reduce((a, v, i) => (i % 4 === 1 ? a + v : a), 0) / (r.width * r.height);
  it('equalize (e_tint:equalize) spreads a 100-150 ramp over the whole range, evenly', () => {
    const r = autoTone(ramp(100, 150), ['equalize'], 1, 0);
    expect(r.data[1]).toBe(0);
    expect(r.data[255 * 4 + 1]).toBe(255);
    // A flat histogram: the middle pixel lands near the middle of the range.
    expect(Math.abs(r.data[128 * 4 + 1] - 128)).toBeLessThan(8);
  });
  it('levels stretch a 100-150 ramp to nearly the full range; blend 0 changes nothing', () => {
    const r = autoTone(ramp(100, 150), ['levels'], 1, 0);
    expect(r.data[1]).toBeLessThan(5);
    expect(r.data[255 * 4 + 1]).toBeGreaterThan(250);
    expect(autoTone(ramp(100, 150), ['levels'], 0, 0).data).toEqual(ramp(100, 150).data);
  });
  it('gamma brings a dark image mean to the middle', () => {
    expect(mean(ramp(0, 80))).toBeLessThan(45);
    expect(Math.abs(mean(autoTone(ramp(0, 80), ['gamma'], 1, 0)) - 128)).toBeLessThan(20);
  });
  it('the shadow is the silhouette in its colour, offset, under the image on the grown canvas', () => {
    const img: Raster = { width: 10, height: 10, data: new Uint8Array(400).fill(255), opaque: true };
    const out = shadow(img, { op: 'shadow', color: [0, 0, 255, 255], sigma: 0, dx: 5, dy: 5, baseX: 0, baseY: 0, width: 15, height: 15 });
    expect(px(out, 2, 2)).toEqual([255, 255, 255, 255]);
    expect(px(out, 12, 12)).toEqual([0, 0, 255, 255]);
    expect(px(out, 12, 2)[3]).toBe(0);
  });
});

describe('the planner binds x, y, w, h to region effects instead of resizing', () => {
  const header: ImageHeader = { format: 'png', width: 600, height: 400, hasAlpha: false, orientation: 1, progressive: false, animated: false, components: 3 };
  const plan = (t: string) =>
    buildPlan({ components: t.split('/').map(parseComponent), header, inputBytes: 1000, output: { format: 'png', quality: 80, progressive: false } });
  it('e_pixelate_region,x,y,w,h keeps the size and pixelates that rectangle, DPR-scaled', () => {
    const p = plan('e_pixelate_region:10,x_100,y_50,w_200,h_100');
    expect([p.width, p.height]).toEqual([600, 400]);
    expect(p.steps.find((s) => s.op === 'pixelate')).toMatchObject({ block: 10, region: { x: 100, y: 50, width: 200, height: 100 } });
    expect(plan('c_scale,w_300/e_pixelate_region:10,x_10,w_50,dpr_2.0').steps.find((s) => s.op === 'pixelate')).toMatchObject({
      block: 20,
      region: { x: 20, width: 100 },
    });
  });
  it('y_0.75 alone is the bottom quarter', () => {
    expect(plan('e_blur_region,y_0.75').steps.find((s) => s.op === 'blur')).toMatchObject({ region: { x: 0, y: 300, width: 600, height: 100 } });
  });
});
