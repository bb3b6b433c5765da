// Pure tile planner for tiled inference with a halo. No ORT, no pixels: geometry only.

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Tile {
  /** Input pixels fed to the network: the core grown by the halo on every side, clamped to the image. */
  input: Rect;
  /** Input pixels this tile is responsible for; the cores of all tiles partition the image. */
  core: Rect;
  /** Output pixels this tile writes: the core times the scale. */
  output: Rect;
}

export interface TileRow {
  /** Index of this row, 0-based. */
  index: number;
  /** Core rows of the input covered by this tile row. */
  y: number;
  height: number;
  /** Output rows written by this tile row (y * scale, height * scale). */
  outY: number;
  outHeight: number;
  /** Left to right; their cores partition [0, width) x [y, y + height). */
  tiles: Tile[];
}

/**
 * Splits [0, size) into at most `tile`-long segments of near-equal length whose inner boundaries
 * are multiples of `align` (the last segment ends at size, which may be odd). Returns boundaries.
 */
export function splitAxis(size: number, tile: number, align = 1): number[] {
  if (!(Number.isInteger(size) && size >= 1)) throw new RangeError(`bad size ${size}`);
  if (!(Number.isInteger(align) && align >= 1)) throw new RangeError(`bad align ${align}`);
  const tileA = Math.max(align, Math.floor(tile / align) * align);
  const units = Math.ceil(size / align);
  const n = Math.min(units, Math.ceil(size / tileA));
  const cuts: number[] = [];
  for (let i = 0; i <= n; i++) cuts.push(Math.min(size, align * Math.floor((i * units) / n)));
  return cuts;
}

/**
 * Plans tiles for a width x height input, with cores of at most `tile` input pixels a side, a
 * `halo` of context around each core (clamped at the image edges) and outputs `scale` times the
 * core. With `align` > 1 (2 for pixel-unshuffle networks) every core and input rectangle starts
 * on a multiple of align (the halo is rounded up to one), so the network sees the same pixel
 * grid in every tile as it would on the whole image. `rowAlign` (a multiple of align) aligns the
 * tile rows' boundaries further: the streamed JPEG needs output strips of whole 16-row MCU rows.
 */
export function planTiles(width: number, height: number, tile: number, halo: number, scale: number, align = 1, rowAlign = align): TileRow[] {
  if (!(Number.isInteger(tile) && tile >= 1)) throw new RangeError(`bad tile ${tile}`);
  if (!(Number.isInteger(halo) && halo >= 0)) throw new RangeError(`bad halo ${halo}`);
  if (!(Number.isInteger(scale) && scale >= 1)) throw new RangeError(`bad scale ${scale}`);
  const h = Math.ceil(halo / align) * align;
  const xs = splitAxis(width, tile, align);
  const ys = splitAxis(height, tile, rowAlign);
  const rows: TileRow[] = [];
  for (let r = 0; r + 1 < ys.length; r++) {
    const y0 = ys[r];
    const y1 = ys[r + 1];
    const iy0 = Math.max(0, y0 - h);
    const iy1 = Math.min(height, y1 + h);
    const tiles: Tile[] = [];
    for (let c = 0; c + 1 < xs.length; c++) {
      const x0 = xs[c];
      const x1 = xs[c + 1];
      const ix0 = Math.max(0, x0 - h);
      const ix1 = Math.min(width, x1 + h);
      tiles.push({
        input: { x: ix0, y: iy0, width: ix1 - ix0, height: iy1 - iy0 },
        core: { x: x0, y: y0, width: x1 - x0, height: y1 - y0 },
        output: { x: x0 * scale, y: y0 * scale, width: (x1 - x0) * scale, height: (y1 - y0) * scale },
      });
    }
    rows.push({ index: r, y: y0, height: y1 - y0, outY: y0 * scale, outHeight: (y1 - y0) * scale, tiles });
  }
  return rows;
}
