// Planner sizes and steps of borders, arbitrary angles, run-time backgrounds, c_fill_pad, z_ and g_xy_center.
import { describe, expect, it } from 'vitest';
import { componentSteps, rotatedBounds } from '../../src/plan/component-steps';
import { parseComponent } from '../../src/url/component';
import { jpegHeader, plan, sizeOf } from './helpers';

// A PNG: no shrink-on-load, so every resize stays a step.
const photo = jpegHeader(600, 400, { format: 'png' });
const stepsOf = (t: string, h = photo) => plan(t, h).steps.filter((s) => s.op !== 'decode' && s.op !== 'encode');

describe('bo_ (border)', () => {
  it('grows the canvas by twice the width', () => expect(sizeOf(plan('bo_5px_solid_red', photo))).toBe('610x410'));
  it('multiplies the width by the DPR', () => expect(sizeOf(plan('c_scale,w_100,bo_5px_solid_red/dpr_2.0', photo))).toBe('220x153'));
  it('comes after the resize of its component', () =>
    expect(stepsOf('c_scale,w_300,bo_2px_solid_rgb:00ff00')).toEqual([
      { op: 'resize', width: 300, height: 200 },
      { op: 'border', size: 2, color: [0, 255, 0, 255], width: 304, height: 204 },
    ]));
  it('with r_ in the same component follows the corners, after the rounding', () => {
    const s = stepsOf('r_20,bo_4px_solid_red').filter((x) => x.op !== 'flatten');
    expect(s.map((x) => x.op)).toEqual(['round-corners', 'border']);
    expect(s[1]).toMatchObject({ radii: [20, 20, 20, 20], size: 4 });
  });
  it('as its own component frames the rectangle', () => expect(stepsOf('r_20/bo_4px_solid_red').find((x) => x.op === 'border')).not.toHaveProperty('radii'));
  it('stacks when chained', () => expect(sizeOf(plan('bo_10px_solid_blue/bo_10px_solid_red', photo))).toBe('640x440'));
  it('parses names, rgb: and alpha; refuses other styles', () => {
    expect(parseComponent('bo_3px_solid_rgb:ff000080').bo).toEqual({ width: 3, color: [255, 0, 0, 128] });
    expect(() => parseComponent('bo_3px_dotted_red')).toThrow(/Invalid border/);
    expect(() => parseComponent('bo_3_solid_red')).toThrow(/Invalid border/);
    expect(() => parseComponent('bo_0px_solid_red')).toThrow(/Invalid border/);
  });
});

describe('a_ (any angle)', () => {
  it('the canvas is the rotated bounds', () => {
    expect(rotatedBounds({ width: 600, height: 400 }, 45)).toEqual({ width: 707, height: 707 });
    expect(rotatedBounds({ width: 600, height: 400 }, 30)).toEqual({ width: 720, height: 646 });
    expect(sizeOf(plan('a_45', photo))).toBe('707x707');
    expect(sizeOf(plan('a_-30', photo))).toBe('720x646');
  });
  it('multiples of 90 keep the exact quarter turns', () => {
    expect(stepsOf('a_-90')).toEqual([{ op: 'rotate', degrees: 270, width: 400, height: 600 }]);
    expect(stepsOf('a_450')).toEqual([{ op: 'rotate', degrees: 90, width: 400, height: 600 }]);
  });
  it('the corners are b_, or transparent (flattened white for a JPEG)', () => {
    expect(stepsOf('a_10,b_blue')[0]).toMatchObject({ op: 'rotate-any', degrees: 10, background: [0, 0, 255, 255] });
    const s = stepsOf('a_10');
    expect(s[0]).toMatchObject({ op: 'rotate-any', background: [0, 0, 0, 0] });
    expect(s.at(-1)).toMatchObject({ op: 'flatten', background: [255, 255, 255, 255] });
  });
  it('downscales inputs over 3000 px before rotating, as Cloudinary does', () => {
    // The plan itself would be over the memory budget (a 3086 px JPEG's encode): the component's steps alone.
    const s = componentSteps(parseComponent('a_45'), { width: 3300, height: 1500 }, 1);
    expect(s[0]).toEqual({ op: 'resize', width: 3000, height: 1364 });
    expect(s[1]).toMatchObject({ op: 'rotate-any', ...rotatedBounds({ width: 3000, height: 1364 }, 45) });
    expect(componentSteps(parseComponent('a_45'), { width: 3000, height: 1500 }, 1)[0]).toMatchObject({ op: 'rotate-any' });
  });
  it('a_auto_right / a_auto_left turn a quarter when the crop orientation differs', () => {
    expect(stepsOf('a_auto_right,c_fill,w_100,h_200')[0]).toMatchObject({ op: 'rotate', degrees: 90 });
    expect(stepsOf('a_auto_left,c_fill,w_100,h_200')[0]).toMatchObject({ op: 'rotate', degrees: 270 });
    expect(stepsOf('a_auto_left,c_fill,w_200,h_100')[0]).toMatchObject({ op: 'resize' });
    expect(sizeOf(plan('a_auto_right,c_fill,w_100,h_200', photo))).toBe('100x200');
    expect(() => parseComponent('a_auto_right.45')).toThrow(/Invalid angle/);
    expect(() => parseComponent('a_auto')).toThrow(/Invalid angle/);
  });
  it('keeps canonical angles', () => {
    expect(parseComponent('a_-45').a).toMatchObject({ degrees: 315 });
    expect(parseComponent('a_hflip.45').a).toMatchObject({ degrees: 45, hflip: true });
  });
});

