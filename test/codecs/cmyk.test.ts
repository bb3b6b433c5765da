import { describe, expect, it } from 'vitest';
import { decode } from '../../src/codecs/decode';
import { readHeader } from '../../src/codecs/header';
import { CMYK_GRID_BYTES, cmykToRgba, cmykTransform } from '../../src/ops/icc-cmyk';
import { CMYK_GRIDS_BYTES } from '../../src/plan/cost/model';
import { fixture, load, psnr } from '../pixels/util';

describe('CMYK JPEG originals to sRGB', () => {
  it('through the embedded profile, like lcms2 (sharp) converts it', async () => {
    const bytes = await fixture('cmyk-icc.jpg');
    const header = readHeader(bytes);
    expect(header).toMatchObject({ format: 'jpg', width: 300, height: 200, components: 4, hasAlpha: false });
    expect(header.icc?.length).toBeGreaterThan(100_000);
    const converted = await decode(bytes, header);
    const naive = await decode(bytes, { ...header, icc: undefined });
    const ref = await load('cmyk-icc.jpg-ref.png');
    const db = psnr(converted, ref);
    console.log(`CMYK JPEG through its profile: ${db.toFixed(1)} dB against sharp's sRGB, naive conversion ${psnr(naive, ref).toFixed(1)} dB`);
    expect(db).toBeGreaterThan(45);
    expect(db).toBeGreaterThan(psnr(naive, ref) + 3);
    expect(converted.data.every((v, i) => i % 4 !== 3 || v === 255)).toBe(true);
  });

  it('YCCK (Adobe transform 2) through the embedded profile, like sharp', async () => {
    const bytes = await fixture('ycck-icc.jpg');
    const header = readHeader(bytes);
    expect(header).toMatchObject({ width: 300, height: 200, components: 4 });
    const db = psnr(await decode(bytes, header), await load('ycck-icc.jpg-ref.png'));
    console.log(`YCCK JPEG through its profile: ${db.toFixed(1)} dB against sharp's sRGB`);
    expect(db).toBeGreaterThan(45);
  });

  it('without a profile: the naive conversion, Adobe-inverted samples read as ink', async () => {
    const bytes = await fixture('cmyk-untagged.jpg');
    const header = readHeader(bytes);
    expect(header.icc).toBeUndefined();
    const db = psnr(await decode(bytes, header), await load('cmyk-untagged.jpg-ref.png'));
    console.log(`untagged CMYK JPEG, naive: ${db.toFixed(1)} dB against the naive conversion of sharp's CMYK samples`);
    expect(db).toBeGreaterThan(45);
  });

  it('DCT scaling works for CMYK too', async () => {
    const bytes = await fixture('cmyk-icc.jpg');
    const header = readHeader(bytes);
    const half = await decode(bytes, header, 2);
    expect([half.width, half.height]).toEqual([150, 100]);
  });

  it('an unreadable or non-CMYK profile falls back to the naive conversion, never throws', async () => {
    const p = readHeader(await fixture('cmyk-icc.jpg')).icc!;
    const naive = cmykTransform(undefined);
    expect(naive.grid).toBeNull();
    expect(cmykTransform(p.slice(0, 140)).grid).toBeNull(); // truncated tag table
    expect(cmykTransform(new Uint8Array(200)).grid).toBeNull();
    const rgbProfile = readHeader(await fixture('p3.jpg')).icc!;
    expect(cmykTransform(rgbProfile).grid).toBeNull();
    const broken = p.slice();
    broken.fill(0xff, 132 + 12 * 4, 132 + 12 * 15); // tag offsets past the end
    expect(cmykTransform(broken).grid).toBeNull();
    expect(cmykTransform(p).grid?.byteLength).toBe(CMYK_GRID_BYTES);
    expect(CMYK_GRIDS_BYTES).toBe(2 * CMYK_GRID_BYTES); // the cost model's figure: two grids cached
  });

  it('known inks: paper is white, full K is near black, naive C is cyan', () => {
    const px = (c: number, m: number, y: number, k: number) => Uint8Array.of(c, m, y, k);
    const naive = cmykTransform(undefined);
    const cyan = px(255, 0, 0, 0);
    cmykToRgba(cyan, naive, false);
    expect([...cyan]).toEqual([0, 255, 255, 255]);
    const inverted = px(255, 255, 255, 0); // Adobe: 255 = no ink, K 0 = full black
    cmykToRgba(inverted, naive, true);
    expect([...inverted]).toEqual([0, 0, 0, 255]);
  });
});
