import { describe, expect, it } from 'vitest';
import { errorOf } from '../url/error-of';
import { jpegHeader, plan, sizeOf } from './helpers';

const camera640 = jpegHeader(640, 427); // docs/camera-640.jpg
const tallHall = jpegHeader(200, 303); // docs/tall-hall.jpg

describe('output sizes (test vectors D)', () => {
  const vectors: [string, ReturnType<typeof jpegHeader>, string][] = [
    ['c_fill,h_100,w_100,dpr_2.0', camera640, '200x200'],
    ['c_scale,w_4.0', tallHall, '800x1212'],
    ['c_mfit,h_20,w_20', camera640, '640x427'],
    ['c_mpad,h_20,w_20', camera640, '640x427'],
    ['c_scale,w_150', camera640, '150x100'],
    ['c_scale,h_150,w_150', camera640, '150x150'],
    ['c_scale,w_0.5', camera640, '320x214'],
    ['c_scale,fl_ignore_aspect_ratio,h_150', camera640, '640x150'],
    ['c_fit,h_150,w_150', camera640, '150x100'],
    ['c_limit,h_150,w_150', camera640, '150x100'],
    ['c_limit,w_1000', camera640, '640x427'],
    ['c_fill,h_150,w_150', camera640, '150x150'],
    ['c_lfill,h_150,w_150', camera640, '150x150'],
    ['b_black,c_pad,h_150,w_150', camera640, '150x150'],
    ['b_green,c_lpad,h_150,w_400', camera640, '400x150'],
    ['c_crop,h_150,w_150,x_80,y_30', camera640, '150x150'],
    ['c_crop,g_south,h_150,w_200', camera640, '200x150'],
    ['c_scale,w_150/dpr_2.0', camera640, '300x200'],
    ['a_90', camera640, '427x640'],
    ['w_200,w_400', camera640, '400x267'],
  ];
  for (const [t, header, expected] of vectors) {
    it(`${t} on ${header.width}x${header.height} gives ${expected}`, () => expect(sizeOf(plan(t, header))).toBe(expected));
  }

  it('c_scale,h_300/dpr_2.0 is 600 px tall', () => expect(plan('c_scale,h_300/dpr_2.0', camera640).height).toBe(600));
  it('c_scale,h_150/dpr_2.0: dpr in a later component scales the earlier resize', () => expect(plan('c_scale,h_150/dpr_2.0', camera640).height).toBe(300));
});

describe('where the pixels go', () => {
  const stepsOf = (t: string) => plan(t, camera640).steps.filter((s) => s.op !== 'decode' && s.op !== 'encode' && s.op !== 'flatten');

  it('c_crop with x/y and no gravity crops from the top-left offset', () => {
    expect(stepsOf('c_crop,h_150,w_150,x_80,y_30')).toEqual([{ op: 'crop', x: 80, y: 30, width: 150, height: 150 }]);
  });
  it('c_crop,g_south takes the bottom centre', () => {
    expect(stepsOf('c_crop,g_south,h_150,w_200')).toEqual([{ op: 'crop', x: 220, y: 277, width: 200, height: 150 }]);
  });
  it('c_crop x/y pixel offsets are multiplied by the dpr', () => {
    expect(stepsOf('c_crop,h_50,w_50,x_10,y_20,dpr_2.0')).toEqual([{ op: 'crop', x: 20, y: 40, width: 100, height: 100 }]);
  });
  it('c_crop with fractional offsets uses fractions of the input', () => {
    expect(stepsOf('c_crop,h_100,w_100,x_0.5,y_0.1')).toEqual([{ op: 'crop', x: 320, y: 43, width: 100, height: 100 }]);
  });
  it('b_black,c_pad centres a 150x100 image with 25 px bands', () => {
    expect(stepsOf('b_black,c_pad,h_150,w_150')).toEqual([
      { op: 'resize', width: 150, height: 100 },
      { op: 'pad', x: 0, y: 25, width: 150, height: 150, background: [0, 0, 0, 255] },
    ]);
  });
  it('c_lpad scales down to 225x150 and pads to 400x150', () => {
    const [resize, pad] = stepsOf('b_green,c_lpad,h_150,w_400');
    expect(resize).toEqual({ op: 'resize', width: 225, height: 150 });
    expect(pad).toMatchObject({ op: 'pad', x: 87, y: 0, width: 400, height: 150 });
  });
  it('c_lpad never scales up: pads the original to the requested size', () => {
    expect(stepsOf('c_lpad,h_500,w_800')).toEqual([{ op: 'pad', x: 80, y: 36, width: 800, height: 500, background: [255, 255, 255, 255] }]);
  });
  it('c_mpad pads without scaling when the request is larger', () => {
    expect(stepsOf('c_mpad,h_500,w_800')).toEqual([{ op: 'pad', x: 80, y: 36, width: 800, height: 500, background: [255, 255, 255, 255] }]);
  });
  it('c_fill resizes to cover then crops by gravity', () => {
    expect(stepsOf('c_fill,g_north,h_100,w_100')).toEqual([
      { op: 'resize', width: 150, height: 100 },
      { op: 'crop', x: 25, y: 0, width: 100, height: 100 },
    ]);
    expect(stepsOf('c_fill,g_east,h_100,w_100')[1]).toMatchObject({ x: 50, y: 0 });
  });
  it('face gravities are refused, not cropped north as if no face were there', () => {
    expect(errorOf(() => stepsOf('c_fill,g_faces,h_100,w_400')).message).toMatch(/g_faces is not available: dprox has no face detection/);
    expect(errorOf(() => plan('c_thumb,g_face,h_150,w_150', camera640)).status).toBe(400);
  });
  it('g_auto leaves the window position to the pixels', () => {
    expect(stepsOf('c_fill,g_auto,h_100,w_100')[1]).toEqual({ op: 'crop-auto', width: 100, height: 100 });
  });
  it('c_lfill never upscales', () => {
    expect(stepsOf('c_lfill,h_1000,w_1000')).toEqual([]);
    expect(stepsOf('c_lfill,h_200,w_1000')).toEqual([{ op: 'crop', x: 0, y: 113, width: 640, height: 200 }]);
  });
  it('ar alone crops (fill) or pads (pad) to the ratio', () => {
    expect(stepsOf('ar_1:1,c_fill')).toEqual([{ op: 'crop', x: 106, y: 0, width: 427, height: 427 }]);
    expect(stepsOf('ar_1.0,c_pad')).toMatchObject([{ op: 'pad', width: 640, height: 640 }]);
    expect(sizeOf(plan('ar_16:9,c_fill,w_320', camera640))).toBe('320x180');
  });
  it('iw/ih and chained components apply to the previous result', () => {
    expect(sizeOf(plan('c_scale,w_320/c_crop,h_ih,w_0.5', camera640))).toBe('160x214');
    expect(sizeOf(plan('c_fill,h_100,w_100/c_scale,w_2.0', camera640))).toBe('200x200');
  });
  it('an angle is applied before the crop in the same component', () => {
    expect(sizeOf(plan('a_90,c_fill,h_50,w_100', camera640))).toBe('100x50');
    expect(stepsOf('a_hflip')).toEqual([{ op: 'flip', axis: 'horizontal', width: 640, height: 427 }]);
    expect(stepsOf('a_-90')).toEqual([{ op: 'rotate', degrees: 270, width: 427, height: 640 }]);
  });
});

