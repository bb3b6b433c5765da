// Animated GIF and WebP through the Worker: frames, delays and loops kept through a resize, each
// frame against sharp's reference, pg_ picking a frame, f_gif / f_auto / fl_animated / fl_png8 /
// fl_lossy, and the frames x area budget's first-frame fallback with its header.
import { beforeAll, describe, expect, it } from 'vitest';
import { decode } from '../../src/codecs/decode';
import { openFrames } from '../../src/codecs/animation';
import { readHeader } from '../../src/codecs/header';
import type { Raster } from '../../src/pixels/raster';
import { psnr } from '../pixels/util';
import { CLOUD, fixture, get, image, upload } from './worker';

const base = `/${CLOUD}/image/upload`;

async function frames(bytes: Uint8Array): Promise<{ rasters: Raster[]; delays: number[]; loops: number }> {
  const src = openFrames(bytes, readHeader(bytes));
  const rasters: Raster[] = [];
  const delays: number[] = [];
  for (let f = await src.next(); f; f = await src.next()) {
    rasters.push({ ...f.raster, data: f.raster.data.slice() }); // the source refills one buffer
    delays.push(f.delayMs);
  }
  return { rasters, delays, loops: src.loops };
}

async function png(name: string): Promise<Raster> {
  const bytes = await fixture(name);
  return decode(bytes, readHeader(bytes));
}

async function refused(path: string, reason: RegExp) {
  const res = await get(path);
  await res.arrayBuffer();
  expect(res.status, path).toBe(400);
  expect(res.headers.get('X-Cld-Error'), path).toMatch(reason);
}

beforeAll(async () => {
  await upload('anim/photo', await fixture('anim-photo.gif'));
  await upload('anim/photo-webp', await fixture('anim-photo.webp'));
  await upload('anim/long', await fixture('anim-long.gif'));
  await upload('anim/still', await fixture('medium.jpg'));
  await upload('anim/mark', await fixture('blue-40x20.png'));
});

