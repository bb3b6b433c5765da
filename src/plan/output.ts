/**
 * Output format and quality. Format: `f_` (last in the chain) beats the extension, which beats the
 * original's format. `f_auto` picks AVIF when the browser accepts it, else WebP, else PNG when the
 * result may be transparent, else JPEG, and makes the response vary on Accept.
 * An animated original keeps its frames in GIF, and in WebP with `fl_animated` or `f_auto` (animated
 * WebP where Accept takes it, else GIF); pg_ picks one frame, and other formats get the first.
 * AVIF above AVIF_MAX_PIXELS is delivered as WebP (settleFormat, called by the planner once the
 * output size is known), as Cloudflare Images does for images too large to encode quickly.
 */
import { CldError } from '../url/errors';
import type { Component, OutputFormat } from '../url/params';
import { chainPage } from './animation';
import { AUTO_FALLBACK } from './quality';
import type { OutputSpec } from './steps';

export const DEFAULT_QUALITY = 80;

/**
 * Largest AVIF output, in pixels. @jsquash/avif's aom at speed 8 in workerd (test/codecs/encode.test.ts):
 * 800x600 photo ~250 ms, 1600x1200 ~670 ms, 2 MP of noise ~840 ms and 69 MiB of wasm memory (our
 * build since 2026-12-02: ~0.4x the time, ~0.7x the memory, bench/avif-build.mjs); above 2 MP
 * the encode passes ~1 s and its memory (30 B/px, cost.ts) no longer leaves room for the rest of a
 * request in the 100 MB budget. 1920x1080 (2.07 MP) falls back; 1600x1200 does not.
 */
export const AVIF_MAX_PIXELS = 2_000_000;

export interface OutputChoice extends OutputSpec {
  varyAccept: boolean;
}

type SourceFormat = 'jpg' | 'png' | 'webp' | 'gif' | 'avif' | 'bmp' | 'tiff' | 'svg';

/** BMP, TIFF and SVG originals are read, not written: without an asked format they are delivered as PNG (lossless, alpha kept). */
const READ_ONLY_FORMATS = new Set<SourceFormat>(['bmp', 'tiff', 'svg']);

/** The format an original is delivered in when none is asked (the extension eager transformations get by default too). */
export function defaultOutputFormat<F extends SourceFormat>(original: F): Exclude<F, 'bmp' | 'tiff' | 'svg'> | 'png' {
  return READ_ONLY_FORMATS.has(original) ? 'png' : (original as Exclude<F, 'bmp' | 'tiff' | 'svg'>);
}

export interface OutputInput {
  components: readonly Component[];
  extension?: SourceFormat;
  originalFormat: SourceFormat;
  /** The original has an alpha channel, or a step adds transparency; asked only when f_auto finds no AVIF or WebP. */
  mayBeTransparent: () => boolean;
  accept: string | null;
  /** The original has more than one frame (header.animated). */
  animatedOriginal?: boolean;
}

export function chooseOutput(input: OutputInput): OutputChoice {
  if (!input.components.some((c) => c.fl?.includes('keep_iptc'))) return chooseFormat(input);
  // fl_keep_iptc: JPEG to JPEG only (f_auto answers JPEG); Cloudinary documents it as not for q_auto.
  if (input.components.some((c) => c.q?.kind === 'auto')) throw new CldError(400, 'fl_keep_iptc cannot be combined with q_auto');
  if (input.originalFormat !== 'jpg')
    throw new CldError(400, `fl_keep_iptc keeps a JPEG original's IPTC and XMP: this original is ${input.originalFormat.toUpperCase()}`);
  let f: Component['f'];
  for (const c of input.components) if (c.f) f = c.f;
  const fAuto = f === 'auto';
  if (fAuto && input.mayBeTransparent()) throw new CldError(400, 'fl_keep_iptc needs JPEG output, and this result may be transparent');
  const choice = chooseFormat(fAuto ? { ...input, components: [...input.components, { f: 'jpg' }] } : input);
  if (choice.format !== 'jpg') throw new CldError(400, `fl_keep_iptc keeps metadata in JPEG output only, not ${choice.format.toUpperCase()}`);
  return { ...choice, keepMetadata: true };
}

