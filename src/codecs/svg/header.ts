/**
 * SVG originals: the root <svg>'s intrinsic size as resvg sizes it (width/height, a missing or
 * percentage side from the viewBox's, else 100 px; rounded) and the refusals made before anything is rendered. resvg neither runs scripts
 * nor fetches, but an SVG that asks for either is refused by name rather than drawn without it.
 */
import type { ImageHeader } from '../../plan/steps';
import { ImageError } from '../../pixels/errors';

export const SVG_MAX_BYTES = 10 * 1024 * 1024;
export const SVG_MAX_SIDE = 10_000;
export const SVG_MAX_ELEMENTS = 20_000;
/** The size of a side neither the root's width/height nor a viewBox gives (resvg's 100%). */
const SVG_DEFAULT_SIDE = 100;

/** An XML or <svg> start (after a BOM and whitespace) with an <svg element in the first KiB. */
export function isSvg(head: string): boolean {
  const h = head.replace(/^\xef\xbb\xbf/, '').trimStart();
  return (h.startsWith('<?xml') || h.startsWith('<svg') || h.startsWith('<!DOCTYPE svg') || h.startsWith('<!--')) && h.includes('<svg');
}

const refused = (what: string) => new ImageError(`SVG refused: ${what}`, 400);

export function svgText(b: Uint8Array): string {
  if (b.length > SVG_MAX_BYTES) throw new ImageError(`SVG too large: ${b.length} bytes, over ${SVG_MAX_BYTES}`, 413);
  return new TextDecoder('utf-8').decode(b);
}

/** The pixels all embedded rasters of one SVG may decode to (resvg decodes each into its memory). */
export const SVG_MAX_EMBEDDED_PIXELS = 16_000_000;

/** Reads an embedded raster's header (codecs/header.ts readHeader, passed in: it imports this file). */
export type EmbeddedReader = (bytes: Uint8Array) => { width: number; height: number };

/**
 * Throws a 400 naming the first construct dprox does not render: scripts, events, external
 * references, entities. With `readEmbedded`, returns the pixels of the data:image/ rasters.
 */
export function checkSvgSafety(text: string, readEmbedded?: EmbeddedReader): number {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw refused('DOCTYPE or ENTITY declarations (XML entity expansion)');
  if (/<(?:[\w-]+:)?script[\s>/]/i.test(text)) throw refused('<script> elements');
  if (/<(?:[\w-]+:)?foreignObject[\s>/]/i.test(text)) throw refused('<foreignObject> elements');
  // Every pattern here is linear in the text (no nested or overlapping repetition): it is up to 10 MB.
  if (/\son[a-z]+\s*=\s*["']/i.test(text)) throw refused('event handler attributes (on...=)');
  if (/@import/i.test(text)) throw refused('CSS @import');
  let embedded = 0;
  for (const m of text.matchAll(/\bhref\s*=\s*["']([^"']*)/gi)) {
    const href = m[1].trim();
    if (href.startsWith('#')) continue;
    if (!/^data:image\//i.test(href) || /^data:image\/svg/i.test(href))
      throw refused(`external reference href="${href.slice(0, 60)}" (only #fragments and data:image/ rasters are allowed)`);
    if (readEmbedded) embedded += embeddedPixels(href, readEmbedded);
  }
  if (embedded > SVG_MAX_EMBEDDED_PIXELS) throw refused(`embedded images of ${embedded} pixels, over ${SVG_MAX_EMBEDDED_PIXELS}`);
  for (const m of text.matchAll(/url\(\s*["']?\s*([^)"'\s]*)/gi)) {
    const target = m[1];
    if (!target.startsWith('#')) throw refused(`external reference url(${target.slice(0, 60)}) (only url(#id) is allowed)`);
  }
  let elements = 0;
  for (const _ of text.matchAll(/<[a-zA-Z]/g)) if (++elements > SVG_MAX_ELEMENTS) throw refused(`more than ${SVG_MAX_ELEMENTS} elements`);
  return embedded;
}

/** A base64 data:image/ URI's raster, sized from its header before resvg decodes it. */
function embeddedPixels(href: string, read: EmbeddedReader): number {
  const comma = href.indexOf(',');
  if (comma < 0 || !/;base64$/i.test(href.slice(0, comma))) throw refused('an embedded image that is not base64');
  let bytes: Uint8Array;
  try {
    bytes = Uint8Array.from(atob(href.slice(comma + 1).replace(/\s+/g, '')), (c) => c.charCodeAt(0));
  } catch {
    throw refused('an embedded image whose base64 is invalid');
  }
  try {
    const { width, height } = read(bytes);
    return width * height;
  } catch (e) {
    throw refused(`an embedded image: ${e instanceof Error ? e.message : 'unreadable'}`);
  }
}

const UNITS: Record<string, number> = { '': 1, px: 1, pt: 4 / 3, pc: 16, in: 96, cm: 96 / 2.54, mm: 96 / 25.4 };

/** A length in px, a fraction of the viewBox side for a percentage, undefined when absent or unreadable. */
function length(attrs: string, name: string): { px: number } | { percent: number } | undefined {
  const m = new RegExp(`(?:^|\\s)${name}\\s*=\\s*["']\\s*([+]?[\\d.]+(?:e[+-]?\\d+)?)\\s*(px|pt|pc|in|cm|mm|%)?\\s*["']`, 'i').exec(attrs);
  if (!m) return undefined;
  const v = Number(m[1]);
  if (!Number.isFinite(v) || v <= 0) return undefined;
  if (m[2] === '%') return { percent: v / 100 };
  return { px: v * UNITS[(m[2] ?? '').toLowerCase()] };
}

export function svgHeader(b: Uint8Array, readEmbedded: EmbeddedReader): ImageHeader {
  const text = svgText(b);
  const embedded = checkSvgSafety(text, readEmbedded);
  const start = text.search(/<svg[\s>/]/i);
  const end = start < 0 ? -1 : text.indexOf('>', start);
  if (end < 0) throw new ImageError('Invalid image file: no <svg> element', 400);
  const attrs = text.slice(start + 4, end);
  const vb = /(?:^|\s)viewBox\s*=\s*["']([^"']*)["']/i
    .exec(attrs)?.[1]
    .trim()
    .split(/[\s,]+/)
    .map(Number);
  const box = vb && vb.length === 4 && vb[2] > 0 && vb[3] > 0 && vb.every(Number.isFinite) ? { w: vb[2], h: vb[3] } : undefined;
  const side = (l: ReturnType<typeof length>, boxSide: number | undefined): number | undefined =>
    l && 'px' in l ? l.px : boxSide !== undefined ? boxSide * (l?.percent ?? 1) : undefined;
  let w = side(length(attrs, 'width'), box?.w);
  let h = side(length(attrs, 'height'), box?.h);
  w ??= SVG_DEFAULT_SIDE;
  h ??= SVG_DEFAULT_SIDE;
  if (w > SVG_MAX_SIDE || h > SVG_MAX_SIDE)
    throw new ImageError(`SVG too large: ${Math.ceil(w)}x${Math.ceil(h)} declared, over ${SVG_MAX_SIDE} px a side`, 413);
  return {
    format: 'svg',
    width: Math.max(1, Math.round(w)),
    height: Math.max(1, Math.round(h)),
    hasAlpha: true,
    orientation: 1,
    progressive: false,
    animated: false,
    components: 4,
    ...(/<(?:[\w-]+:)?text[\s>/]/i.test(text) ? { svgText: true } : {}),
    ...(embedded ? { svgEmbeddedPixels: embedded } : {}),
  };
}
