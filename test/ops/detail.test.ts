import { describe, expect, it } from 'vitest';
import { blur } from '../../src/ops/blur';
import { detail } from '../../src/ops/detail';
import { load } from '../pixels/util';

/** The definition, in plain TypeScript: the kernel must give the same bytes. */
function reference(r: { width: number; height: number; data: Uint8Array }, sigma: number, amount: number): Uint8Array {
  const { width: w, height: h, data: src } = r;
  const blurred = blur({ ...r, opaque: true }, sigma).data;
  const out = new Uint8Array(src.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < 4; c++) {
        const i = (y * w + x) * 4 + c;
        if (c === 3) {
          out[i] = src[i];
          continue;
        }
        let lo = 255,
          hi = 0;
        for (let dy = -1; dy <= 1; dy++)
          for (let dx = -1; dx <= 1; dx++) {
            const yy = Math.min(h - 1, Math.max(0, y + dy)),
              xx = Math.min(w - 1, Math.max(0, x + dx));
            const v = src[(yy * w + xx) * 4 + c];
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
          }
        const v = src[i] + amount * (src[i] - blurred[i]);
        out[i] = v <= lo ? lo : v >= hi ? hi : Math.floor(v + 0.5);
      }
  return out;
}

describe('detail step (premium downscaling)', () => {
  it('equals its definition, edges and odd widths included, and never leaves the 3x3 range', async () => {
    const astro = await load('rgb.png');
    for (const [w, h] of [
      [123, 77],
      [5, 3],
      [1, 1],
      [16, 9],
    ]) {
      const data = new Uint8Array(w * h * 4);
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) data.set(astro.data.subarray((y * astro.width + x) * 4, (y * astro.width + x) * 4 + 4), (y * w + x) * 4);
      const r = { width: w, height: h, data, opaque: true };
      expect(Buffer.from(detail(r, 1, 1.5).data).equals(Buffer.from(reference(r, 1, 1.5)))).toBe(true);
    }
  });
});
