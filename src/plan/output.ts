/**
 * Output format and quality. Format: `f_` (last in the chain) beats the extension, which beats the
 * original's format. `f_auto` picks AVIF when the browser accepts it, else WebP, else PNG when the
 * result may be transparent, else JPEG, and makes the response vary on Accept.
 * AVIF above AVIF_MAX_PIXELS is delivered as WebP (settleFormat, called by the planner once the
 * output size is known), as Cloudflare Images does for images too large to encode quickly.
 */
import { CldError } from '../url/errors';
import type { Component, OutputFormat } from '../url/params';
import type { AutoLevel, OutputSpec } from './steps';

export const DEFAULT_QUALITY = 80;

/** q_auto's quality where no search runs (PNG output) and where it cannot (the sample failed to decode). */
export const AUTO_FALLBACK: Record<AutoLevel, number> = { best: 90, good: 80, eco: 70, low: 60 };

/** The top of q_auto's search range per level (codecs/quality/search.ts AUTO_TARGETS): the memory model's quality for it. */
export const AUTO_MAX_QUALITY: Record<AutoLevel, number> = { best: 95, good: 85, eco: 80, low: 75 };

/**
 * Largest AVIF output, in pixels. aom at speed 8 in workerd (test/codecs/encode.test.ts): 800x600
 * photo ~250 ms, 1600x1200 ~670 ms, 2 MP of noise ~840 ms and 69 MiB of wasm memory; above 2 MP
 * the encode passes ~1 s and its memory (30 B/px, cost.ts) no longer leaves room for the rest of a
 * request in the 100 MB budget. 1920x1080 (2.07 MP) falls back; 1600x1200 does not.
 */
export const AVIF_MAX_PIXELS = 2_000_000;

export interface OutputChoice extends OutputSpec {
  varyAccept: boolean;
}

type SourceFormat = 'jpg' | 'png' | 'webp' | 'gif' | 'avif';

export interface OutputInput {
  components: readonly Component[];
  extension?: SourceFormat;
  originalFormat: SourceFormat;
  /** The original has an alpha channel, or a step adds transparency; asked only when f_auto finds no AVIF or WebP. */
  mayBeTransparent: () => boolean;
  accept: string | null;
}

export function chooseOutput({ components, extension, originalFormat, mayBeTransparent, accept }: OutputInput): OutputChoice {
  let f: Component['f'];
  let q: Component['q'];
  let progressive = false;
  for (const c of components) {
    if (c.f) f = c.f;
    if (c.q) q = c.q;
    if (c.fl?.includes('progressive')) progressive = true;
  }
  const quality = !q ? DEFAULT_QUALITY : q.kind === 'fixed' ? q.value : AUTO_FALLBACK[q.level];
  const auto = q?.kind === 'auto' ? { auto: q.level } : {};

  if (f === 'auto') {
    const accepted = acceptedFormat(accept);
    const format: OutputFormat = accepted ?? (mayBeTransparent() ? 'png' : 'jpg');
    return { format, quality, progressive, varyAccept: true, ...auto };
  }
  const wanted = f ?? extension ?? originalFormat;
  if (wanted === 'gif') throw new CldError(400, 'GIF output is not supported: request .png or .webp (the first frame is delivered)');
  return { format: wanted, quality, progressive, varyAccept: false, ...auto };
}

/** The best modern format the Accept header allows (a `q=0` entry refuses it), or null for JPEG/PNG. */
export function acceptedFormat(accept: string | null): 'avif' | 'webp' | null {
  if (!accept) return null;
  const types = new Set<string>();
  for (const part of accept.split(',')) {
    const [type, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (!q || Number(q.slice(2)) > 0) types.add(type.trim());
  }
  return types.has('image/avif') ? 'avif' : types.has('image/webp') ? 'webp' : null;
}

export interface SettledOutput {
  output: OutputSpec;
  /** Why the format differs from the one asked for, for X-Dprox-Format-Fallback. */
  fallback?: string;
}

/** The format actually encoded at the output size: AVIF over AVIF_MAX_PIXELS becomes WebP. Pure. */
export function settleFormat(output: OutputSpec, width: number, height: number): SettledOutput {
  if (output.format === 'avif' && width * height > AVIF_MAX_PIXELS)
    return { output: { ...output, format: 'webp' }, fallback: `avif->webp (too large: ${width}x${height})` };
  return { output };
}

export function contentType(format: OutputFormat | 'gif'): string {
  return { jpg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif', avif: 'image/avif' }[format];
}
