import { describe, expect, it } from 'vitest';
import { AVIF_MAX_PIXELS, acceptedFormat, chooseOutput, settleFormat } from '../../src/plan/output';
import { AUTO_TARGETS, sampleLayout, searchQuality, TILE } from '../../src/codecs/quality/search';
import { luma, ssim, ssimLuma } from '../../src/codecs/quality/ssim';
import { buildPlan, MEMORY_BUDGET } from '../../src/plan/plan';
import { parseComponent } from '../../src/url/component';
import { jpegHeader } from '../plan/helpers';

describe('q_auto search (pure)', () => {
  const curve = (q: number) => 1 - 0.5 / q; // SSIM rising with quality
  it('finds the lowest quality reaching the target, in few probes', async () => {
    const target = { ssim: curve(73), min: 30, max: 95 };
    const { quality, probes } = await searchQuality(target, async (q) => curve(q));
    expect(quality).toBe(73);
    expect(probes.length).toBeLessThanOrEqual(7);
    expect(probes.every(([q]) => q >= 30 && q <= 95)).toBe(true);
  });
  it('returns the top of the range when nothing reaches the target, the bottom when everything does', async () => {
    expect((await searchQuality({ ssim: 2, min: 50, max: 85 }, async (q) => curve(q))).quality).toBe(85);
    expect((await searchQuality({ ssim: 0, min: 50, max: 85 }, async (q) => curve(q))).quality).toBe(50);
  });
  it('a coarser step probes less and lands on the grid', async () => {
    const { quality, probes } = await searchQuality({ ssim: curve(73), min: 30, max: 95 }, async (q) => curve(q), 2);
    expect(quality).toBe(74);
    expect(probes.length).toBeLessThanOrEqual(6);
  });
  it('levels are ordered: targets and ranges', () => {
    const order = [AUTO_TARGETS.best, AUTO_TARGETS.good, AUTO_TARGETS.eco, AUTO_TARGETS.low];
    for (let i = 1; i < order.length; i++) {
      expect(order[i].ssim).toBeLessThan(order[i - 1].ssim);
      expect(order[i].min).toBeLessThanOrEqual(order[i - 1].min);
      expect(order[i].max).toBeLessThanOrEqual(order[i - 1].max);
    }
  });
});

describe('q_auto sample layout', () => {
  it('small images are sampled whole', () => {
    expect(sampleLayout(300, 200, 98304)).toEqual({ tiles: [{ x: 0, y: 0, width: 300, height: 200 }], columns: 1, width: 300, height: 200 });
  });
  it('large images: full-resolution tiles inside the image, spread over it, within the pixel budget', () => {
    for (const [w, h] of [
      [768, 512],
      [512, 768],
      [4000, 3000],
      [3000, 130],
      [130, 3000],
    ]) {
      const l = sampleLayout(w, h, 98304);
      expect(l.width * l.height).toBeLessThanOrEqual(98304);
      expect(l.tiles.length).toBe(l.columns * (l.height / l.tiles[0].height));
      for (const t of l.tiles) {
        expect(t.x >= 0 && t.y >= 0 && t.x + t.width <= w && t.y + t.height <= h).toBe(true);
        expect(t.width).toBe(Math.min(TILE, w));
      }
      const xs = l.tiles.map((t) => t.x),
        ys = l.tiles.map((t) => t.y);
      if (w > 1000) expect(Math.max(...xs) - Math.min(...xs)).toBeGreaterThanOrEqual(w / 2);
      if (h > 1000) expect(Math.max(...ys) - Math.min(...ys)).toBeGreaterThanOrEqual(h / 2);
    }
  });
});

