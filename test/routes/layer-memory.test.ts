// A layer's memory through the Worker (own isolate: WASM memory never shrinks, so /_dprox/memory after a
// request is its high-water mark): a large layer decodes with shrink-on-load, a layer bomb is refused
// from its header before anything is decoded.
import { describe, expect, it } from 'vitest';
import { CLOUD, dims, fixture, get, image, upload, wasmMemory } from './worker';

const MB = 1024 * 1024;
const base = `/${CLOUD}/image/upload`;

const wasmTotal = async () => (await wasmMemory()).total;

describe('layer memory', () => {
  it('a PNG bomb as a layer is refused before decoding (the base is not decoded either)', async () => {
    await upload('lm/base', await fixture('medium.jpg'));
    await upload('lm/bomb', await fixture('bomb.png'));
    const before = await wasmTotal();
    const res = await get(`${base}/c_scale,w_300/l_lm:bomb/c_scale,w_50/fl_layer_apply/lm/base.jpg`);
    expect(res.status).toBe(400);
    expect(res.headers.get('X-Cld-Error')).toMatch(/Layer lm\/bomb: Image too large to process/);
    expect(await wasmTotal()).toBe(before);
  });

  it('a 24 MP JPEG layer shrunk on load keeps the request under 64 MB of WASM memory', async () => {
    await upload('lm/24mp', await fixture('24mp.jpg'));
    const { header } = await image(`${base}/c_scale,w_600/l_lm:24mp/c_scale,w_200/fl_layer_apply,g_south_east/lm/base.jpg`);
    expect(dims(header)).toBe('600x400');
    const total = await wasmTotal();
    console.log(`24 MP layer -> w_200 on a 600x400 base: WASM memory ${(total / MB).toFixed(1)} MB`);
    expect(total).toBeLessThan(64 * MB);
  });
});
