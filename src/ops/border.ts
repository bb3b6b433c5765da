import type { Raster, Rgba } from '../pixels/raster';

type Radii = readonly [number, number, number, number] | 'max';

/**
 * bo_: a frame of `size` px of `color` around the image, the canvas grown by 2 size on each axis.
 * Without radii the frame is the rectangle's (every frame pixel exactly `color`) and the image is
 * copied inside as it is. With radii (r_ in the same component, whose round-corners step already
 * cut the image's corners) the frame follows the rounded shape: the area between the image's
 * rounded rectangle (radii clipped to half the sides, as round-corners does) and the same shape
 * grown by `size` is painted, anti-aliased by 4x4 supersampling near the corners, and the image
 * is added to it (the frame's coverage is the grown shape's minus the image shape's). Outside the grown shape stays transparent.
 */
export function border(r: Raster, size: number, color: Rgba, radii?: Radii): Raster {
  const { width: w, height: h } = r;
  const W = w + 2 * size;
  const H = h + 2 * size;
  const out = new Uint8Array(W * H * 4);
  const c32 = new Uint32Array(new Uint8Array([color[0], color[1], color[2], color[3]]).buffer)[0];
  const o32 = new Uint32Array(out.buffer);
  if (!radii) {
    o32.fill(c32);
    for (let y = 0; y < h; y++) out.set(r.data.subarray(y * w * 4, (y + 1) * w * 4), ((y + size) * W + size) * 4);
    return { width: W, height: H, data: out, opaque: r.opaque && color[3] === 255 };
  }
  const inner = shape(size, size, w, h, radii === 'max' ? [Infinity, Infinity, Infinity, Infinity] : radii, 0);
  const outer = shape(0, 0, W, H, radii === 'max' ? [Infinity, Infinity, Infinity, Infinity] : radii, size);
  const src32 = new Uint32Array(r.data.buffer, r.data.byteOffset, w * h);
  // Pixels outside the grown shape's corner boxes are wholly frame or wholly image.
  const box = outer.box;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const o = y * W + x;
      const inImage = x >= size && x < size + w && y >= size && y < size + h;
      const s = inImage ? (y - size) * w + (x - size) : -1;
      const corner = box(x, y);
      const band = corner ? Math.max(0, outer(x, y) - (inImage ? inner(x, y) : 0)) : inImage ? 0 : 1;
      if (band === 0) {
        if (s >= 0) o32[o] = src32[s];
        continue;
      }
      const ba = (color[3] * band) / 255;
      const i = o * 4;
      if (s < 0) {
        out[i] = color[0];
        out[i + 1] = color[1];
        out[i + 2] = color[2];
        out[i + 3] = Math.round(ba * 255);
        continue;
      }
      // The frame covers what the image's rounded shape does not (band = outer - inner): the two
      // coverages add up (an "over" would count the anti-aliased edge twice and leave a seam).
      const j = s * 4;
      const ia = r.data[j + 3] / 255;
      const a = Math.min(1, ia + ba);
      for (let k = 0; k < 3; k++) out[i + k] = a > 0 ? Math.round((r.data[j + k] * ia + color[k] * ba) / (ia + ba)) : 0;
      out[i + 3] = Math.round(a * 255);
    }
  }
  return { width: W, height: H, data: out, opaque: false };
}

/**
 * Coverage (0..1) of pixel (px, py) by the rounded rectangle at (x0, y0) of w x h whose corner
 * radii are `radii` clipped to half the sides (as ops/round-corners.ts clips them) then grown by `grow`.
 */
function shape(x0: number, y0: number, w: number, h: number, radii: readonly number[], grow: number) {
  const iw = w - 2 * grow;
  const ih = h - 2 * grow;
  const corners = radii.map((v, i) => {
    // A square corner (radius 0) stays square when grown.
    const rx = Math.max(0, Math.min(v, iw / 2));
    const ry = Math.max(0, Math.min(v, ih / 2));
    const ax = rx > 0 && ry > 0 ? rx + grow : 0;
    const ay = rx > 0 && ry > 0 ? ry + grow : 0;
    const left = i === 0 || i === 3;
    const top = i === 0 || i === 1;
    return { ax, ay, cx: left ? x0 + ax : x0 + w - ax, cy: top ? y0 + ay : y0 + h - ay, left, top };
  });
  const inside = (px: number, py: number): boolean => {
    if (px < x0 || py < y0 || px > x0 + w || py > y0 + h) return false;
    for (const c of corners) {
      if (c.ax <= 0 || c.ay <= 0) continue;
      if ((c.left ? px < c.cx : px > c.cx) && (c.top ? py < c.cy : py > c.cy)) {
        const dx = (px - c.cx) / c.ax;
        const dy = (py - c.cy) / c.ay;
        return dx * dx + dy * dy <= 1;
      }
    }
    return true;
  };
  const coverage = (px: number, py: number): number => {
    const a = inside(px, py);
    if (a === inside(px + 1, py) && a === inside(px, py + 1) && a === inside(px + 1, py + 1) && a === inside(px + 0.5, py + 0.5)) return a ? 1 : 0;
    let n = 0;
    for (let sy = 0; sy < 4; sy++) for (let sx = 0; sx < 4; sx++) if (inside(px + (sx + 0.5) / 4, py + (sy + 0.5) / 4)) n++;
    return n / 16;
  };
  /** Whether pixel (px, py) touches a corner box (where coverage needs computing). */
  const box = (px: number, py: number): boolean => corners.some((c) => c.ax > 0 && (c.left ? px < c.cx : px + 1 > c.cx) && (c.top ? py < c.cy : py + 1 > c.cy));
  return Object.assign(coverage, { box });
}
