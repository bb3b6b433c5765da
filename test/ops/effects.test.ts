import { describe, expect, it } from 'vitest';
import { extendedBox, extendedBoxVariance, blur } from '../../src/ops/blur';
import { crop } from '../../src/ops/crop';
import { flatten } from '../../src/ops/flatten';
import { grayscale } from '../../src/ops/grayscale';
import { opacity } from '../../src/ops/opacity';
import { orient } from '../../src/ops/orient';
import { pad } from '../../src/ops/pad';
import { roundCorners } from '../../src/ops/round-corners';
import type { Raster } from '../../src/pixels/raster';
import { resize } from '../../src/ops/resize';
import { flip } from '../../src/ops/flip';
import { rotate } from '../../src/ops/rotate';
import { sharpen } from '../../src/ops/sharpen';
import { coords, load, psnr, px, solid } from '../pixels/util';

function impulse(n: number): Raster {
  const r = solid(n, n, [0, 0, 0, 255]);
  r.data.set([255, 255, 255, 255], ((n >> 1) * n + (n >> 1)) * 4);
  return r;
}

/** Sum of squared differences between horizontal neighbours (high-frequency energy). */
function hfEnergy(r: Raster): number {
  let e = 0;
  for (let y = 0; y < r.height; y++)
    for (let x = 1; x < r.width; x++) {
      const i = (y * r.width + x) * 4;
      const d = r.data[i] - r.data[i - 4];
      e += d * d;
    }
  return e;
}

describe('blur', () => {
  it('Gaussian of an impulse is the sampled normalised Gaussian', () => {
    const sigma = 2;
    // Scale the impulse so rounding is small: 255 at the centre of a 41x41 black image.
    const out = blur(impulse(41), sigma);
    const rad = Math.ceil(3 * sigma);
    let norm = 0;
    for (let k = -rad; k <= rad; k++) norm += Math.exp((-k * k) / (2 * sigma * sigma));
    for (const [dx, dy] of [
      [0, 0],
      [1, 0],
      [2, 1],
      [3, 3],
      [5, 0],
    ]) {
      const expect2d = (255 * Math.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma))) / (norm * norm);
      expect(Math.abs(px(out, 20 + dx, 20 + dy)[0] - expect2d)).toBeLessThanOrEqual(0.5 + 1e-9);
    }
    expect(px(out, 20 + 7, 20)[0]).toBe(0); // outside radius 3 sigma
  });

  it('blur(2x image, 2 sigma) downscaled by 2 matches blur(image, sigma) > 35 dB', async () => {
    const src = await load('rgb.png');
    const big = resize(src, 1024, 1024);
    for (const sigma of [1.5, 3]) {
      const a = resize(blur(big, sigma * 2), 512, 512);
      const b = blur(src, sigma);
      expect(psnr(a, b)).toBeGreaterThan(35);
    }
  });

  it('large sigma uses boxes with the right variance and stays close to the true Gaussian', async () => {
    for (const s of [11, 20, 57]) {
      const { r, alpha } = extendedBox(s);
      expect(alpha).toBeGreaterThanOrEqual(0);
      expect(alpha).toBeLessThanOrEqual(1);
      expect(3 * extendedBoxVariance(r, alpha)).toBeCloseTo(s * s, 6);
    }
    // Compare with the true sampled Gaussian: impulse response and an image.
    const imp = blur(impulse(121), 12);
    let norm = 0;
    for (let k = -36; k <= 36; k++) norm += Math.exp((-k * k) / 288);
    const peak = (255 * 1) / (norm * norm);
    for (const d of [0, 6, 12, 24]) expect(Math.abs(px(imp, 60 + d, 60)[0] - peak * Math.exp((-d * d) / 288))).toBeLessThan(0.05 * peak + 0.5);
    const src = await load('medium.jpg');
    const box = blur(src, 10.5);
    const k = (x: number) => Math.exp((-x * x) / (2 * 10.5 * 10.5));
    const { buildTaps } = await import('../../src/ops/taps');
    const { passFromBytes, passToBytes } = await import('./reference-filter');
    const tx = buildTaps(src.width, src.width, k, 32.5, 1),
      ty = buildTaps(src.height, src.height, k, 32.5, 1);
    const exact = { ...src, data: passToBytes(passFromBytes(src.data, src.width, src.height, tx, false), src.height, src.width, ty, false) };
    const db = psnr(box, exact);
    console.log(`extended-box blur sigma 10.5 vs true Gaussian: ${db.toFixed(2)} dB`);
    expect(db).toBeGreaterThan(40);
  });
});

describe('sharpen', () => {
  it('increases high-frequency energy and leaves flat areas alone', async () => {
    const src = await load('small.jpg');
    const out = sharpen(src, 1, 1.5);
    expect(hfEnergy(out)).toBeGreaterThan(hfEnergy(src) * 1.3);
    const flat = solid(30, 30, [90, 120, 150, 255]);
    expect(sharpen(flat, 2, 3).data).toEqual(flat.data);
  });
  it('threshold keeps small differences', () => {
    const r = solid(10, 10, [100, 100, 100, 255]);
    r.data[(5 * 10 + 5) * 4] = 104;
    expect(sharpen(r, 1, 2, 10).data).toEqual(r.data);
  });
});

