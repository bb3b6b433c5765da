// Colour effects: the matrix each effect plans, applied by ops/color.ts, against values computed
// by hand from the effect's documented formula; streamed and in-memory runs agree.
import { describe, expect, it } from 'vitest';
import { applyColor } from '../../src/ops/color';
import { buildPlan } from '../../src/plan/plan';
import type { ColorStage, ImageHeader } from '../../src/plan/steps';
import { parseComponent } from '../../src/url/component';

const header: ImageHeader = { format: 'png', width: 64, height: 48, hasAlpha: false, orientation: 1, progressive: false, animated: false, components: 3 };
const out = { format: 'png', quality: 80, progressive: false } as const;

function matrixOf(transformation: string): readonly ColorStage[] {
  const plan = buildPlan({ components: transformation.split('/').map(parseComponent), header, inputBytes: 1000, output: out });
  const steps = plan.steps.filter((s) => s.op === 'color');
  expect(steps).toHaveLength(1);
  return (steps[0] as { stages: readonly ColorStage[] }).stages;
}

function apply(transformation: string, rgb: [number, number, number]): number[] {
  const px = new Uint8Array([...rgb, 200]);
  applyColor(px, matrixOf(transformation));
  return [...px];
}

describe('e_sepia', () => {
  it('at 100 is the CSS Filter Effects sepia matrix; alpha is kept', () => {
    // 100 * (0.393 + 0.769 + 0.189), 100 * (0.349 + 0.686 + 0.168), 100 * (0.272 + 0.534 + 0.131)
    expect(apply('e_sepia:100', [100, 100, 100])).toEqual([135, 120, 94, 200]);
    expect(apply('e_sepia:100', [255, 255, 255])).toEqual([255, 255, 239, 200]);
  });
  it('defaults to 80, and a lower level stays nearer the original', () => {
    expect(apply('e_sepia', [100, 150, 200])).toEqual(apply('e_sepia:80', [100, 150, 200]));
    const [r, g, b] = apply('e_sepia:10', [100, 150, 200]);
    expect(Math.abs(r - 100) + Math.abs(g - 150) + Math.abs(b - 200)).toBeLessThan(40);
  });
  it('two in a row plan one colour step, the composition of both', () => {
    const px = new Uint8Array([100, 150, 200, 255]);
    applyColor(px, matrixOf('e_sepia:50'));
    applyColor(px, matrixOf('e_sepia:50'));
    const once = apply('e_sepia:50/e_sepia:50', [100, 150, 200]);
    for (let c = 0; c < 3; c++) expect(Math.abs(once[c] - px[c])).toBeLessThanOrEqual(1);
  });
});

describe('e_colorize with co_', () => {
  it('blends towards the colour by the level: in (1 - l) + colour l', () => {
    // 100 * 0.4 + 255 * 0.6 = 193; 150 * 0.4 = 60; 200 * 0.4 = 80
    expect(apply('e_colorize:60,co_red', [100, 150, 200])).toEqual([193, 60, 80, 200]);
    expect(apply('e_colorize,co_rgb:102030', [1, 2, 3])).toEqual([16, 32, 48, 200]);
  });
  it('defaults to gray at 100', () => expect(apply('e_colorize', [10, 20, 30])).toEqual([128, 128, 128, 200]));
  it('co_ with nothing that reads it is refused, not ignored', () => {
    expect(() => matrixOf('co_red')).toThrow(/co_ needs something that uses a colour/);
    expect(() => matrixOf('e_sepia,co_red')).toThrow(/co_ needs/);
  });
});

describe('tone and colour effects, against their formulas', () => {
  it('e_negate is 255 - value; e_brightness shifts by l% of the range; e_brightness_hsb scales', () => {
    expect(apply('e_negate', [0, 100, 255])).toEqual([255, 155, 0, 200]);
    expect(apply('e_brightness:20', [0, 100, 250])).toEqual([51, 151, 255, 200]);
    expect(apply('e_brightness_hsb:50', [10, 100, 200])).toEqual([15, 150, 255, 200]);
  });
  it('e_red/green/blue scale one channel by 1 + l/100', () => {
    expect(apply('e_red:50', [100, 100, 100])).toEqual([150, 100, 100, 200]);
    expect(apply('e_blue:-50', [100, 100, 100])).toEqual([100, 100, 50, 200]);
  });
  it('e_contrast linear is (v - 127.5) n/100 + 127.5; sigmoidal keeps 0, the midpoint and 255 and steepens around it', () => {
    expect(apply('e_contrast:level_200;type_linear', [100, 127, 200])).toEqual([73, 127, 255, 200]);
    expect(apply('e_contrast:50', [0, 128, 255])[0]).toBe(0);
    expect(apply('e_contrast:50', [0, 128, 255])[2]).toBe(255);
    expect(Math.abs(apply('e_contrast:50', [128, 128, 128])[0] - 128)).toBeLessThanOrEqual(1);
    expect(apply('e_contrast:50', [96, 96, 96])[0]).toBeLessThan(96);
    expect(apply('e_contrast:-50', [96, 96, 96])[0]).toBeGreaterThan(96);
    expect(apply('e_contrast', [96, 96, 96])[0]).toBe(96); // level 0, Cloudinary's default
  });
  it('e_gamma: out = in^(1 / (1 + l/100))', () => {
    expect(apply('e_gamma:100', [64, 128, 255])).toEqual([128, 181, 255, 200]);
  });
  it('e_saturation:-100 and e_blackwhite give gray and pure black or white', () => {
    const [r, g, b] = apply('e_saturation:-100', [200, 50, 50]);
    expect(r).toBe(g);
    expect(g).toBe(b);
    expect(apply('e_blackwhite:50', [200, 200, 200])).toEqual([255, 255, 255, 200]);
    expect(apply('e_blackwhite:90', [200, 200, 200])).toEqual([0, 0, 0, 200]);
  });
  it('e_hue:100 rotates red by 180 degrees towards cyan, keeping the luma', () => {
    const [r, g, b] = apply('e_hue:100', [200, 0, 0]);
    expect(r).toBeLessThan(g);
    expect(r).toBeLessThan(b);
  });
  it('e_tint maps luma onto the gradient of its colours, mixed by the amount', () => {
    expect(apply('e_tint:100:black:0p:white:100p', [200, 200, 200])).toEqual([200, 200, 200, 200]);
    expect(apply('e_tint:100:blue:0p:blue:100p', [10, 200, 90])).toEqual([0, 0, 255, 200]);
    expect(apply('e_tint:50:blue:0p:blue:100p', [100, 100, 100])).toEqual([50, 50, 178, 200]);
  });
  it('e_recolor is the row-major matrix on 0..1 values', () => {
    expect(apply('e_recolor:0:0:1:0:1:0:1:0:0', [10, 20, 30])).toEqual([30, 20, 10, 200]);
  });
  it('e_simulate_colorblind makes red and green alike for a deuteranope', () => {
    const red = apply('e_simulate_colorblind', [200, 60, 60]);
    const green = apply('e_simulate_colorblind', [90, 140, 60]);
    const d = (a: number[], b: number[]) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
    expect(d(red, green)).toBeLessThan(d([200, 60, 60], [90, 140, 60]) / 2);
  });
  it('every e_art preset plans one colour step that changes a photo-like colour', () => {
    for (const name of ['al_dente', 'audrey', 'hokusai', 'zorro', 'ukulele'])
      expect(apply(`e_art:${name}`, [180, 120, 60]), name).not.toEqual([180, 120, 60, 200]);
  });
});
