// WASM memory bounds of the benchmark suite's JPEG cases (bench/delivery.mjs), through the Worker in a
// fresh isolate. WASM memory never shrinks, so each figure is the high-water of this and every earlier
// case: the cases run from the tightest bound up.
import { describe, expect, it } from 'vitest';
import { CLOUD, dims, fixture, image, upload, wasmMemory } from './worker';

const MB = 1024 * 1024;
const base = `/${CLOUD}/image/upload`;

describe('benchmark cases stay within their WASM memory bounds', () => {
  it.each([
    ['case 1: 12 MP JPEG -> c_fill,w_800,h_600,q_80', '12mp.jpg', 'c_fill,w_800,h_600,q_80', '800x600', 48],
    ['case 5: 50 MP JPEG -> w_1000', '50mp.jpg', 'w_1000', '1000x667', 64],
    ['case 4: 24 MP JPEG -> w_2400', '24mp.jpg', 'w_2400', '2400x1600', 100],
  ])('%s under its bound', async (_, file, t, size, boundMb) => {
    const id = `cases/${file.replace('.jpg', '')}`;
    await upload(id, await fixture(file));
    const { header } = await image(`${base}/${t}/${id}.jpg`);
    expect(dims(header)).toBe(size);
    const { total, modules } = await wasmMemory();
    console.log(`${_}: WASM high-water ${(total / MB).toFixed(1)} MB ${JSON.stringify(modules)}`);
    expect(total).toBeLessThan(boundMb * MB);
  });
});
