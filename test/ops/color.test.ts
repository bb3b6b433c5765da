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
    expect(() => matrixOf('co_red')).toThrow(/co_ needs an effect that uses a colour/);
    expect(() => matrixOf('e_sepia,co_red')).toThrow(/co_ needs/);
  });
});