describe('output format', () => {
  it('Accept: AVIF over WebP, q=0 refuses', () => {
    expect(acceptedFormat('image/avif,image/webp,image/apng,*/*;q=0.8')).toBe('avif');
    expect(acceptedFormat('image/webp,*/*')).toBe('webp');
    expect(acceptedFormat('image/avif;q=0, image/webp;q=0.5')).toBe('webp');
    expect(acceptedFormat('*/*')).toBeNull();
    expect(acceptedFormat(null)).toBeNull();
  });
  it('f_auto, f_avif, .avif; q_auto carries its level', () => {
    const c = (s: string) => [parseComponent(s)];
    const base = { originalFormat: 'jpg' as const, mayBeTransparent: () => false, accept: 'image/avif' };
    expect(chooseOutput({ ...base, components: c('f_auto') })).toMatchObject({ format: 'avif', varyAccept: true });
    expect(chooseOutput({ ...base, components: c('f_avif'), accept: null })).toMatchObject({ format: 'avif', varyAccept: false });
    expect(chooseOutput({ ...base, components: [], extension: 'avif' })).toMatchObject({ format: 'avif' });
    expect(chooseOutput({ ...base, components: c('q_auto:eco') })).toMatchObject({ format: 'jpg', quality: 70, auto: 'eco' });
    expect(chooseOutput({ ...base, components: c('q_55') }).auto).toBeUndefined();
  });
  it('AVIF over AVIF_MAX_PIXELS settles to WebP, with the reason', () => {
    const out = { format: 'avif' as const, quality: 80, progressive: false };
    expect(settleFormat(out, 1600, 1200)).toEqual({ output: out });
    expect(AVIF_MAX_PIXELS).toBeLessThan(1920 * 1080);
    expect(settleFormat(out, 1920, 1080)).toEqual({ output: { ...out, format: 'webp' }, fallback: 'avif->webp (too large: 1920x1080)' });
    expect(settleFormat({ ...out, format: 'jpg' }, 5000, 5000).fallback).toBeUndefined();
  });
  it('the planner settles the format at the output size, and counts the q_auto search', () => {
    const output = { format: 'avif' as const, quality: 80, progressive: false };
    const big = buildPlan({ components: [], header: jpegHeader(1700, 1200), inputBytes: 0, output });
    expect(big.output.format).toBe('webp');
    expect(big.steps.at(-1)).toMatchObject({ op: 'encode', format: 'webp', width: 1700, height: 1200 });
    expect(big.formatFallback).toBe('avif->webp (too large: 1700x1200)');
    // 1200x900 is under AVIF_MAX_PIXELS, but with a large enough original the AVIF encoder's memory
    // tips the plan over the budget where WebP's does not (the original counts twice: JS and WASM).
    const at = (inputBytes: number, format: 'avif' | 'webp') =>
      buildPlan({ components: [parseComponent('c_scale,w_1200')], header: jpegHeader(4000, 3000), inputBytes, output: { ...output, format } });
    const inputBytes = Math.floor((2 * MEMORY_BUDGET - at(0, 'avif').peakBytes - at(0, 'webp').peakBytes) / 4);
    const tight = at(inputBytes, 'avif');
    expect(tight.output.format).toBe('webp');
    expect(tight.formatFallback).toMatch(/^avif->webp \(memory: \d+ MB over 100 MB\)$/);
    const small = buildPlan({ components: [parseComponent('c_scale,w_800')], header: jpegHeader(4000, 3000), inputBytes: 0, output });
    expect(small.output.format).toBe('avif');
    expect(small.formatFallback).toBeUndefined();
    const auto = buildPlan({
      components: [parseComponent('c_scale,w_800')],
      header: jpegHeader(4000, 3000),
      inputBytes: 0,
      output: { ...output, auto: 'good' },
    });
    expect(auto.steps.at(-1)).toMatchObject({ op: 'encode', auto: 'good' });
    expect(auto.peakBytes).toBeGreaterThan(small.peakBytes);
  });
});

describe('SSIM', () => {
  const noisy = (amp: number) => {
    const data = new Uint8Array(64 * 48 * 4);
    for (let i = 0; i < data.length; i += 4) {
      const x = (i / 4) % 64,
        y = Math.floor(i / 4 / 64);
      const v = 128 + 60 * Math.sin(x / 5) * Math.cos(y / 7) + amp * (((i * 2654435761) >>> 24) / 255 - 0.5);
      data.set([v, v, v, 255], i);
    }
    return { width: 64, height: 48, data, opaque: true };
  };
  it('is 1 for identical images and falls with distortion', () => {
    const a = noisy(0);
    expect(ssim(a, a)).toBeCloseTo(1, 6);
    const s10 = ssim(a, noisy(10)),
      s40 = ssim(a, noisy(40));
    expect(s10).toBeLessThan(1);
    expect(s40).toBeLessThan(s10);
  });
  it('ignores the colour under fully transparent pixels, and works below the window size', () => {
    const a = { width: 8, height: 8, data: new Uint8Array(256).fill(0), opaque: false };
    const b = { width: 8, height: 8, data: new Uint8Array(256).fill(0), opaque: false };
    for (let i = 0; i < 256; i += 4) b.data[i] = 200; // red under alpha 0
    expect(ssimLuma(luma(a), luma(b), 8, 8)).toBeCloseTo(1, 6);
  });
});
