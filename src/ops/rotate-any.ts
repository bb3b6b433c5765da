import type { Raster, Rgba } from '../pixels/raster';

/**
 * Clockwise rotation by any angle onto a width x height canvas (the planner's rotated bounds),
 * the image's centre on the canvas's centre. Each output pixel samples the input bilinearly at its
 * inverse-rotated centre, premultiplied by alpha; samples outside the input are `background`, so the
 * edges are anti-aliased against it. Opaque only when the input and the background are.
 */
export function rotateAny(r: Raster, degrees: number, width: number, height: number, background: Rgba): Raster {
  const { width: w, height: h, data } = r;
  const t = (degrees * Math.PI) / 180;
  const cos = Math.cos(t);
  const sin = Math.sin(t);
  const out = new Uint8Array(width * height * 4);
  const ba = background[3];
  // The background premultiplied, 0-255 x 255.
  const bg = [background[0] * ba, background[1] * ba, background[2] * ba, ba * 255];
  const cx = w / 2 - 0.5;
  const cy = h / 2 - 0.5;
  const acc = new Float64Array(4);
  for (let oy = 0; oy < height; oy++) {
    const dy = oy + 0.5 - height / 2;
    const dx0 = 0.5 - width / 2;
    // Inverse of the clockwise rotation (y down): source = R(-t) * dest, stepped along the row.
    let sx = cos * dx0 + sin * dy + cx - cos;
    let sy = -sin * dx0 + cos * dy + cy + sin;
    for (let ox = 0; ox < width; ox++) {
      sx += cos;
      sy -= sin;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const o = (oy * width + ox) * 4;
      if (x0 >= 0 && y0 >= 0 && x0 + 1 < w && y0 + 1 < h && r.opaque) {
        // Inside and opaque: plain bilinear.
        const i00 = (y0 * w + x0) * 4;
        const i10 = i00 + 4;
        const i01 = i00 + w * 4;
        const i11 = i01 + 4;
        const w00 = (1 - fx) * (1 - fy);
        const w10 = fx * (1 - fy);
        const w01 = (1 - fx) * fy;
        const w11 = fx * fy;
        out[o] = data[i00] * w00 + data[i10] * w10 + data[i01] * w01 + data[i11] * w11 + 0.5;
        out[o + 1] = data[i00 + 1] * w00 + data[i10 + 1] * w10 + data[i01 + 1] * w01 + data[i11 + 1] * w11 + 0.5;
        out[o + 2] = data[i00 + 2] * w00 + data[i10 + 2] * w10 + data[i01 + 2] * w01 + data[i11 + 2] * w11 + 0.5;
        out[o + 3] = 255;
        continue;
      }
      if (x0 < -1 || y0 < -1 || x0 >= w || y0 >= h) {
        out[o] = background[0];
        out[o + 1] = background[1];
        out[o + 2] = background[2];
        out[o + 3] = ba;
        continue;
      }
      acc.fill(0);
      sample(x0, y0, (1 - fx) * (1 - fy));
      sample(x0 + 1, y0, fx * (1 - fy));
      sample(x0, y0 + 1, (1 - fx) * fy);
      sample(x0 + 1, y0 + 1, fx * fy);
      const a = acc[3];
      if (a <= 0) {
        out[o] = out[o + 1] = out[o + 2] = out[o + 3] = 0;
        continue;
      }
      out[o] = Math.min(255, (acc[0] * 255) / a + 0.5);
      out[o + 1] = Math.min(255, (acc[1] * 255) / a + 0.5);
      out[o + 2] = Math.min(255, (acc[2] * 255) / a + 0.5);
      out[o + 3] = Math.min(255, a / 255 + 0.5);
    }
  }
  return { width, height, data: out, opaque: r.opaque && ba === 255 };

  /** Adds pixel (x, y), or the background outside the image, premultiplied, with weight k. */
  function sample(x: number, y: number, k: number) {
    if (k === 0) return;
    if (x < 0 || y < 0 || x >= w || y >= h) {
      acc[0] += bg[0] * k;
      acc[1] += bg[1] * k;
      acc[2] += bg[2] * k;
      acc[3] += bg[3] * k;
      return;
    }
    const i = (y * w + x) * 4;
    const pa = data[i + 3];
    acc[0] += data[i] * pa * k;
    acc[1] += data[i + 1] * pa * k;
    acc[2] += data[i + 2] * pa * k;
    acc[3] += pa * 255 * k;
  }
}
