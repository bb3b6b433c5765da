// Pixels of the geometry steps of issue #13, measured: borders, arbitrary rotation, run-time backgrounds, c_fill_pad.
import { describe, expect, it } from 'vitest';
import { border } from '../../src/ops/border';
import { crop } from '../../src/ops/crop';
import { fillPad } from '../../src/ops/fill-pad';
import { autoColor, padAuto } from '../../src/ops/pad-auto';
import { padBlurred } from '../../src/ops/pad-blurred';
import { rotate } from '../../src/ops/rotate';
import { rotateAny } from '../../src/ops/rotate-any';
import { roundCorners } from '../../src/ops/round-corners';
import { rotatedBounds } from '../../src/plan/component-steps';
import type { Raster } from '../../src/pixels/raster';
import { coords, load, psnr, px, solid } from '../pixels/util';

const RED = [255, 0, 0, 255] as const;

/** Paints the w x h rectangle at (x, y) of r with rgba. */
function paint(r: Raster, x: number, y: number, w: number, h: number, rgba: readonly number[]) {
  for (let j = y; j < y + h; j++) for (let i = x; i < x + w; i++) r.data.set(rgba, (j * r.width + i) * 4);
  return r;
}

describe('border', () => {
  it('frames the rectangle: every frame pixel is exactly the colour, the image is copied inside', () => {
    const src = coords(40, 30);
    const out = border(src, 3, RED);
    expect([out.width, out.height, out.opaque]).toEqual([46, 36, true]);
    let frame = 0;
    for (let y = 0; y < out.height; y++)
      for (let x = 0; x < out.width; x++) {
        const inside = x >= 3 && x < 43 && y >= 3 && y < 33;
        if (inside) expect(px(out, x, y)).toEqual(px(src, x - 3, y - 3));
        else {
          expect(px(out, x, y)).toEqual([...RED]);
          frame++;
        }
      }
    expect(frame).toBe(46 * 36 - 40 * 30);
  });

  it('with rounded corners follows them: no gap between the image and the frame, transparent outside the grown shape', () => {
    const src = roundCorners(solid(60, 40, [0, 0, 255, 255]), [10, 10, 10, 10]);
    const out = border(src, 4, RED, [10, 10, 10, 10]);
    expect([out.width, out.height]).toEqual([68, 48]);
    // The grown shape's corner is outside (radius 14 around (14, 14)), the frame's straight runs are exactly red.
    expect(px(out, 0, 0)[3]).toBe(0);
    expect(px(out, 34, 1)).toEqual([...RED]);
    expect(px(out, 1, 24)).toEqual([...RED]);
    // Where round-corners cut the image (its corner pixel), the frame shows: opaque red.
    expect(px(out, 4, 4)).toEqual([...RED]);
    // Centre: the image.
    expect(px(out, 34, 24)).toEqual([0, 0, 255, 255]);
    // Every pixel inside the grown shape, away from its anti-aliased edge, is opaque.
    for (let y = 0; y < 48; y++)
      for (let x = 0; x < 68; x++) {
        const dx = Math.max(0, 14 - (x + 0.5), x + 0.5 - 54);
        const dy = Math.max(0, 14 - (y + 0.5), y + 0.5 - 34);
        if (Math.hypot(dx, dy) < 14 - 1) expect(px(out, x, y)[3], `${x},${y}`).toBe(255);
      }
  });

  it('r_max: the frame is the ellipse around the image ellipse', () => {
    const out = border(roundCorners(solid(40, 20, [0, 0, 255, 255]), 'max'), 5, RED, 'max');
    expect([out.width, out.height]).toEqual([50, 30]);
    expect(px(out, 25, 1)).toEqual([...RED]);
    expect(px(out, 1, 1)[3]).toBe(0);
    expect(px(out, 25, 15)).toEqual([0, 0, 255, 255]);
  });
});

