import { beforeAll, describe, expect, it } from 'vitest';
import { decode } from '../../src/codecs/decode';
import { encodePng } from '../../src/codecs/png/encode';
import { createRaster, type Raster } from '../../src/pixels/raster';
import { ditherMap } from '../../src/plan/effects';
import { px } from '../pixels/util';
import { CLOUD, get, image, upload } from './worker';

const base = `/${CLOUD}/image/upload`;

function canvas(width: number, height: number, fill: number[], paint?: (x: number, y: number) => number[] | undefined): Raster {
  const r = createRaster(width, height, fill[3] === 255);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) r.data.set(paint?.(x, y) ?? fill, (y * width + x) * 4);
  return r;
}

beforeAll(async () => {
  // 100x80 white with a red 30x40 box at (20, 10), and a light gray (240) frame 2 px wide.
  const box = canvas(100, 80, [255, 255, 255, 255], (x, y) =>
    x >= 20 && x < 50 && y >= 10 && y < 50 ? [220, 20, 20, 255] : x < 2 || y < 2 || x >= 98 || y >= 78 ? [240, 240, 240, 255] : undefined,
  );
  await upload('trim/box', await encodePng(box));
  await upload('trim/gray', await encodePng(canvas(64, 64, [128, 128, 128, 255])));
  await upload('trim/redgreen', await encodePng(canvas(64, 32, [200, 30, 30, 255], (x) => (x >= 32 ? [30, 200, 30, 255] : undefined))));
});

async function pixels(path: string): Promise<Raster> {
  const { bytes, header } = await image(`${base}/${path}`);
  return decode(bytes, header);
}

describe('e_trim', () => {
  it('crops to the content that differs from the top-left colour by more than the tolerance', async () => {
    // The top-left pixel is the gray frame: everything else differs from it by more than 1%.
    expect((await image(`${base}/e_trim:1/trim/box.png`)).header).toMatchObject({ width: 96, height: 76 });
    // With white as the background and 10%, the light gray frame trims away too: only the box is left.
    const r = await pixels('e_trim:10:white/trim/box.png');
    expect([r.width, r.height]).toEqual([30, 40]);
    expect(px(r, 0, 0)).toEqual([220, 20, 20, 255]);
  });
  it('the steps after it are planned on the trimmed size', async () => {
    // 30x40 scaled to width 15 keeps the box's aspect ratio: 15x20 (the untrimmed 100x80 would give 15x12).
    expect((await image(`${base}/e_trim:10:ffffff/c_scale,w_15/trim/box.png`)).header).toMatchObject({ width: 15, height: 20 });
    const info = (await (await get(`${base}/e_trim:10:white/c_pad,w_60,h_60,b_black/fl_getinfo/trim/box.png`)).json()) as { output: object };
    expect(info.output).toMatchObject({ width: 60, height: 60 });
    const padded = await pixels('e_trim:10:white/c_pad,w_60,h_60,b_black/trim/box.png');
    expect(px(padded, 5, 30)).toEqual([0, 0, 0, 255]); // the pad around the 45x60 scaled box
    expect(px(padded, 30, 30)).toEqual([220, 20, 20, 255]);
  });
  it('is refused inside a layer and next to r_ in its component', async () => {
    for (const t of ['l_trim:box/e_trim/fl_layer_apply', 'e_trim,r_10']) {
      const res = await get(`${base}/${t}/trim/box.png`);
      expect(res.status, t).toBe(400);
      expect(res.headers.get('X-Cld-Error'), t).toMatch(/e_trim/);
    }
  });
});

describe('e_ordered_dither', () => {
  it('every map is a set of thresholds in (0, 1), the Bayer ones a permutation', () => {
    for (let t = 0; t <= 18; t++) {
      const { map, size } = ditherMap(t);
      expect(map).toHaveLength(size * size);
      for (const v of map) expect(v > 0 && v < 1).toBe(true);
    }
    expect(
      ditherMap(4)
        .map.map((v) => v * 16 - 0.5)
        .sort((a, b) => a - b),
    ).toEqual([...Array(16).keys()]);
  });
  it('50% gray through the 2x2 map is half white, half black in every cell', async () => {
    const r = await pixels('e_ordered_dither:2/trim/gray.png');
    for (let y = 0; y < 2; y++) for (let x = 0; x < 2; x++) expect([0, 255]).toContain(px(r, x, y)[0]);
    let white = 0;
    for (let i = 0; i < r.width * r.height; i++) if (r.data[i * 4] === 255) white++;
    expect(white / (r.width * r.height)).toBe(0.5);
  });
});

describe('e_assist_colorblind', () => {
  it('stripes: red and green get dark stripes on opposite diagonals', async () => {
    const r = await pixels('e_assist_colorblind:25/trim/redgreen.png');
    expect(px(r, 0, 0)).toEqual([0, 0, 0, 255]); // (x + y) % 8 < 3 on the red half, full strength
    expect(px(r, 4, 0)).toEqual([200, 30, 30, 255]);
    expect(px(r, 32, 0)).toEqual([0, 0, 0, 255]); // (x - y) % 8 < 3 on the green half
    expect(px(r, 33, 2)).toEqual([30, 200, 30, 255]); // phase 7 on the green half: untouched
    expect(px(r, 35, 2)).toEqual([0, 0, 0, 255]); // red's diagonal would leave it alone: (35 + 2) % 8 = 5
  });
  it('xray: the daltonize matrix moves the red/green difference into blue', async () => {
    const r = await pixels('e_assist_colorblind:xray/trim/redgreen.png');
    const [red, green] = [px(r, 10, 10), px(r, 50, 10)];
    expect(red[2] - green[2]).toBeGreaterThan(60);
  });
});