describe('animated GIF', () => {
  it('keeps its 6 frames, delays and loop count through a resize; each frame is the resized source frame', async () => {
    const { res, bytes, header } = await image(`${base}/c_scale,w_80/anim/photo.gif`);
    expect(res.headers.get('Content-Type')).toBe('image/gif');
    expect(res.headers.get('X-Dprox-Animation')).toBe('6 frames');
    expect([header.width, header.height, header.frames]).toEqual([80, 60, 6]);
    const out = await frames(bytes);
    expect(out.rasters.length).toBe(6);
    expect(out.delays).toEqual([40, 50, 60, 70, 80, 90]);
    expect(out.loops).toBe(3);
    for (const r of out.rasters) expect([r.width, r.height]).toEqual([80, 60]);
    const reference = await png('anim-photo.gif-3-80.png');
    const p = psnr(out.rasters[3], reference);
    console.log('GIF frame 4 after w_80 vs sharp: PSNR', p.toFixed(1), 'dB;', bytes.length, 'bytes');
    expect(p).toBeGreaterThan(30);
    // The frames differ (the photo pans), so none was repeated.
    expect(psnr(out.rasters[0], out.rasters[5])).toBeLessThan(30);
  });

  it('a crop and an effect run on every frame', async () => {
    const { bytes, header } = await image(`${base}/c_crop,w_60,h_40,g_north_west/e_grayscale/anim/photo.gif`);
    expect([header.width, header.height, header.frames]).toEqual([60, 40, 6]);
    for (const r of (await frames(bytes)).rasters)
      for (let i = 0; i < r.data.length; i += 4) expect(Math.abs(r.data[i] - r.data[i + 2])).toBeLessThanOrEqual(8);
  });

  it("an overlay is composited on every frame; pg_ inside a layer picks the layer's frame, not the base image's", async () => {
    const { bytes, header } = await image(`${base}/c_scale,w_80/l_anim:mark/fl_layer_apply/anim/photo.gif`);
    expect([header.width, header.height, header.frames]).toEqual([80, 60, 6]);
    for (const r of (await frames(bytes)).rasters) {
      const at = (30 * 80 + 40) * 4; // the centre: the 40x20 blue block
      expect(Array.from(r.data.subarray(at, at + 3))).toEqual([0, 0, 255]);
    }
    const [p1, p4] = [
      await image(`${base}/l_anim:photo,pg_1/fl_layer_apply/anim/still.png`),
      await image(`${base}/l_anim:photo,pg_4/fl_layer_apply/anim/still.png`),
    ];
    expect([p4.header.width, p4.header.height]).toEqual([640, 427]);
    expect(psnr(await decode(p1.bytes, p1.header), await decode(p4.bytes, p4.header))).toBeLessThan(40);
  });

  it('pg_4 is the fourth frame as libnsgif decodes it; pg_7, ranges and pg_2 of a still are refused; pg_1 of a still is the image', async () => {
    const { bytes, header } = await image(`${base}/pg_4/anim/photo.png`);
    expect([header.width, header.height, header.animated]).toEqual([160, 120, false]);
    expect(psnr(await decode(bytes, header), await png('anim-photo.gif-3.png'))).toBe(Infinity);
    const gif = await image(`${base}/pg_4/anim/photo.gif`);
    expect(gif.header.animated).toBe(false);
    await refused(`${base}/pg_7/anim/photo.gif`, /pg_7.*6 frames/);
    await refused(`${base}/pg_2-4/anim/photo.gif`, /page/);
    await refused(`${base}/pg_2/anim/still.jpg`, /1 frame/);
    const still = await image(`${base}/pg_1/anim/still.png`);
    expect([still.header.width, still.header.height]).toEqual([640, 427]);
  });

  it('over the frames x area budget, the first frame is served and the header says why', async () => {
    const full = await image(`${base}/e_grayscale/anim/long.gif`);
    expect(full.res.headers.get('X-Dprox-Animation')).toBe('first-frame (110 frames x 1000x920 over the 100 MP budget)');
    expect([full.header.width, full.header.height, full.header.animated]).toEqual([1000, 920, false]);
    // Resized to 100 px it fits every budget: 110 frames.
    const small = await image(`${base}/c_scale,w_100/anim/long.gif`);
    expect(small.res.headers.get('X-Dprox-Animation')).toBe('110 frames');
    const out = await frames(small.bytes);
    expect(out.rasters.length).toBe(110);
    // The last frame has the 109 blue patches of the frames before it (kept: disposal 1) along its top row, resized.
    expect(psnr(out.rasters[0], out.rasters[109])).toBeLessThan(50);
    // To 600 px it fits the frames budget (36 MP) but not the work budget: 110 GIF encodes of 600x552.
    const wide = await image(`${base}/c_scale,w_600/anim/long.gif`);
    expect(wide.res.headers.get('X-Dprox-Animation')).toMatch(
      /^first-frame \(110 frames x 600x552 needs about [\d.]+ s of processing, over the 2\.0 s limit\)$/,
    );
    expect([wide.header.width, wide.header.height, wide.header.animated]).toEqual([600, 552, false]);
    // Its first 20 frames fit (pg_ still decodes the frames before the one it picks, and says nothing).
    const pg = await image(`${base}/pg_20,c_crop,w_30,h_1,g_north_west/anim/long.png`);
    expect(pg.res.headers.get('X-Dprox-Animation')).toBeNull();
    const row = await decode(pg.bytes, pg.header);
    // Frames 2-20 each drew one blue pixel at x = 1..19, kept (disposal 1); the screen's red elsewhere.
    expect(Array.from(row.data.subarray(4, 8))).toEqual([0, 0, 255, 255]);
    expect(Array.from(row.data.subarray(19 * 4, 20 * 4))).toEqual([0, 0, 255, 255]);
    expect(Array.from(row.data.subarray(20 * 4, 21 * 4))).toEqual([200, 30, 30, 255]);
  });
});