describe('geometry', () => {
  it('crop copies the exact region', () => {
    const r = crop(coords(10, 8), 3, 2, 4, 5);
    expect([r.width, r.height]).toEqual([4, 5]);
    expect(px(r, 0, 0)).toEqual([3, 2, 7, 255]);
    expect(px(r, 3, 4)).toEqual([6, 6, 7, 255]);
  });

  it('pad clips negative offsets and fills the background', () => {
    const r = pad(coords(4, 4), 6, 5, -1, 2, [9, 8, 7, 0]);
    expect([r.width, r.height, r.opaque]).toEqual([6, 5, false]);
    expect(px(r, 0, 0)).toEqual([9, 8, 7, 0]);
    expect(px(r, 0, 2)).toEqual([1, 0, 7, 255]);
    expect(px(r, 2, 4)).toEqual([3, 2, 7, 255]);
    expect(px(r, 3, 2)).toEqual([9, 8, 7, 0]);
    expect(pad(coords(2, 2), 3, 3, 0, 0, [0, 0, 0, 255]).opaque).toBe(true);
  });

  it('rotate and flip move pixels exactly', () => {
    const c = coords(3, 2);
    const r90 = rotate(c, 90);
    expect([r90.width, r90.height]).toEqual([2, 3]);
    expect(px(r90, 1, 0)).toEqual([0, 0, 7, 255]); // top-left goes to top-right
    expect(px(r90, 0, 2)).toEqual([2, 1, 7, 255]);
    const r270 = rotate(c, 270);
    expect(px(r270, 0, 2)).toEqual([0, 0, 7, 255]); // top-left goes to bottom-left
    expect(px(rotate(c, 180), 0, 0)).toEqual([2, 1, 7, 255]);
    expect(px(flip(c, 'horizontal'), 0, 1)).toEqual([2, 1, 7, 255]);
    expect(px(flip(c, 'vertical'), 0, 0)).toEqual([0, 1, 7, 255]);
  });

  it('orient 1..8 shows the image upright', () => {
    // The upright image U is coords(3, 2). For each orientation, build the stored raster S that a
    // camera would write (the inverse transform), then check orient(S) == U.
    const U = coords(3, 2);
    const stored: Record<number, Raster> = {
      1: U,
      2: flip(U, 'horizontal'),
      3: rotate(U, 180),
      4: flip(U, 'vertical'),
      5: rotate(flip(U, 'horizontal'), 270), // transpose is its own inverse
      6: rotate(U, 270),
      7: rotate(flip(U, 'horizontal'), 90),
      8: rotate(U, 90),
    };
    for (let o = 1; o <= 8; o++) {
      const out = orient(stored[o], o);
      expect([o, out.width, out.height]).toEqual([o, 3, 2]);
      expect([o, ...out.data]).toEqual([o, ...U.data]);
    }
    // Orientation 5 is the transpose: stored (x, y) -> displayed (y, x).
    const t = orient(coords(2, 3), 5);
    expect(px(t, 2, 1)).toEqual([1, 2, 7, 255]);
  });
});

describe('effects', () => {
  it('grayscale is BT.601 luma', () => {
    const r = grayscale(solid(2, 2, [255, 0, 0, 255]));
    expect(px(r, 1, 1)).toEqual([76, 76, 76, 255]);
    expect(px(grayscale(solid(1, 1, [10, 200, 30, 128])), 0, 0)).toEqual([124, 124, 124, 128]);
  });

  it('roundCorners cuts anti-aliased corners and r_max gives an ellipse', () => {
    const r = roundCorners(solid(40, 20, [1, 2, 3, 255]), [10, 0, 5, 10]);
    expect(r.opaque).toBe(false);
    expect(px(r, 0, 0)[3]).toBe(0);
    expect(px(r, 39, 0)[3]).toBe(255); // radius 0 corner
    expect(px(r, 20, 10)[3]).toBe(255);
    expect(px(r, 39, 19)[3]).toBe(0);
    const partial = [...r.data].filter((_, i) => i % 4 === 3).filter((a) => a > 0 && a < 255);
    expect(partial.length).toBeGreaterThan(5);
    const e = roundCorners(solid(40, 20, [1, 2, 3, 255]), 'max');
    expect(px(e, 20, 0)[3]).toBeGreaterThan(100); // top middle: on the ellipse
    expect(px(e, 0, 10)[3]).toBeGreaterThan(100);
    expect(px(e, 4, 2)[3]).toBe(0);
    expect(px(e, 20, 10)[3]).toBe(255);
    let inside = 0;
    for (let i = 3; i < e.data.length; i += 4) inside += e.data[i] / 255;
    expect(Math.abs(inside - Math.PI * 20 * 10) / (Math.PI * 200)).toBeLessThan(0.01);
  });

  it('opacity multiplies alpha; flatten composites over the background', () => {
    const r = opacity(solid(2, 1, [200, 100, 0, 255]), 40);
    expect(px(r, 0, 0)).toEqual([200, 100, 0, 102]);
    expect(r.opaque).toBe(false);
    const f = flatten(r, [0, 0, 255, 255]);
    expect(f.opaque).toBe(true);
    expect(px(f, 1, 0)).toEqual([80, 40, 153, 255]);
  });
});
