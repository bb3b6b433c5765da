// A layer's memory through the Worker (own isolate: WASM memory never shrinks, so /_dprox/memory after a
// request is its high-water mark): a large layer decodes with shrink-on-load, a layer bomb is refused
// from its header before anything is decoded.
import { env } from 'cloudflare:workers';
import { createExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { LAYER_HEADER_READS } from '../../src/delivery/layer-sources';
import { putOriginal } from '../../src/store/originals';
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

/** R2 reads of the Worker: each get's key and the bytes it asked for (the whole object without a range). */
type Read = { key: string; length: number };
function spyBucket(bucket: R2Bucket, reads: Read[], beforeGet?: (key: string, options?: R2GetOptions) => Promise<void>): R2Bucket {
  return new Proxy(bucket, {
    get(target, prop) {
      if (prop === 'get')
        return async (key: string, options?: R2GetOptions) => {
          await beforeGet?.(key, options);
          const got = await target.get(key, options);
          const range = options?.range as { offset?: number; length?: number } | undefined;
          if (got) reads.push({ key, length: range?.length ?? got.size });
          return got;
        };
      const value = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

async function deliverWith(path: string, reads: Read[], beforeGet?: (key: string, options?: R2GetOptions) => Promise<void>): Promise<Response> {
  return worker.fetch(new Request(`http://localhost${path}`), { ...env, IMAGES: spyBucket(env.IMAGES, reads, beforeGet) }, createExecutionContext());
}

/** A PNG of `size` bytes whose header says width x height RGBA: one IDAT chunk holds the rest (never decoded here). */
function bigPng(width: number, height: number, size: number): Uint8Array {
  const b = new Uint8Array(size);
  const v = new DataView(b.buffer);
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  v.setUint32(8, 13);
  b.set([0x49, 0x48, 0x44, 0x52], 12); // IHDR
  v.setUint32(16, width);
  v.setUint32(20, height);
  b.set([8, 6, 0, 0, 0], 24);
  v.setUint32(33, size - 33 - 12);
  b.set([0x49, 0x44, 0x41, 0x54], 37); // IDAT
  return b;
}

function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const byte of bytes) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

/** The PNG with a tEXt chunk of `n` bytes right after IHDR: its header is no longer in the first bytes. */
function withTextChunk(png: Uint8Array, n: number): Uint8Array {
  const chunk = new Uint8Array(12 + n);
  const v = new DataView(chunk.buffer);
  v.setUint32(0, n);
  chunk.set(new TextEncoder().encode('tEXt'), 4);
  chunk.set(new TextEncoder().encode('Comment'), 8);
  chunk.fill(0x61, 16, 8 + n); // 'Comment\0aaaa...'
  v.setUint32(8 + n, crc32(chunk.subarray(4, 8 + n)));
  const out = new Uint8Array(png.length + chunk.length);
  out.set(png.subarray(0, 33));
  out.set(chunk, 33);
  out.set(png.subarray(33), 33 + chunk.length);
  return out;
}

describe('layer originals are sized before their bodies are read', () => {
  const layerReads = (reads: Read[]) => reads.filter((r) => r.key.includes('/lz/'));

  it('10 large layer originals are refused from their R2 sizes: no layer byte is read', async () => {
    await upload('lz-base', await fixture('small.jpg'));
    const png = bigPng(3000, 2500, 8 * MB);
    const ids = Array.from({ length: 10 }, (_, i) => `lz/big${i}`);
    for (const id of ids)
      await putOriginal(env.IMAGES, CLOUD, 'upload', id, png, { version: 1, format: 'png', width: 3000, height: 2500, alpha: '1' }, 'image/png', null);
    const chain = ids.map((id) => `l_${id.replace('/', ':')},w_10/fl_layer_apply`).join('/');
    const reads: Read[] = [];
    const res = await deliverWith(`${base}/${chain}/lz-base.jpg`, reads);
    expect(res.status).toBe(400);
    expect(res.headers.get('X-Cld-Error')).toMatch(/Layers too large: 10 layer originals of 80.0 MB together, over the 48.0 MB limit/);
    expect(layerReads(reads)).toEqual([]);
  });

  it('layers whose plan is over the budget are refused after reading only their headers', async () => {
    const ids = Array.from({ length: 4 }, (_, i) => `lz/wide${i}`);
    const png = bigPng(6000, 5000, 10 * MB);
    for (const id of ids)
      await putOriginal(env.IMAGES, CLOUD, 'upload', id, png, { version: 1, format: 'png', width: 6000, height: 5000, alpha: '1' }, 'image/png', null);
    const chain = ids.map((id) => `l_${id.replace('/', ':')}/fl_layer_apply`).join('/');
    const reads: Read[] = [];
    const before = await wasmTotal();
    const res = await deliverWith(`${base}/${chain}/lz-base.jpg`, reads);
    expect(res.status).toBe(400);
    expect(res.headers.get('X-Cld-Error')).toMatch(/Image too large to process/);
    expect(layerReads(reads).length).toBeGreaterThan(0);
    for (const r of layerReads(reads)) expect(r.length).toBe(LAYER_HEADER_READS[0]);
    expect(await wasmTotal()).toBe(before);
  });

  it('a header past the first read is found by reading more, the last read being the whole file', async () => {
    const png = withTextChunk(await fixture('sale_icon.png'), 100 * 1024);
    await upload('lz/texty', png);
    const reads: Read[] = [];
    const res = await deliverWith(`${base}/c_scale,w_200/l_lz:texty,w_50/fl_layer_apply/lz-base.jpg`, reads);
    expect(res.status, res.headers.get('X-Cld-Error') ?? '').toBe(200);
    expect(layerReads(reads).map((r) => r.length)).toEqual([LAYER_HEADER_READS[0], png.length]);
    expect(png.length).toBeLessThan(LAYER_HEADER_READS[1]);
  });

  it('a large layer that fits is read whole once, when it is drawn', async () => {
    const png = withTextChunk(await fixture('ref-rgb-900x700.png'), 300 * 1024);
    await upload('lz/texty-big', png);
    const reads: Read[] = [];
    const res = await deliverWith(`${base}/c_scale,w_200/l_lz:texty-big,w_50/fl_layer_apply/lz-base.jpg`, reads);
    expect(res.status, res.headers.get('X-Cld-Error') ?? '').toBe(200);
    expect(png.length).toBeGreaterThan(LAYER_HEADER_READS[2]);
    expect(layerReads(reads).map((r) => r.length)).toEqual([...LAYER_HEADER_READS, png.length]);
  });

  it('a layer replaced between its head and its body read is a 409, not a mix of two files', async () => {
    const png = withTextChunk(await fixture('ref-rgb-900x700.png'), 300 * 1024);
    await upload('lz/moving', png);
    const reads: Read[] = [];
    const res = await deliverWith(`${base}/c_scale,w_200/l_lz:moving,w_50/fl_layer_apply/lz-base.jpg`, reads, async (key, options) => {
      if (key.endsWith('/lz/moving') && !options?.range) await env.IMAGES.put(key, await fixture('sale_icon.png'));
    });
    expect(res.status).toBe(409);
    expect(res.headers.get('X-Cld-Error')).toMatch(/Layer lz\/moving changed while this image was being made/);
  });
});
