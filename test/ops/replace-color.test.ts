// e_replace_color on synthetic rasters: the Lab conversion, which pixels move and where they land.
import { describe, expect, it } from 'vitest';
import { fromLab, prominentColor, replaceColor, toLab } from '../../src/ops/replace-color';
import type { Raster } from '../../src/pixels/raster';

const raster = (colors: number[][], repeat = 1): Raster => {
  const data = new Uint8Array(colors.length * repeat * 4);
  for (let i = 0; i < colors.length * repeat; i++) data.set(colors[i % colors.length], i * 4);
  return { width: colors.length * repeat, height: 1, data, opaque: true };
};
const at = (r: Raster, i: number) => [...r.data.subarray(i * 4, i * 4 + 4)];

describe('e_replace_color', () => {
  it('L*a*b* round-trips every 8-bit grey and the primaries', () => {
    for (const c of [[0, 0, 0], [255, 255, 255], [255, 0, 0], [0, 255, 0], [0, 0, 255], [128, 64, 200], ...Array.from({ length: 256 }, (_, v) => [v, v, v])]) {
      const [L, a, b] = toLab(c[0], c[1], c[2]);
      expect(fromLab(L, a, b)).toEqual(c);
    }
    // Reference values (CIE L*a*b*, D65) of sRGB red.
    const red = toLab(255, 0, 0);
    expect(red[0]).toBeCloseTo(53.24, 1);
    expect(red[1]).toBeCloseTo(80.09, 1);
    expect(red[2]).toBeCloseTo(67.2, 1);
  });

  it('moves the source colour onto the target and its shades onto the target’s shades; far colours stay', () => {
    const r = replaceColor(
      raster([
        [255, 0, 0, 255],
        [200, 20, 20, 255],
        [128, 128, 128, 255],
        [0, 200, 0, 255],
        [255, 0, 0, 90],
      ]),
      [0, 0, 255, 255],
      50,
      [255, 0, 0, 255],
    );
    expect(at(r, 0)).toEqual([0, 0, 255, 255]);
    const darker = at(r, 1);
    // A darker, duller red becomes a darker, duller blue: blue dominates, and it is darker than pure blue's luminance.
    expect(darker[2]).toBeGreaterThan(darker[0] + 60);
    expect(darker[2]).toBeGreaterThan(darker[1] + 60);
    expect(toLab(darker[0], darker[1], darker[2])[0]).toBeLessThan(toLab(0, 0, 255)[0]);
    expect(at(r, 2)).toEqual([128, 128, 128, 255]);
    expect(at(r, 3)).toEqual([0, 200, 0, 255]);
    // Alpha is kept.
    expect(at(r, 4)).toEqual([0, 0, 255, 90]);
  });

  it('the tolerance is the radius: a wider one reaches further', () => {
    const orange = [255, 120, 0, 255];
    const narrow = replaceColor(raster([orange]), [0, 0, 255, 255], 20, [255, 0, 0, 255]);
    const wide = replaceColor(raster([orange]), [0, 0, 255, 255], 90, [255, 0, 0, 255]);
    expect(at(narrow, 0)).toEqual(orange);
    expect(at(wide, 0)).not.toEqual(orange);
    expect(replaceColor(raster([[255, 0, 0, 255]]), [0, 0, 255, 255], 0, [255, 0, 0, 255]).data[0]).toBe(255);
  });

  it('without a source, the most common strong colour is replaced, not the greys or the minority hue', () => {
    const img = raster(
      [
        [220, 30, 40, 255],
        [210, 40, 30, 255],
        [225, 25, 35, 255],
        [40, 180, 60, 255],
        [128, 128, 128, 255],
        [250, 250, 250, 255],
      ],
      20,
    );
    const source = prominentColor(img)!;
    expect(source[1]).toBeGreaterThan(50); // red: strongly positive a*
    const out = replaceColor(img, [0, 0, 255, 255], 50);
    expect(at(out, 0)[2]).toBeGreaterThan(at(out, 0)[0]);
    expect(at(out, 3)).toEqual([40, 180, 60, 255]);
    expect(at(out, 4)).toEqual([128, 128, 128, 255]);
    expect(
      prominentColor(
        raster([
          [128, 128, 128, 255],
          [30, 30, 30, 255],
        ]),
      ),
    ).toBeUndefined();
  });
});
