/**
 * `srcset` and `sizes` for responsive images: width descriptors exactly as the cloudinary SDK's
 * srcsetUtils (each breakpoint a chained `c_scale,w_<bp>`), or density descriptors (`1x, 2x, 3x`)
 * with `dpr_<n>` added to the transformation.
 */
import type { Transformation, Transformations } from './transformation';
import { url, type UrlOptions } from './url';

export interface WidthSrcset {
  /** Given breakpoints, or min_width, max_width and max_images to generate them. */
  breakpoints?: number[];
  min_width?: number;
  max_width?: number;
  max_images?: number;
  /** Also make `sizes`: `(max-width: 100px) 100px, …`. */
  sizes?: boolean;
}

export interface DensitySrcset {
  /** Device pixel ratios, e.g. [1, 2, 3]: `dpr_1.0 1x, dpr_2.0 2x, dpr_3.0 3x`. */
  dprs: number[];
}

export interface SrcsetResult {
  srcset: string;
  sizes?: string;
}

/** The SDK's generateBreakpoints. */
export function breakpoints(spec: WidthSrcset): number[] {
  if (spec.breakpoints?.length) return spec.breakpoints;
  let [min, max, count] = [spec.min_width, spec.max_width, spec.max_images].map(Number);
  if ([min, max, count].some(Number.isNaN))
    throw new Error('Either (min_width, max_width, max_images) or breakpoints must be provided to the image srcset attribute');
  if (min > max) throw new Error('min_width must be less than max_width');
  if (count <= 0) throw new Error('max_images must be a positive integer');
  if (count === 1) min = max;
  const step = Math.ceil((max - min) / Math.max(count - 1, 1));
  const out: number[] = [];
  for (let w = min; w < max; w += step) out.push(w);
  out.push(max);
  return out;
}

export function srcset(publicId: string, transformations: Transformations | undefined, spec: WidthSrcset | DensitySrcset, options: UrlOptions): SrcsetResult {
  if ('dprs' in spec) {
    const items = spec.dprs.map((d) => `${url(publicId, withDpr(transformations, dprValue(d)), options)} ${d}x`);
    return { srcset: items.join(', ') };
  }
  const widths = breakpoints(spec);
  const base = transformations == null ? [] : Array.isArray(transformations) ? transformations : [transformations];
  const items = widths.map((w) => `${url(publicId, [...base, { crop: 'scale', width: w }] as Transformation[], options)} ${w}w`);
  const result: SrcsetResult = { srcset: items.join(', ') };
  if (spec.sizes) result.sizes = sizes(widths);
  return result;
}

/** The SDK's generateSizesAttribute. */
export function sizes(widths: number[]): string {
  return widths.map((w) => `(max-width: ${w}px) ${w}px`).join(', ');
}

/** `2` → `2.0`, as Cloudinary's docs and client SDKs spell DPRs; `1.5` stays. */
export function dprValue(dpr: number): string {
  return Number.isInteger(dpr) ? dpr.toFixed(1) : String(dpr);
}

/** The transformation with `dpr` set on its last component (where its width and height are). */
function withDpr(t: Transformations | undefined, dpr: string): Transformations {
  if (t == null) return { dpr };
  if (typeof t === 'string') return `${t}/dpr_${dpr}`;
  if (Array.isArray(t)) return t.length ? [...t.slice(0, -1), { ...t[t.length - 1], dpr }] : [{ dpr }];
  return { ...t, dpr };
}
