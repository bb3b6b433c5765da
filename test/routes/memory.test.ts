// The 128 MB isolate limit is not enforced by local workerd, so these high-water marks are what protects
// production. WASM memory never shrinks, so /_dprox/memory after a request is that request's high-water mark
// (this file runs in its own isolate).
import { describe, expect, it } from 'vitest';
import { CLOUD, dims, fixture, get, image, upload, wasmMemory } from './worker';

const MB = 1024 * 1024;
const base = `/${CLOUD}/image/upload`;

const wasmTotal = async () => (await wasmMemory()).total;

describe('memory high-water marks through the Worker', () => {
  it('a 24 MP JPEG to c_fill,w_800,h_600 stays under 64 MB of WASM memory', async () => {
    await upload('big/24mp', await fixture('24mp.jpg'));
    const { header } = await image(`${base}/c_fill,w_800,h_600/big/24mp.jpg`);
    expect(dims(header)).toBe('800x600');
    const total = await wasmTotal();
    console.log(`24 MP -> c_fill,w_800,h_600: WASM memory ${(total / MB).toFixed(1)} MB`);
    expect(total).toBeLessThan(64 * MB);
  });

  it('a 50 MP JPEG is accepted when shrink-on-load makes it fit, and stays under 64 MB too', async () => {
    await upload('big/50mp', await fixture('50mp.jpg'));
    const { header } = await image(`${base}/c_fill,w_800,h_600/f_webp/big/50mp.jpg`);
    expect(dims(header)).toBe('800x600');
    const total = await wasmTotal();
    console.log(`50 MP -> c_fill,w_800,h_600 (webp): WASM memory ${(total / MB).toFixed(1)} MB`);
    expect(total).toBeLessThan(64 * MB);
  });

  it('the same 50 MP JPEG at full size cannot fit and is refused before decoding', async () => {
    const before = await wasmTotal();
    const res = await get(`${base}/c_scale,w_1.0/big/50mp.jpg`);
    expect(res.status).toBe(400);
    expect(res.headers.get('X-Cld-Error')).toMatch(/too large to process/);
    expect(await wasmTotal()).toBe(before);
  });

  it('a PNG decompression bomb (64 MP in 190 KB) is refused from its header alone', async () => {
    await upload('big/bomb', await fixture('bomb.png'));
    const before = await wasmTotal();
    const res = await get(`${base}/c_scale,w_100/big/bomb.png`);
    expect(res.status).toBe(400);
    expect(res.headers.get('X-Cld-Error')).toMatch(/too large to process/);
    expect(await wasmTotal()).toBe(before);
  });
});
