/**
 * Streamed steps: an image as a source of bands of whole rows, top to bottom, so that a decode →
 * resize → crop → JPEG encode chain never holds a full-size raster (src/plan/stream.ts decides
 * which steps of a plan stream; the planner's memory estimate follows the same rule).
 */
import { ImageError } from './errors';
import type { Raster } from './raster';

export interface Rows {
  readonly width: number;
  readonly height: number;
  readonly opaque: boolean;
  /**
   * The next band: one or more whole RGBA rows (stride width * 4), never past the bottom. The
   * view is valid until the next call. Callers must not ask for more than `height` rows.
   */
  next(): Uint8Array;
  /** Releases what the source holds (a decoder); after an error too. Safe to call twice. */
  close(): void;
}

/** A raster in memory as a source of 16-row bands (views of its data). */
export function rasterRows(r: Raster, band = 16): Rows {
  let y = 0;
  const stride = r.width * 4;
  return {
    width: r.width,
    height: r.height,
    opaque: r.opaque,
    next() {
      const n = Math.min(band, r.height - y);
      if (n <= 0) throw new Error('rows exhausted');
      const view = r.data.subarray(y * stride, (y + n) * stride);
      y += n;
      return view;
    },
    close() {},
  };
}

/** Drains a source into a raster; closes it. */
export function collectRows(src: Rows): Raster {
  const data = new Uint8Array(src.width * src.height * 4);
  try {
    for (let at = 0; at < data.length; ) {
      const band = src.next();
      data.set(band, at);
      at += band.length;
    }
  } finally {
    src.close();
  }
  return { width: src.width, height: src.height, data, opaque: src.opaque };
}

/** The rows [y, y + height) and columns [x, x + width) of a source, clipped to it like crop.ts (never empty). */
export function cropRows(src: Rows, x: number, y: number, width: number, height: number): Rows {
  x = Math.max(0, Math.floor(x));
  y = Math.max(0, Math.floor(y));
  width = Math.min(Math.floor(width), src.width - x);
  height = Math.min(Math.floor(height), src.height - y);
  if (!(width > 0 && height > 0)) {
    src.close();
    throw new ImageError('Crop region is outside the image');
  }
  const inStride = src.width * 4;
  const outStride = width * 4;
  let srcY = 0; // rows of src consumed
  let outY = 0;
  let band: Uint8Array = new Uint8Array(0);
  let bandY = 0; // first src row of `band`
  let out = new Uint8Array(0);
  return {
    width,
    height,
    opaque: src.opaque,
    next() {
      if (outY >= height) throw new Error('rows exhausted');
      // Skip to the band holding row y + outY.
      while (bandY + band.length / inStride <= y + outY) {
        bandY = srcY;
        band = src.next();
        srcY += band.length / inStride;
      }
      const from = y + outY - bandY;
      const n = Math.min(band.length / inStride - from, height - outY);
      if (x === 0 && width === src.width) {
        outY += n;
        return band.subarray(from * inStride, (from + n) * inStride);
      }
      if (out.length < n * outStride) out = new Uint8Array(n * outStride);
      for (let r = 0; r < n; r++) {
        const s = (from + r) * inStride + x * 4;
        out.set(band.subarray(s, s + outStride), r * outStride);
      }
      outY += n;
      return out.subarray(0, n * outStride);
    },
    close: () => src.close(),
  };
}

/** A source whose bands `convert` rewrites in place, pixel by pixel (colour transforms). */
export function mapRows(src: Rows, convert: (band: Uint8Array) => void): Rows {
  return {
    width: src.width,
    height: src.height,
    opaque: src.opaque,
    next() {
      const band = src.next();
      convert(band);
      return band;
    },
    close: () => src.close(),
  };
}
