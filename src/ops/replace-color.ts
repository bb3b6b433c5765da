/**
 * e_replace_color: colours near `from` move to matching shades of `to`. Distances and the move are
 * in CIE L*a*b* (D65): a pixel within `radius` (ΔE76) of `from` is translated by `to − from`, so
 * the lighter and darker, duller and purer shades of `from` become the same relations around `to`.
 * The translation fades out over the outer half of the radius, so that the edge of the replaced
 * region does not band. Without `from`, the most common strongly coloured hue of the image is used.
 */
import type { Raster } from '../pixels/raster';
import type { Rgba } from '../plan/steps';

type Lab = [number, number, number];

const LINEAR = Float64Array.from({ length: 256 }, (_, v) => {
  const c = v / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
});
// D65 white.
const XN = 0.95047;
const ZN = 1.08883;
const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : (t * 24389) / 27 / 116 + 16 / 116);
const fInv = (t: number) => (t > 6 / 29 ? t * t * t : (t - 16 / 116) * (27 / 24389) * 116);
/** Linear light 0..1 in 16384 steps → 8-bit sRGB (a table: this runs per replaced pixel). */
const ENCODE = Uint8Array.from({ length: 16385 }, (_, i) => {
  const l = i / 16384;
  return Math.round(255 * (l <= 0.0031308 ? l * 12.92 : 1.055 * l ** (1 / 2.4) - 0.055));
});
const encode = (l: number) => ENCODE[Math.round(Math.min(1, Math.max(0, l)) * 16384)];

export function toLab(r: number, g: number, b: number): Lab {
  const lr = LINEAR[r],
    lg = LINEAR[g],
    lb = LINEAR[b];
  const x = (0.4124564 * lr + 0.3575761 * lg + 0.1804375 * lb) / XN;
  const y = 0.2126729 * lr + 0.7151522 * lg + 0.072175 * lb;
  const z = (0.0193339 * lr + 0.119192 * lg + 0.9503041 * lb) / ZN;
  const fy = f(y);
  return [116 * fy - 16, 500 * (f(x) - fy), 200 * (fy - f(z))];
}

function linearRgb(L: number, a: number, b: number): [number, number, number] {
  const fy = (L + 16) / 116;
  const x = fInv(fy + a / 500) * XN;
  const y = fInv(fy);
  const z = fInv(fy - b / 200) * ZN;
  return [3.2404542 * x - 1.5371385 * y - 0.4985314 * z, -0.969266 * x + 1.8760108 * y + 0.041556 * z, 0.0556434 * x - 0.2040259 * y + 1.0572252 * z];
}

/**
 * 8-bit sRGB of a L*a*b* colour. Outside the sRGB gamut it is mixed, in linear light, with the grey
 * of its own luminance until every channel fits: lightness kept exactly, hue nearly (closed form).
 */
export function fromLab(L: number, a: number, b: number): [number, number, number] {
  const l = Math.min(100, Math.max(0, L));
  const c = linearRgb(l, a, b);
  const y = fInv((l + 16) / 116);
  let t = 1;
  for (const v of c) {
    if (v > 1) t = Math.min(t, (1 - y) / (v - y));
    else if (v < 0) t = Math.min(t, y / (y - v));
  }
  return [encode(y + t * (c[0] - y)), encode(y + t * (c[1] - y)), encode(y + t * (c[2] - y))];
}

/** Chroma (√(a² + b²)) above which a pixel counts as strongly coloured when `from` is chosen. */
const SATURATED = 30;
const HUE_BINS = 36;

/** The mean colour of the most populated hue bin among strongly coloured, mid-light pixels; undefined if there are none. */
export function prominentColor(r: Raster): Lab | undefined {
  const d = r.data;
  const count = new Uint32Array(HUE_BINS);
  const sum = new Float64Array(HUE_BINS * 3);
  // At most ~256k samples: the choice needs the distribution, not every pixel.
  const step = Math.max(1, Math.floor((r.width * r.height) / 262_144)) * 4;
  for (let i = 0; i < d.length; i += step) {
    if (d[i + 3] < 128) continue;
    const [L, a, b] = toLab(d[i], d[i + 1], d[i + 2]);
    if (L < 15 || L > 95 || Math.hypot(a, b) < SATURATED) continue;
    const bin = Math.floor(((Math.atan2(b, a) / (2 * Math.PI) + 1) % 1) * HUE_BINS) % HUE_BINS;
    count[bin]++;
    sum[bin * 3] += L;
    sum[bin * 3 + 1] += a;
    sum[bin * 3 + 2] += b;
  }
  let best = -1;
  for (let i = 0; i < HUE_BINS; i++) if (count[i] > (best < 0 ? 0 : count[best])) best = i;
  if (best < 0) return undefined;
  const n = count[best];
  return [sum[best * 3] / n, sum[best * 3 + 1] / n, sum[best * 3 + 2] / n];
}

/** In place: `radius` is ΔE76 (e_replace_color's tolerance). */
export function replaceColor(r: Raster, to: Rgba, radius: number, from?: Rgba): Raster {
  const source = from ? toLab(from[0], from[1], from[2]) : prominentColor(r);
  if (!source || radius <= 0) return r;
  const target = toLab(to[0], to[1], to[2]);
  const dL = target[0] - source[0],
    da = target[1] - source[1],
    db = target[2] - source[2];
  const d = r.data;
  const r2 = radius * radius;
  const [sL, sa, sb] = source;
  for (let i = 0; i < d.length; i += 4) {
    const lr = LINEAR[d[i]],
      lg = LINEAR[d[i + 1]],
      lb = LINEAR[d[i + 2]];
    const fx = f((0.4124564 * lr + 0.3575761 * lg + 0.1804375 * lb) / XN);
    const fy = f(0.2126729 * lr + 0.7151522 * lg + 0.072175 * lb);
    const fz = f((0.0193339 * lr + 0.119192 * lg + 0.9503041 * lb) / ZN);
    const L = 116 * fy - 16,
      a = 500 * (fx - fy),
      b = 200 * (fy - fz);
    const dist2 = (L - sL) ** 2 + (a - sa) ** 2 + (b - sb) ** 2;
    if (dist2 >= r2) continue;
    const w = Math.min(1, 2 * (1 - Math.sqrt(dist2) / radius));
    const [nr, ng, nb] = fromLab(L + w * dL, a + w * da, b + w * db);
    d[i] = nr;
    d[i + 1] = ng;
    d[i + 2] = nb;
  }
  return r;
}