describe('b_auto and b_blurred', () => {
  it('c_pad with b_auto plans a pad that picks its colour at run time', () =>
    expect(stepsOf('b_auto,c_pad,w_300,h_300')).toEqual([
      { op: 'resize', width: 300, height: 200 },
      { op: 'pad-auto', x: 0, y: 50, width: 300, height: 300, fill: { kind: 'auto', from: 'border', contrast: false } },
    ]));
  it('modes and palette', () => {
    expect(parseComponent('b_auto:predominant_contrast').b).toEqual({ kind: 'auto', from: 'predominant', contrast: true });
    expect(parseComponent('b_auto:border:palette_red_00ff00').b).toEqual({
      kind: 'auto',
      from: 'border',
      contrast: false,
      palette: [
        [255, 0, 0, 255],
        [0, 255, 0, 255],
      ],
    });
  });
  it('plans the gradient forms as gradient fills, and refuses the gradient-only arguments without them', () => {
    expect(stepsOf('b_auto:border_gradient,c_pad,w_300,h_300').at(-1)).toMatchObject({
      op: 'pad-auto',
      fill: { kind: 'auto', from: 'border', contrast: false, gradient: { colors: 2, direction: 'horizontal' } },
    });
    expect(stepsOf('b_auto:predominant_gradient_contrast:4,c_pad,w_300,h_300').at(-1)).toMatchObject({
      fill: { from: 'predominant', contrast: true, gradient: { colors: 4 } },
    });
    expect(() => parseComponent('b_auto:border:2')).toThrow(/gradient/);
    expect(() => parseComponent('b_auto:sideways')).toThrow(/Invalid background/);
  });
  it('b_blurred: sigma intensity / 20 px times the DPR, brightness kept', () => {
    expect(stepsOf('b_blurred:400:-20,c_pad,w_300,h_300/dpr_2.0').at(-1)).toMatchObject({
      op: 'pad-blurred',
      width: 600,
      height: 600,
      fill: { kind: 'blurred', sigma: 40, brightness: -20 },
    });
    expect(parseComponent('b_blurred').b).toEqual({ kind: 'blurred', intensity: 100, brightness: 0 });
    expect(() => parseComponent('b_blurred:0')).toThrow(/Invalid background/);
    expect(() => parseComponent('b_blurred:100:-301')).toThrow(/Invalid background/);
  });
  it('refuses them outside the pad modes', () => {
    expect(() => plan('b_auto,c_fill,w_100,h_100', photo)).toThrow(/fills the padding/);
    expect(() => plan('b_blurred,a_45', photo)).toThrow(/fills the padding/);
  });
  it('c_lpad and c_mpad take them too', () => {
    expect(stepsOf('b_auto:predominant,c_mpad,w_700,h_700')[0]).toMatchObject({ op: 'pad-auto', width: 700, height: 700, x: 50, y: 150 });
    expect(stepsOf('b_blurred,c_lpad,w_700,h_500')[0]).toMatchObject({ op: 'pad-blurred', width: 700, height: 500 });
  });
});