describe('rotate-any', () => {
  it('the output is the rotated bounds, the corners the background', () => {
    const src = coords(60, 40);
    const size = rotatedBounds(src, 30);
    const out = rotateAny(src, 30, size.width, size.height, [0, 0, 255, 255]);
    expect([out.width, out.height]).toEqual([72, 65]);
    expect(out.opaque).toBe(true);
    expect(px(out, 0, 0)).toEqual([0, 0, 255, 255]);
    expect(px(out, 71, 64)).toEqual([0, 0, 255, 255]);
    const clear = rotateAny(src, 30, size.width, size.height, [0, 0, 0, 0]);
    expect(clear.opaque).toBe(false);
    expect(px(clear, 0, 0)[3]).toBe(0);
    // The centre pixel keeps the image's centre colour (up to the bilinear half-pixel).
    const c = px(clear, 36, 32);
    expect(Math.abs(c[0] - 30)).toBeLessThanOrEqual(2);
    expect(Math.abs(c[1] - 20)).toBeLessThanOrEqual(2);
  });

  it('90 degrees through the general path equals the exact quarter turn', () => {
    const src = coords(31, 17);
    const out = rotateAny(src, 90, 17, 31, [0, 0, 0, 0]);
    expect(psnr(out, rotate(src, 90), 4)).toBe(Infinity);
  });

  it('45 degrees and back: the centre matches the original above 30 dB', async () => {
    const src = await load('medium-444.jpg');
    const a = rotatedBounds(src, 45);
    const once = rotateAny(src, 45, a.width, a.height, [0, 0, 0, 0]);
    const b = rotatedBounds(once, 315);
    const back = rotateAny(once, 315, b.width, b.height, [0, 0, 0, 0]);
    const x = Math.round((back.width - src.width) / 2);
    const y = Math.round((back.height - src.height) / 2);
    // The original's frame minus 2 px (the anti-aliased edge) on each side.
    const inner = (r: Raster, ox: number, oy: number) => crop(r, ox + 2, oy + 2, src.width - 4, src.height - 4);
    const db = psnr(inner(back, x, y), inner(src, 0, 0));
    console.log(`a_45 then a_-45: ${src.width}x${src.height}, PSNR ${db.toFixed(1)} dB`);
    expect(db).toBeGreaterThan(30);
  }, 30_000);

  it('work: logs its rate per output pixel (the calibration of WORK_NS.rotateAny)', () => {
    const src = coords(250, 250);
    const big = { width: 1500, height: 1000, data: new Uint8Array(1500 * 1000 * 4).fill(200), opaque: true };
    rotateAny(src, 10, 300, 300, [0, 0, 0, 0]);
    const t = performance.now();
    const size = rotatedBounds(big, 10);
    rotateAny(big, 10, size.width, size.height, [0, 0, 0, 0]);
    const ns = ((performance.now() - t) * 1e6) / (size.width * size.height);
    console.log(`rotate-any: ${ns.toFixed(1)} ns/px`);
  });
});

describe('b_auto (pad-auto)', () => {
  const framed = () => paint(paint(solid(100, 60, [0, 128, 0, 255]), 0, 0, 100, 60, RED), 5, 5, 90, 50, [0, 128, 0, 255]);
  it('border: the edge pixels predominant colour, exactly', () =>
    expect(autoColor(framed(), { kind: 'auto', from: 'border', contrast: false })).toEqual([...RED]));
  it('predominant: of all pixels', () => expect(autoColor(framed(), { kind: 'auto', from: 'predominant', contrast: false })).toEqual([0, 128, 0, 255]));
  it('contrast: the opposite corner of the RGB cube, or the farthest palette colour', () => {
    expect(autoColor(framed(), { kind: 'auto', from: 'border', contrast: true })).toEqual([0, 255, 255, 255]);
    const palette = [
      [250, 10, 10, 255],
      [0, 0, 0, 255],
      [255, 255, 255, 255],
    ] as const;
    expect(autoColor(framed(), { kind: 'auto', from: 'border', contrast: false, palette })).toEqual([250, 10, 10, 255]);
    expect(autoColor(framed(), { kind: 'auto', from: 'border', contrast: true, palette })).toEqual([255, 255, 255, 255]);
  });
  it('pads with it', () => {
    const out = padAuto(framed(), 100, 100, 0, 20, { kind: 'auto', from: 'border', contrast: false });
    expect(px(out, 50, 5)).toEqual([...RED]);
    expect(px(out, 50, 95)).toEqual([...RED]);
    expect(px(out, 50, 50)).toEqual([0, 128, 0, 255]);
  });
});

describe('b_blurred (pad-blurred)', () => {
  it('the image pasted as it is over a blurred cover of itself; brightness -100 is black', async () => {
    const src = await load('medium-444.jpg', 4);
    const out = padBlurred(src, 200, 200, 0, 50, { kind: 'blurred', sigma: 5, brightness: 0 });
    expect([out.width, out.height, out.opaque]).toEqual([200, 200, true]);
    expect(psnr(crop(out, 0, 50, 150, 100), crop(src, 0, 0, 150, 100))).toBe(Infinity);
    // The padding varies (not a flat colour) but smoothly: neighbours close.
    const top = crop(out, 0, 0, 150, 50);
    const values = new Set<number>();
    let jump = 0;
    for (let x = 1; x < 150; x++) {
      values.add(px(top, x, 25)[1]);
      jump = Math.max(jump, Math.abs(px(top, x, 25)[1] - px(top, x - 1, 25)[1]));
    }
    expect(values.size).toBeGreaterThan(5);
    expect(jump).toBeLessThan(16);
    const dark = padBlurred(src, 200, 200, 0, 50, { kind: 'blurred', sigma: 5, brightness: -100 });
    expect(px(dark, 100, 10)).toEqual([0, 0, 0, 255]);
  }, 30_000);
});