function chooseFormat({ components, extension, originalFormat, mayBeTransparent, accept, animatedOriginal }: OutputInput): OutputChoice {
  let f: Component['f'];
  let q: Component['q'];
  let progressive = false;
  const page = chainPage(components);
  const flags = new Set<string>();
  for (const c of components) {
    if (c.f) f = c.f;
    if (c.q) q = c.q;
    for (const flag of c.fl ?? []) flags.add(flag);
  }
  if (flags.has('progressive')) progressive = true;
  const quality = !q ? DEFAULT_QUALITY : q.kind === 'fixed' ? q.value : AUTO_FALLBACK[q.level];
  const auto = q?.kind === 'auto' ? { auto: q.level } : {};
  const chroma444 = q?.kind === 'fixed' && q.chroma === '444';
  if (!f && extension && READ_ONLY_FORMATS.has(extension))
    throw new CldError(
      400,
      `${extension.toUpperCase()} output is not supported: request .png, .jpg, .webp or .avif (dprox reads ${extension.toUpperCase()} originals)`,
    );
  // Without f_: the extension (a read-only one was refused just above), else the original's format.
  const named = (extension as Exclude<SourceFormat, 'bmp' | 'tiff' | 'svg'> | undefined) ?? defaultOutputFormat(originalFormat);
  // Every frame is kept unless pg_ picked one: GIF always, WebP with fl_animated or f_auto (plan/animation.ts).
  const moving = animatedOriginal === true && page === undefined;

  if (chroma444) {
    // WebP's lossy mode and dprox's AVIF are 4:2:0 only: f_auto picks what keeps the chroma whole.
    const format = f === 'auto' ? (mayBeTransparent() ? 'png' : 'jpg') : (f ?? named);
    if (format === 'webp' || format === 'avif' || format === 'gif')
      throw new CldError(400, `q_${quality}:444 needs JPEG (or PNG, lossless): ${format.toUpperCase()} output here is always 4:2:0 or indexed`);
    return { format, quality, progressive, varyAccept: false, ...(format === 'jpg' ? { chroma444: true as const } : {}) };
  }

  let format: OutputFormat;
  if (f === 'auto') {
    const accepted = acceptedFormat(accept);
    // Every browser that takes AVIF takes WebP (and the cache key knows only the best of them).
    if (moving) format = accepted ? 'webp' : 'gif';
    else format = accepted ?? (mayBeTransparent() ? 'png' : 'jpg');
  } else {
    format = f ?? named;
    if (flags.has('animated') && animatedOriginal && (format === 'png' || format === 'avif' || format === 'jpg'))
      throw new CldError(
        400,
        `fl_animated: animated ${format === 'jpg' ? 'JPEG does not exist' : `${format.toUpperCase()} output is not supported`}; request .gif or .webp`,
      );
    // fl_lossy: a PNG stays PNG only when it may be transparent, else it becomes a JPEG (Cloudinary's rule).
    if (flags.has('lossy') && format === 'png' && !mayBeTransparent()) format = 'jpg';
    else if (flags.has('lossy') && format !== 'gif' && format !== 'png')
      throw new CldError(400, `fl_lossy applies to GIF and PNG output (or f_auto), not ${format.toUpperCase()}`);
  }
  if (flags.has('png8') && format !== 'png' && f !== 'auto') throw new CldError(400, `fl_png8 applies to PNG output, not ${format.toUpperCase()}`);
  // f_auto always keeps alpha here (AVIF, WebP or PNG); what the flag adds is never flattening it.
  if (flags.has('preserve_transparency') && format === 'jpg' && mayBeTransparent())
    throw new CldError(400, 'fl_preserve_transparency: this result may be transparent and JPEG has no alpha; request f_auto, PNG, WebP or AVIF');
  const animate = moving && (format === 'gif' || (format === 'webp' && (f === 'auto' || flags.has('animated'))));
  let loop: Component['e'];
  for (const c of components) if (c.e?.name === 'loop') loop = c.e;
  if (loop && !animate)
    throw new CldError(
      400,
      'e_loop sets how often an animation plays: this delivery is a still (a still original, pg_, or a format that is not animated here)',
    );
  return {
    format,
    quality,
    progressive,
    varyAccept: f === 'auto',
    ...auto,
    ...(animate ? { animate: true } : {}),
    ...(loop ? { loops: loop.strength === undefined ? 0 : loop.strength + 1 } : {}),
    ...(flags.has('png8') && format === 'png' ? { png8: true } : {}),
    ...(flags.has('lossy') && format === 'gif' ? { lossy: true } : {}),
  };
}

/** The best modern format the Accept header allows (a `q=0` entry refuses it), or null for JPEG/PNG. */
export function acceptedFormat(accept: string | null): 'avif' | 'webp' | null {
  const types = accepted(accept);
  return types.has('image/avif') ? 'avif' : types.has('image/webp') ? 'webp' : null;
}

function accepted(accept: string | null): Set<string> {
  const types = new Set<string>();
  if (!accept) return types;
  for (const part of accept.split(',')) {
    const [type, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (!q || Number(q.slice(2)) > 0) types.add(type.trim());
  }
  return types;
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

export function contentType(format: OutputFormat | SourceFormat): string {
  return {
    jpg: 'image/jpeg',
    png: 'image/png',
    webp: 'image/webp',
    gif: 'image/gif',
    avif: 'image/avif',
    bmp: 'image/bmp',
    tiff: 'image/tiff',
    svg: 'image/svg+xml',
  }[format];
}
