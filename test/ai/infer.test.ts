import { beforeAll, describe, expect, it } from 'vitest';
import { inferImage, inferRows, planInference } from '../../src/ai/infer';
import { AI_MODELS, type AiModelName } from '../../src/ai/models';
import { crop } from '../../src/ops/crop';
import type { Raster } from '../../src/pixels/raster';
import { resize } from '../../src/ops/resize';
import { psnr } from '../pixels/util';
import { loadCached as load } from './measure';

// All fixtures first, before anything loads ORT.
beforeAll(async () => {
  await Promise.all(['medium.jpg', 'small.jpg', 'rgb.png', 'alpha.png'].map(load));
});

function maxAbsDiff(a: Raster, b: Raster): number {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
  return m;
}

/** Deterministic Gaussian-ish noise (sum of uniforms), clipped. */
function noisy(r: Raster, sigma: number): Raster {
  let s = 12345;
  const rnd = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const data = r.data.slice();
  for (let i = 0; i < data.length; i++) {
    if ((i & 3) === 3) continue;
    const n = (rnd() + rnd() + rnd() + rnd() - 2) * Math.sqrt(3) * sigma;
    data[i] = Math.max(0, Math.min(255, Math.round(data[i] + n)));
  }
  return { ...r, data };
}

describe('tiled inference', () => {
  for (const model of ['upscale', 'gen_restore'] as AiModelName[])
    it(`${model}: 32-px tiles with the model's halo match untiled inference (no seams)`, async () => {
      const medium = await load('medium.jpg');
      for (const [w, h] of [
        [96, 80],
        [97, 79],
      ]) {
        const src = crop(medium, 300, 150, w, h);
        expect(planInference(model, w, h, { tile: 32 }).length).toBe(3);
        const tiled = await inferImage(model, src, { tile: 32 });
        const whole = await inferImage(model, src, { tile: 4096 });
        const d = maxAbsDiff(tiled, whole);
        console.log(`${model} ${w}x${h}: tiled (32 px, halo ${AI_MODELS[model].halo}) vs untiled, max abs diff ${d}`);
        expect(d).toBeLessThanOrEqual(1);
        expect(tiled.width).toBe(w * AI_MODELS[model].scale);
        expect(tiled.height).toBe(h * AI_MODELS[model].scale);
        expect(tiled.opaque).toBe(true);
      }
    });

  it('without the halo the tiles would show seams (the test above can fail)', async () => {
    const src = crop(await load('medium.jpg'), 300, 150, 96, 80);
    const whole = await inferImage('upscale', src, { tile: 4096 });
    // Same plan with halo 0: run each core alone by upscaling crops.
    const a = await inferImage('upscale', crop(src, 0, 0, 48, 80), { tile: 4096 });
    let d = 0;
    for (let y = 0; y < 320; y++)
      for (let x = 180; x < 192; x++) for (let c = 0; c < 3; c++) d = Math.max(d, Math.abs(a.data[(y * 192 + x) * 4 + c] - whole.data[(y * 384 + x) * 4 + c]));
    console.log(`upscale: a 48-px half without context differs by up to ${d} grey levels near its cut edge`);
    expect(d).toBeGreaterThan(1);
  });

  it('startRow resumes with identical bytes', async () => {
    const src = crop(await load('medium.jpg'), 200, 100, 70, 90);
    for (const model of ['upscale', 'gen_restore'] as AiModelName[]) {
      const all: { row: number; y: number; data: Uint8Array }[] = [];
      for await (const s of inferRows(model, src, { tile: 32 })) {
        expect(s.rows).toBe(3);
        expect(s.width).toBe(70 * AI_MODELS[model].scale);
        expect(s.data.length).toBe(s.width * s.height * 4);
        all.push(s);
      }
      expect(all.map((s) => s.row)).toEqual([0, 1, 2]);
      const resumed: Uint8Array[] = [];
      for await (const s of inferRows(model, src, { tile: 32, startRow: 2 })) {
        expect(s.row).toBe(2);
        expect(s.y).toBe(all[2].y);
        resumed.push(s.data);
      }
      expect(resumed.length).toBe(1);
      expect(resumed[0]).toEqual(all[2].data);
      const none = [];
      for await (const s of inferRows(model, src, { tile: 32, startRow: 3 })) none.push(s);
      expect(none.length).toBe(0);
    }
  });

  it('concurrent inferences (one run at a time inside) give the same bytes as sequential ones', async () => {
    const medium = await load('medium.jpg');
    const a = crop(medium, 10, 10, 40, 40);
    const b = crop(medium, 400, 200, 50, 30);
    const seq = [await inferImage('upscale', a, { tile: 16 }), await inferImage('gen_restore', b, { tile: 16 })];
    const par = await Promise.all([inferImage('upscale', a, { tile: 16 }), inferImage('gen_restore', b, { tile: 16 }), inferImage('upscale', a, { tile: 16 })]);
    expect(par[0].data).toEqual(seq[0].data);
    expect(par[1].data).toEqual(seq[1].data);
    expect(par[2].data).toEqual(seq[0].data);
  });

  it("upscales 'small.jpg' 200x303 to 800x1212", async () => {
    const src = await load('small.jpg');
    expect([src.width, src.height]).toEqual([200, 303]);
    const out = await inferImage('upscale', src);
    expect([out.width, out.height, out.opaque]).toEqual([800, 1212, true]);
    // Sanity: the upscaled image, shrunk back, is close to the input.
    const back = resize(out, 200, 303);
    const p = psnr(back, src);
    console.log(`small.jpg x4, shrunk back to 200x303: ${p.toFixed(2)} dB against the input`);
    expect(p).toBeGreaterThan(32);
  });

  it('beats Lanczos3 x4 on a downscaled photo (PSNR against the original)', async () => {
    const hr = await load('rgb.png'); // astronaut 512x512
    const lr = resize(hr, 128, 128);
    const sr = await inferImage('upscale', lr);
    const lanczos = resize(lr, 512, 512);
    const pModel = psnr(sr, hr);
    const pLanczos = psnr(lanczos, hr);
    console.log(`rgb.png 512 -> 128 -> 512: dprox-sr-x4 ${pModel.toFixed(2)} dB, Lanczos3 ${pLanczos.toFixed(2)} dB (+${(pModel - pLanczos).toFixed(2)} dB)`);
    expect(pModel).toBeGreaterThan(pLanczos + 0.5);
  });

  it('restore keeps odd sizes and removes noise', async () => {
    const clean = crop(await load('medium.jpg'), 250, 120, 131, 97);
    const dirty = noisy(clean, 15);
    const out = await inferImage('gen_restore', dirty);
    expect([out.width, out.height, out.opaque]).toEqual([131, 97, true]);
    const before = psnr(dirty, clean);
    const after = psnr(out, clean);
    console.log(`gen_restore 131x97, noise sigma 15: ${before.toFixed(2)} dB -> ${after.toFixed(2)} dB`);
    expect(after).toBeGreaterThan(before + 2);
    for (const [w, h] of [
      [1, 1],
      [3, 2],
      [1, 5],
    ]) {
      const tiny = await inferImage('gen_restore', crop(clean, 10, 10, w, h));
      expect([tiny.width, tiny.height]).toEqual([w, h]);
    }
    const one = await inferImage('upscale', crop(clean, 10, 10, 1, 1));
    expect([one.width, one.height]).toEqual([4, 4]);
  });

  it('keeps alpha: Lanczos3-upscaled at x4, copied at x1, opaque flag unchanged', async () => {
    const full = await load('alpha.png');
    expect(full.opaque).toBe(false);
    const src = crop(full, 150, 40, 64, 47); // across the alpha ramp (radius 80..120 around the centre)
    expect(src.opaque).toBe(false);
    const alphaOf = (r: Raster) => {
      const a = new Uint8Array(r.width * r.height * 4);
      for (let i = 3; i < r.data.length; i += 4) a[i - 3] = a[i - 2] = a[i - 1] = a[i] = r.data[i];
      return { width: r.width, height: r.height, data: a, opaque: true };
    };
    const up = await inferImage('upscale', src, { tile: 24 });
    expect([up.width, up.height, up.opaque]).toEqual([256, 188, false]);
    // Tiled alpha = the whole alpha plane resized with Lanczos3.
    const ref = resize(alphaOf(src), 256, 188);
    let d = 0;
    for (let i = 3; i < up.data.length; i += 4) d = Math.max(d, Math.abs(up.data[i] - ref.data[i - 3]));
    expect(d).toBe(0);
    let transparent = 0;
    for (let i = 3; i < up.data.length; i += 4) if (up.data[i] < 255) transparent++;
    expect(transparent).toBeGreaterThan(0);
    const rs = await inferImage('gen_restore', src, { tile: 32 });
    expect([rs.width, rs.height, rs.opaque]).toEqual([64, 47, false]);
    for (let i = 3; i < rs.data.length; i += 4) if (rs.data[i] !== src.data[i]) throw new Error(`alpha changed at ${i >> 2}`);
  });
});