describe('shrink-on-load', () => {
  it('drops the resize when the scaled decode already has the exact size', () => {
    const p = plan('c_scale,w_2000', jpegHeader(4000, 3000));
    expect(p.steps.map((s) => s.op)).toEqual(['decode', 'encode']);
    expect(p.steps[0]).toMatchObject({ shrink: 2, width: 2000, height: 1500 });
    expect(p.peakBytes).toBeLessThan(100 * 2 ** 20);
  });
  it('keeps it when the sizes differ', () => {
    const p = plan('c_scale,w_1999', jpegHeader(4000, 3000));
    expect(p.steps.map((s) => s.op)).toEqual(['decode', 'resize', 'encode']);
  });
});

describe('bytes held beside the plan', () => {
  it('count in the peak, given the decoded size, and can push a plan over the budget', async () => {
    const { buildPlan } = await import('../../src/plan/plan');
    const { parseComponent } = await import('../../src/url/component');
    const input = {
      components: [parseComponent('c_scale,w_200')],
      header: jpegHeader(4000, 3000),
      inputBytes: 0,
      output: { format: 'jpg' as const, quality: 80, progressive: false },
    };
    const base = buildPlan(input);
    let seen = '';
    const withExtra = buildPlan({
      ...input,
      extraBytes: (d) => {
        seen = `${d.width}x${d.height}`;
        return 1000;
      },
    });
    expect(seen).toBe('500x375'); // decoded at 1/8, then resized by 2.5
    expect(withExtra.peakBytes).toBe(base.peakBytes + 1000);
    expect(() => buildPlan({ ...input, extraBytes: () => 100 * 2 ** 20 })).toThrow(/too large to process/);
  });
});

describe('EXIF orientation', () => {
  it('is applied after decoding and swaps sides for 5..8', () => {
    const p = plan('c_scale,w_400', jpegHeader(640, 427, { orientation: 6 }));
    expect(p.steps[0]).toMatchObject({ op: 'decode', shrink: 1, width: 640, height: 427 });
    expect(p.steps[1]).toMatchObject({ op: 'orient', orientation: 6, width: 427, height: 640 });
    expect(sizeOf(p)).toBe('400x600');
  });
  it('shrinks on load in raw orientation and orients the smaller raster', () => {
    const p = plan('c_scale,w_100', jpegHeader(640, 427, { orientation: 6 }));
    expect(p.steps[0]).toMatchObject({ op: 'decode', shrink: 4, width: 160, height: 107 });
    expect(p.steps[1]).toMatchObject({ op: 'orient', width: 107, height: 160 });
    expect(sizeOf(p)).toBe('100x150');
  });
  it('is skipped with a_ignore', () => {
    const p = plan('a_ignore,c_scale,w_100', jpegHeader(640, 427, { orientation: 6 }));
    expect(p.steps.some((s) => s.op === 'orient')).toBe(false);
    expect(sizeOf(p)).toBe('100x67');
  });
});

describe('effects scale with the DPR', () => {
  it('blur sigma doubles at dpr 2', () => {
    const one = plan('c_scale,w_200,e_blur:300', camera640).steps.find((s) => s.op === 'blur');
    const two = plan('c_scale,w_200,e_blur:300,dpr_2.0', camera640).steps.find((s) => s.op === 'blur');
    expect(one).toMatchObject({ sigma: 15 });
    expect(two).toMatchObject({ sigma: 30 });
  });
  it('sharpen radius scales, amount does not', () => {
    const s = plan('c_scale,w_200,e_sharpen:200,dpr_3.0', camera640).steps.find((s) => s.op === 'sharpen');
    expect(s).toMatchObject({ sigma: 3, amount: 2 });
  });
  it('rounded corners scale, r_max does not need to', () => {
    expect(plan('c_fill,w_100,h_100,r_10,dpr_2.0', camera640).steps.find((s) => s.op === 'round-corners')).toMatchObject({ radii: [20, 20, 20, 20] });
  });
});