describe('c_fill_pad (fill-pad)', () => {
  const GRAY = [128, 128, 128, 255];
  const WHITE = [255, 255, 255, 255] as const;
  const marks = (r: Raster, xs: number[]) => {
    for (const x of xs) paint(r, x, 80, 20, 40, [0, 0, 0, 255]);
    return r;
  };
  const dark = (r: Raster, x0: number, x1: number) => {
    for (let y = 0; y < r.height; y++) for (let x = x0; x < x1; x++) if (px(r, x, y)[0] < 60) return true;
    return false;
  };
  it('content at both ends of a wide image: scales down to keep it and pads instead of cropping', () => {
    const src = marks(solid(600, 200, GRAY as never), [10, 570]);
    const out = fillPad(src, 200, 200, { kind: 'color', color: WHITE });
    expect([out.width, out.height]).toEqual([200, 200]);
    expect(dark(out, 0, 30)).toBe(true);
    expect(dark(out, 170, 200)).toBe(true);
    expect(px(out, 100, 0)).toEqual([...WHITE]);
    expect(px(out, 100, 199)).toEqual([...WHITE]);
  });
  it('content in the middle: fills as c_fill,g_auto would, no padding', () => {
    const src = marks(solid(600, 200, GRAY as never), [290]);
    const out = fillPad(src, 200, 200, { kind: 'color', color: WHITE });
    expect([out.width, out.height]).toEqual([200, 200]);
    for (const [x, y] of [
      [100, 0],
      [100, 199],
      [0, 100],
      [199, 100],
    ])
      expect(px(out, x, y)).toEqual(GRAY);
    expect(dark(out, 80, 120)).toBe(true);
  });
  it('with b_auto the padding is the image border colour', () => {
    const src = marks(solid(600, 200, GRAY as never), [10, 570]);
    const out = fillPad(src, 200, 200, { kind: 'auto', from: 'border', contrast: false });
    expect(px(out, 100, 0)).toEqual(GRAY);
  });
});

describe('b_auto gradients (pad-auto)', () => {
  // 60% red, 30% blue, 10% green, in columns: the votes rank red, blue, green.
  const striped = () => paint(paint(solid(20, 10, [...RED]), 12, 0, 6, 10, [0, 0, 255, 255]), 18, 0, 2, 10, [0, 128, 0, 255]);
  const gradient = (colors: 2 | 4, direction: 'horizontal' | 'vertical' | 'diagonal_desc' | 'diagonal_asc', contrast = false) =>
    padAuto(striped(), 60, 30, 20, 10, { kind: 'auto', from: 'predominant', contrast, gradient: { colors, direction } });

  it('2 colours run from the first to the second along the direction; the image is untouched', () => {
    const h = gradient(2, 'horizontal');
    expect(px(h, 0, 0)).toEqual([...RED]);
    expect(px(h, 59, 29)).toEqual([0, 0, 255, 255]);
    expect(px(h, 30, 0)[0]).toBeGreaterThan(100);
    expect(px(h, 30, 0)[0]).toBeLessThan(155);
    expect(px(h, 25, 15)).toEqual(px(striped(), 5, 5));
    const v = gradient(2, 'vertical');
    expect(px(v, 59, 0)).toEqual([...RED]);
    expect(px(v, 0, 29)).toEqual([0, 0, 255, 255]);
    const asc = gradient(2, 'diagonal_asc');
    expect(px(asc, 0, 29)).toEqual([...RED]);
    expect(px(asc, 59, 0)).toEqual([0, 0, 255, 255]);
  });

  it('4 colours sit at the corners in order of votes; _contrast uses each one’s contrast', () => {
    const four = gradient(4, 'horizontal');
    expect(px(four, 0, 0)).toEqual([...RED]);
    expect(px(four, 59, 0)).toEqual([0, 0, 255, 255]);
    expect(px(four, 59, 29)).toEqual([0, 128, 0, 255]);
    // Only three colours voted: the last repeats.
    expect(px(four, 0, 29)).toEqual([0, 128, 0, 255]);
    const contrast = gradient(2, 'horizontal', true);
    expect(px(contrast, 0, 0)).toEqual([0, 255, 255, 255]);
    expect(px(contrast, 59, 0)).toEqual([255, 255, 0, 255]);
  });
});
