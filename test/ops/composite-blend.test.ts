// Layer blend modes and cutters on synthetic rasters: the W3C separable formulas, the alpha cut and
// its inverse, and anti-removal's deterministic jitter.
import { describe, expect, it } from 'vitest';
import { composite } from '../../src/ops/composite';
import type { Raster } from '../../src/pixels/raster';
import type { Step } from '../../src/plan/steps';

type Composite = Extract<Step, { op: 'composite' }>;
const solid = (w: number, h: number, c: number[]): Raster => {
  const data = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) data.set(c, i * 4);
  return { width: w, height: h, data, opaque: c[3] === 255 };
};
const at = (r: Raster, x: number, y: number) => [...r.data.subarray((y * r.width + x) * 4, (y * r.width + x) * 4 + 4)];
const step = (extra: Partial<Composite>, w = 4, h = 4): Composite =>
  ({ op: 'composite', under: false, tiled: false, x: 1, y: 1, baseX: 0, baseY: 0, width: w, height: h, ...extra }) as Composite;

describe('layer blend modes', () => {
  const base = () => solid(4, 4, [200, 100, 50, 255]);
  const layer = () => solid(2, 2, [128, 255, 0, 255]);

  it('multiply, screen and overlay give the W3C formulas where the layer lies, and leave the rest', () => {
    expect(at(composite(base(), layer(), step({ blend: 'multiply' })), 1, 1)).toEqual([100, 100, 0, 255]);
    expect(at(composite(base(), layer(), step({ blend: 'screen' })), 1, 1)).toEqual([228, 255, 50, 255]);
    // overlay: 2·b·s where the image is dark (≤ half), the screen of the doubles where it is light.
    expect(at(composite(base(), layer(), step({ blend: 'overlay' })), 2, 2)).toEqual([200, 200, 0, 255]);
    expect(at(composite(base(), layer(), step({ blend: 'multiply' })), 0, 0)).toEqual([200, 100, 50, 255]);
    // Normal compositing: the layer's own colour.
    expect(at(composite(base(), layer(), step({})), 1, 1)).toEqual([128, 255, 0, 255]);
  });

  it('an underlay blends with the image as the source over it', () => {
    // multiply is symmetric: the same colour whichever is on top.
    expect(at(composite(base(), layer(), step({ blend: 'multiply', under: true })), 1, 1)).toEqual([100, 100, 0, 255]);
    // overlay is not: B(backdrop = layer, source = image) = 2·b·s or the screen, by the layer's channel.
    expect(at(composite(base(), layer(), step({ blend: 'overlay', under: true })), 1, 1)).toEqual([200, 255, 0, 255]);
  });
  it('a half-transparent layer blends half its effect', () => {
    const out = composite(base(), solid(2, 2, [0, 0, 0, 128]), step({ blend: 'multiply' }));
    // multiply with black is black; at alpha 128/255 the result is halfway from the image.
    expect(at(out, 1, 1)[0]).toBeCloseTo(200 * (1 - 128 / 255), -0.5);
  });

  it('mask keeps the image only under the layer; cut_out removes it there', () => {
    const mask = composite(base(), layer(), step({ cutter: true }));
    expect(at(mask, 1, 1)).toEqual([200, 100, 50, 255]);
    expect(at(mask, 0, 0)[3]).toBe(0);
    const cut = composite(base(), layer(), step({ cutter: 'inverse' }));
    expect(at(cut, 1, 1)[3]).toBe(0);
    expect(at(cut, 0, 0)).toEqual([200, 100, 50, 255]);
  });

  it('anti_removal moves the layer’s colours, the same way every time, more at a higher level', () => {
    const big = () => solid(40, 40, [128, 128, 128, 255]);
    const once = composite(solid(40, 40, [0, 0, 0, 255]), big(), step({ blend: 'anti_removal', level: 0.8, x: 0, y: 0 }, 40, 40));
    const twice = composite(solid(40, 40, [0, 0, 0, 255]), big(), step({ blend: 'anti_removal', level: 0.8, x: 0, y: 0 }, 40, 40));
    const low = composite(solid(40, 40, [0, 0, 0, 255]), big(), step({ blend: 'anti_removal', level: 0.1, x: 0, y: 0 }, 40, 40));
    expect(once.data).toEqual(twice.data);
    const spread = (r: Raster) => Math.max(...r.data.filter((_, i) => i % 4 === 0)) - Math.min(...r.data.filter((_, i) => i % 4 === 0));
    expect(spread(once)).toBeGreaterThan(20);
    expect(spread(low)).toBeLessThan(spread(once));
  });
});
