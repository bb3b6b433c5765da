// Issue #13's geometry through the Worker: new values of a_, b_ and c_, dpr_ alone, and what is refused.
import { beforeAll, describe, expect, it } from 'vitest';
import { decode } from '../../src/codecs/decode';
import { readHeader } from '../../src/codecs/header';
import type { Raster } from '../../src/pixels/raster';
import { px } from '../pixels/util';
import { CLOUD, fixture, get, upload } from './worker';

const base = `/${CLOUD}/image/upload`;
const SOURCE = 'geometry/base'; // 600x400 photo

async function image(t: string, ext = 'png'): Promise<Raster> {
  const res = await get(`${base}/${t}/${SOURCE}.${ext}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  expect(res.status, `${t}: ${res.headers.get('X-Cld-Error')}`).toBe(200);
  return decode(bytes, readHeader(bytes));
}

beforeAll(async () => {
  await upload(SOURCE, await fixture('medium-444.jpg'));
});

describe('geometry through the Worker', () => {
  it('a_45: the rotated bounds, transparent corners in PNG, white in JPEG, b_ when given', async () => {
    const png = await image('a_45');
    expect([png.width, png.height]).toEqual([707, 707]);
    expect(px(png, 0, 0)[3]).toBe(0);
    const jpg = await image('a_45', 'jpg');
    expect([jpg.width, jpg.height]).toEqual([707, 707]);
    expect(
      px(jpg, 2, 2)
        .slice(0, 3)
        .every((v) => v > 245),
    ).toBe(true);
    const blue = await image('a_45,b_blue');
    expect(px(blue, 0, 0)).toEqual([0, 0, 255, 255]);
  });
  it('bo_ with r_: the border follows the corners', async () => {
    const r = await image('r_30,bo_6px_solid_red');
    expect([r.width, r.height]).toEqual([612, 412]);
    expect(px(r, 0, 0)[3]).toBe(0);
    expect(px(r, 306, 2)).toEqual([255, 0, 0, 255]);
  });
  it('b_auto, b_blurred and c_fill_pad answer at the requested size', async () => {
    for (const t of [
      'b_auto,c_pad,w_300,h_300',
      'b_auto:predominant_contrast,c_pad,w_300,h_300',
      'b_blurred:400:-20,c_pad,w_300,h_300',
      'b_auto,c_fill_pad,g_auto,w_300,h_300',
      'b_auto:border_gradient,c_pad,w_300,h_300',
      'b_auto:predominant_gradient:4:diagonal_asc,c_pad,w_300,h_300',
    ]) {
      const r = await image(t);
      expect([r.width, r.height], t).toEqual([300, 300]);
    }
  });
  it('dpr_2.0 alone keeps the size', async () => {
    const r = await image('dpr_2.0');
    expect([r.width, r.height]).toEqual([600, 400]);
  });
  it('g_xy_center and z_', async () => {
    expect(await image('c_crop,g_xy_center,x_100,y_100,w_100,h_100')).toMatchObject({ width: 100, height: 100 });
    expect(await image('c_crop,z_2')).toMatchObject({ width: 300, height: 200 });
  });
  it('refuses with 400 and a reason what it does not do', async () => {
    for (const t of [
      'b_auto:border_gradient,c_fill,w_300,h_300',
      'b_auto,c_fill,w_100,h_100',
      'c_fill_pad,w_100,h_100',
      'c_fill,w_100,h_100,z_2',
      'a_auto',
      'bo_5px_dashed_red',
    ]) {
      const res = await get(`${base}/${t}/${SOURCE}.png`);
      await res.arrayBuffer();
      expect(res.status, t).toBe(400);
      expect(res.headers.get('X-Cld-Error'), t).toBeTruthy();
    }
  });
});
