import { describe, expect, it } from 'vitest';
import { planTiles, splitAxis, type TileRow } from '../../src/ai/tiles';

/** Every output pixel is written exactly once, and each tile's geometry is consistent. Returns the problems found. */
function checkPlan(rows: TileRow[], width: number, height: number, tile: number, halo: number, scale: number, align = 1): string[] {
  const bad: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok && bad.length < 5) bad.push(`${width}x${height} tile ${tile} halo ${halo} x${scale} align ${align}: ${what}`);
  };
  const cover = new Uint8Array(width * scale * height * scale);
  const hAligned = Math.ceil(halo / align) * align;
  let y = 0;
  rows.forEach((row, r) => {
    check(row.index === r && row.y === y && row.outY === row.y * scale && row.outHeight === row.height * scale, `row ${r} ${JSON.stringify(row)}`);
    y += row.height;
    let x = 0;
    for (const t of row.tiles) {
      const { input: i, core: c, output: o } = t;
      const at = JSON.stringify(t);
      check(c.x === x && c.y === row.y && c.height === row.height && c.width > 0, `core ${at}`);
      x += c.width;
      check(c.width <= Math.max(tile, align) && c.height <= Math.max(tile, align), `core too big ${at}`);
      // Input = core grown by the halo, clamped to the image.
      check(i.x === Math.max(0, c.x - hAligned) && i.y === Math.max(0, c.y - hAligned), `input origin ${at}`);
      check(i.x + i.width === Math.min(width, c.x + c.width + hAligned) && i.y + i.height === Math.min(height, c.y + c.height + hAligned), `input end ${at}`);
      check(i.x % align === 0 && i.y % align === 0 && c.x % align === 0 && c.y % align === 0, `alignment ${at}`);
      check(o.x === c.x * scale && o.y === c.y * scale && o.width === c.width * scale && o.height === c.height * scale, `output ${at}`);
      for (let yy = o.y; yy < o.y + o.height; yy++) {
        const line = cover.subarray(yy * width * scale + o.x, yy * width * scale + o.x + o.width);
        check(
          line.every((v) => v === 0),
          `overlap ${at}`,
        );
        line.fill(1);
      }
    }
    check(x === width, `row ${r} covers ${x} of ${width}`);
  });
  check(y === height, `rows cover ${y} of ${height}`);
  check(
    cover.every((v) => v === 1),
    'output not fully covered',
  );
  return bad;
}

describe('planTiles', () => {
  it('covers the output exactly once, for many sizes, tiles, halos and scales', () => {
    for (const [w, h] of [
      [1, 1],
      [2, 3],
      [7, 5],
      [31, 33],
      [96, 80],
      [100, 100],
      [129, 65],
    ])
      for (const tile of [1, 2, 3, 8, 32, 64, 500])
        for (const [halo, scale, align] of [
          [0, 1, 1],
          [12, 4, 1],
          [18, 1, 2],
          [3, 2, 1],
          [5, 1, 2],
        ])
          expect(checkPlan(planTiles(w, h, tile, halo, scale, align), w, h, tile, halo, scale, align)).toEqual([]);
  });

  it('1x1 image: one tile, no halo to add', () => {
    const rows = planTiles(1, 1, 192, 12, 4);
    expect(rows).toEqual([
      {
        index: 0,
        y: 0,
        height: 1,
        outY: 0,
        outHeight: 4,
        tiles: [{ input: { x: 0, y: 0, width: 1, height: 1 }, core: { x: 0, y: 0, width: 1, height: 1 }, output: { x: 0, y: 0, width: 4, height: 4 } }],
      },
    ]);
  });

  it('a tile larger than the image is the whole image', () => {
    const rows = planTiles(200, 303, 512, 12, 4);
    expect(rows.length).toBe(1);
    expect(rows[0].tiles.length).toBe(1);
    const t = rows[0].tiles[0];
    expect(t.input).toEqual({ x: 0, y: 0, width: 200, height: 303 });
    expect(t.core).toEqual(t.input);
    expect(t.output).toEqual({ x: 0, y: 0, width: 800, height: 1212 });
  });

  it('clamps halos at the image edges and keeps them inside', () => {
    const rows = planTiles(96, 80, 32, 12, 4);
    expect(rows.length).toBe(3);
    expect(rows.map((r) => r.tiles.length)).toEqual([3, 3, 3]);
    const [a, b, c] = rows[1].tiles;
    expect(a.input).toEqual({ x: 0, y: 14, width: 44, height: 51 }); // rows split 0|26|53|80
    expect(a.core).toEqual({ x: 0, y: 26, width: 32, height: 27 });
    expect(b.input).toEqual({ x: 20, y: 14, width: 56, height: 51 });
    expect(c.input).toEqual({ x: 52, y: 14, width: 44, height: 51 });
    expect(rows[0].tiles[0].input.y).toBe(0);
    expect(rows[2].tiles[0].input.y + rows[2].tiles[0].input.height).toBe(80);
  });

  it('balances the cores instead of leaving a thin last tile', () => {
    expect(splitAxis(100, 32)).toEqual([0, 25, 50, 75, 100]);
    expect(splitAxis(65, 64)).toEqual([0, 32, 65]);
    expect(splitAxis(64, 64)).toEqual([0, 64]);
  });

  it('aligns to 2 for pixel-unshuffle models, odd sizes end on an odd edge', () => {
    expect(splitAxis(7, 3, 2)).toEqual([0, 2, 4, 6, 7]);
    expect(splitAxis(101, 32, 2)).toEqual([0, 24, 50, 76, 101]);
    expect(splitAxis(1, 1, 2)).toEqual([0, 1]);
    const rows = planTiles(101, 33, 32, 17, 1, 2);
    for (const row of rows)
      for (const t of row.tiles) {
        expect(t.input.x % 2).toBe(0);
        expect(t.input.y % 2).toBe(0);
        // Only an input ending at an odd image edge can be odd.
        if (t.input.width % 2) expect(t.input.x + t.input.width).toBe(101);
        if (t.input.height % 2) expect(t.input.y + t.input.height).toBe(33);
      }
    expect(rows[0].tiles[1].input.x).toBe(24 - 18);
  });

  it('rejects nonsense', () => {
    expect(() => planTiles(0, 5, 8, 0, 1)).toThrow(RangeError);
    expect(() => planTiles(5, 5, 0, 0, 1)).toThrow(RangeError);
    expect(() => planTiles(5, 5, 8, -1, 1)).toThrow(RangeError);
  });
});

describe('row alignment for streamed output', () => {
  it('puts every tile row boundary on a multiple of rowAlign, in input pixels', () => {
    for (const [h, tile, scale, rowAlign] of [
      [303, 160, 4, 4],
      [427, 160, 4, 4],
      [1999, 256, 1, 16],
      [17, 8, 1, 16],
    ] as const) {
      const rows = planTiles(50, h, tile, 12, scale, 1, rowAlign);
      for (const r of rows.slice(1)) expect(r.y % rowAlign).toBe(0);
      expect(rows[rows.length - 1].y + rows[rows.length - 1].height).toBe(h);
      for (const r of rows) expect((r.outY * 1) % (rowAlign * scale)).toBe(0);
    }
  });
});