describe('c_fill_pad', () => {
  it('one step at the requested size, with its fill', () => {
    expect(stepsOf('b_auto,c_fill_pad,g_auto,w_200,h_200')).toEqual([
      { op: 'fill-pad', width: 200, height: 200, fill: { kind: 'auto', from: 'border', contrast: false } },
    ]);
    expect(stepsOf('c_fill_pad,g_auto,w_100,h_100,dpr_2.0')[0]).toMatchObject({
      op: 'fill-pad',
      width: 200,
      height: 200,
      fill: { kind: 'color', color: [255, 255, 255, 255] },
    });
    expect(sizeOf(plan('c_fill_pad,g_auto,ar_1.0', photo))).toBe('400x400');
  });
  it('needs g_auto', () => expect(() => plan('c_fill_pad,w_100,h_100', photo)).toThrow(/c_fill_pad needs g_auto/));
});

describe('z_ (zoom) and g_xy_center', () => {
  it('c_crop without w/h crops the image scaled by 1/z around the gravity', () => {
    expect(stepsOf('c_crop,z_2')).toEqual([{ op: 'crop', x: 150, y: 100, width: 300, height: 200 }]);
    expect(stepsOf('c_crop,g_north_west,z_4')).toEqual([{ op: 'crop', x: 0, y: 0, width: 150, height: 100 }]);
    expect(stepsOf('c_crop,z_0.5')).toEqual([]);
  });
  it('c_crop with w/h: z has no effect (breadth §3)', () => expect(stepsOf('c_crop,w_100,h_100,z_2')).toEqual(stepsOf('c_crop,w_100,h_100')));
  it('c_thumb crops the fill window shrunk by 1/z, then scales it to w x h', () => {
    expect(stepsOf('c_thumb,g_center,w_100,h_100,z_2')).toEqual([
      { op: 'crop', x: 200, y: 100, width: 200, height: 200 },
      { op: 'resize', width: 100, height: 100 },
    ]);
    expect(stepsOf('c_thumb,g_north,w_100,h_100,z_2')[0]).toEqual({ op: 'crop', x: 200, y: 0, width: 200, height: 200 });
    expect(stepsOf('c_thumb,g_auto,w_100,h_100,z_2')[0]).toEqual({ op: 'crop-auto', width: 200, height: 200 });
    // Zooming out cannot go past the image: the fill window.
    expect(stepsOf('c_thumb,w_100,h_100,z_0.5')).toEqual([
      { op: 'crop', x: 100, y: 0, width: 400, height: 400 },
      { op: 'resize', width: 100, height: 100 },
    ]);
  });
  it('is refused where no crop reads it', () => expect(() => plan('c_fill,w_100,h_100,z_2', photo)).toThrow(/z_ \(zoom\) applies to c_crop and c_thumb/));
  it('g_xy_center centres the crop on (x, y), clamped to the image', () => {
    expect(stepsOf('c_crop,g_xy_center,x_100,y_100,w_100,h_100')).toEqual([{ op: 'crop', x: 50, y: 50, width: 100, height: 100 }]);
    expect(stepsOf('c_crop,g_xy_center,x_10,y_390,w_100,h_100')).toEqual([{ op: 'crop', x: 0, y: 300, width: 100, height: 100 }]);
    expect(stepsOf('c_crop,g_xy_center,x_0.75,y_0.5,z_2')).toEqual([{ op: 'crop', x: 300, y: 100, width: 300, height: 200 }]);
  });
  it('g_xy_center with c_fill: the point of the input, where it lands after the resize', () =>
    expect(stepsOf('c_fill,g_xy_center,x_500,y_200,w_200,h_200')).toEqual([
      { op: 'resize', width: 300, height: 200 },
      { op: 'crop', x: 100, y: 0, width: 200, height: 200 },
    ]));
});

describe('dpr_ without a width or height', () => {
  it('keeps the size', () => expect(sizeOf(plan('dpr_3.0', photo))).toBe('600x400'));
});