describe('animated WebP', () => {
  it('fl_animated keeps the frames of a WebP (lossless frames: the source pixels), f_webp alone gives the first frame', async () => {
    const anim = await image(`${base}/c_scale,w_80,fl_animated/anim/photo-webp.webp`);
    expect([anim.header.width, anim.header.height, anim.header.frames]).toEqual([80, 60, 6]);
    const out = await frames(anim.bytes);
    expect(out.delays).toEqual([40, 50, 60, 70, 80, 90]);
    expect(out.loops).toBe(3);
    const ref = await png('anim-photo-3.png');
    // The source frames are lossless: frame 4 at full size is exact.
    const full = await frames((await image(`${base}/fl_animated,q_100/anim/photo-webp.webp`)).bytes);
    const p = psnr(full.rasters[3], ref);
    console.log('animated WebP frame 4 at q_100 vs the source frame: PSNR', p.toFixed(1), 'dB');
    expect(p).toBeGreaterThan(38);
    const still = await image(`${base}/c_scale,w_80/anim/photo-webp.webp`);
    expect(still.header.animated).toBe(false);
    const pg = await image(`${base}/pg_4/anim/photo-webp.png`);
    expect(psnr(await decode(pg.bytes, pg.header), ref)).toBe(Infinity);
  });

  it('a GIF becomes an animated WebP with f_auto where Accept takes WebP, else stays an animated GIF', async () => {
    const webp = await image(`${base}/c_scale,w_80,f_auto/anim/photo.gif`, { Accept: 'image/avif,image/webp,*/*' });
    expect(webp.res.headers.get('Content-Type')).toBe('image/webp');
    expect(webp.header.frames).toBe(6);
    expect(webp.res.headers.get('Vary')).toMatch(/Accept/);
    const gif = await image(`${base}/c_scale,w_80,f_auto/anim/photo.gif`, { Accept: 'image/png,*/*' });
    expect(gif.res.headers.get('Content-Type')).toBe('image/gif');
    expect(gif.header.frames).toBe(6);
    // A browser that takes AVIF takes WebP: animated AVIF is not encoded.
    const avif = await image(`${base}/c_scale,w_80,f_auto/anim/photo.gif`, { Accept: 'image/avif' });
    expect(avif.res.headers.get('Content-Type')).toBe('image/webp');
    await refused(`${base}/fl_animated/anim/photo.png`, /fl_animated/);
  });
});

describe('GIF and palette output', () => {
  it('f_gif of a JPEG is a still GIF within 30 dB of the PNG', async () => {
    const gif = await image(`${base}/c_scale,w_300/f_gif/anim/still.jpg`);
    expect(gif.res.headers.get('Content-Type')).toBe('image/gif');
    const ref = await image(`${base}/c_scale,w_300/anim/still.png`);
    const p = psnr(await decode(gif.bytes, gif.header), await decode(ref.bytes, ref.header));
    console.log('f_gif vs PNG: PSNR', p.toFixed(1), 'dB');
    expect(p).toBeGreaterThan(30);
  });

  it('fl_png8 is an indexed PNG (colour type 3) within 30 dB of the full-colour PNG, and smaller', async () => {
    const p8 = await image(`${base}/c_scale,w_300,fl_png8/anim/still.png`);
    expect(p8.bytes[25]).toBe(3); // IHDR colour type
    const ref = await image(`${base}/c_scale,w_300/anim/still.png`);
    const p = psnr(await decode(p8.bytes, p8.header), await decode(ref.bytes, ref.header));
    console.log('fl_png8 vs PNG: PSNR', p.toFixed(1), 'dB;', p8.bytes.length, 'vs', ref.bytes.length, 'bytes');
    expect(p).toBeGreaterThan(30);
    expect(p8.bytes.length).toBeLessThan(ref.bytes.length);
    await refused(`${base}/fl_png8/anim/still.jpg`, /fl_png8/);
  });

  it('fl_lossy: a smaller GIF within 27 dB; an opaque PNG becomes a JPEG; WebP output refuses it', async () => {
    const exact = await image(`${base}/c_scale,w_80/anim/photo.gif`);
    const lossy = await image(`${base}/c_scale,w_80,fl_lossy/anim/photo.gif`);
    expect(lossy.header.frames).toBe(6);
    console.log('fl_lossy GIF', lossy.bytes.length, 'bytes vs', exact.bytes.length);
    expect(lossy.bytes.length).toBeLessThan(exact.bytes.length * 0.9);
    const [a, b] = [(await frames(lossy.bytes)).rasters[3], (await frames(exact.bytes)).rasters[3]];
    expect(psnr(a, b)).toBeGreaterThan(27);
    const jpg = await image(`${base}/fl_lossy/anim/still.png`);
    expect(jpg.res.headers.get('Content-Type')).toBe('image/jpeg');
    await refused(`${base}/fl_lossy/anim/still.webp`, /fl_lossy/);
  });
});
