/**
 * Text layout, pure: a text layer's glyphs placed from the font's metrics (advance widths, glyph
 * boxes, ascent, descent, line gap), lines broken at `\n` and, with `c_fit,w_<n>`, at the last
 * space that keeps the line within n pixels (a word wider than n alone is broken between
 * characters). The box is trimmed to the glyphs' ink, as Cloudinary trims text layers, so its
 * size is known here, before any pixel: the rasteriser (ops/text.ts) draws into exactly it.
 */
import type { TextSource } from '../../url/text-layer';
import { fontOf } from './fonts';

/** A glyph's origin (on the baseline) in the box's pixels, y down. */
export interface PlacedGlyph {
  glyph: number;
  x: number;
  y: number;
}

/** An underline or strikethrough bar, in the box's pixels. */
export interface TextRule {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface TextLayout {
  width: number;
  height: number;
  /** Pixels per font unit. */
  scale: number;
  glyphs: PlacedGlyph[];
  rules: TextRule[];
  lines: number;
}

interface Line {
  glyphs: number[];
  /** Pen position of each glyph, from the line's start. */
  xs: number[];
  /** Where the pen ends (no letter spacing after the last glyph). */
  advance: number;
  /** Ink extent from the line's start (glyph boxes); [0, advance] when it has none. */
  left: number;
  right: number;
}

export interface TextBox {
  /** c_fit,w_: the most pixels a line may take (already DPR-scaled). */
  width?: number;
  /** c_fit,h_: the box is cut at this height. */
  height?: number;
}

export function layoutText(source: TextSource, dpr: number, fit: TextBox = {}): TextLayout {
  const font = fontOf(source.face);
  const scale = (source.size * dpr) / font.unitsPerEm;
  const letter = source.letterSpacing * dpr;
  const lineHeight = (font.ascent - font.descent + font.lineGap) * scale + source.lineSpacing * dpr;

  const measure = (codePoints: readonly number[]): Line => {
    const glyphs: number[] = [];
    const xs: number[] = [];
    let pen = 0;
    let left = Infinity;
    let right = -Infinity;
    codePoints.forEach((cp, i) => {
      const g = font.glyphIndex(cp);
      glyphs.push(g);
      xs.push(pen);
      const box = font.box(g);
      if (box) {
        left = Math.min(left, pen + box.xMin * scale);
        right = Math.max(right, pen + box.xMax * scale);
      }
      pen += font.advance(g) * scale + (i < codePoints.length - 1 ? letter : 0);
    });
    if (left > right) [left, right] = [0, Math.max(pen, 0)];
    return { glyphs, xs, advance: pen, left, right };
  };
  const extent = (l: Line) => Math.max(l.right, l.advance) - Math.min(l.left, 0);

  const lines: Line[] = [];
  for (const paragraph of source.text.split('\n')) {
    const cps = [...paragraph].map((c) => c.codePointAt(0)!);
    if (fit.width === undefined) {
      lines.push(measure(cps));
      continue;
    }
    lines.push(...wrap(cps, fit.width, measure, extent));
  }

  // Lines aligned within the widest, baselines one line height apart.
  const widest = Math.max(...lines.map((l) => l.advance));
  const glyphs: PlacedGlyph[] = [];
  const rules: TextRule[] = [];
  let x0 = Infinity,
    y0 = Infinity,
    x1 = -Infinity,
    y1 = -Infinity;
  const ink = (ax: number, ay: number, bx: number, by: number) => {
    x0 = Math.min(x0, ax);
    y0 = Math.min(y0, ay);
    x1 = Math.max(x1, bx);
    y1 = Math.max(y1, by);
  };
  lines.forEach((line, i) => {
    const shift = source.align === 'center' ? (widest - line.advance) / 2 : source.align === 'right' ? widest - line.advance : 0;
    const baseline = font.ascent * scale + i * lineHeight;
    line.glyphs.forEach((g, k) => {
      const x = shift + line.xs[k];
      glyphs.push({ glyph: g, x, y: baseline });
      const box = font.box(g);
      if (box) ink(x + box.xMin * scale, baseline - box.yMax * scale, x + box.xMax * scale, baseline - box.yMin * scale);
    });
    const rule = (position: number, thickness: number) => {
      const height = Math.max(1, thickness * scale);
      const r = { x: shift, y: baseline - position * scale - height / 2, width: Math.max(line.advance, 1), height };
      rules.push(r);
      ink(r.x, r.y, r.x + r.width, r.y + r.height);
    };
    if (source.underline) rule(font.underlinePosition, font.underlineThickness);
    if (source.strikethrough) rule(font.strikeoutPosition, font.strikeoutSize);
  });
  if (x0 > x1) {
    // No ink at all (spaces only): the box the lines take.
    x0 = 0;
    y0 = 0;
    x1 = Math.max(1, widest);
    y1 = Math.max(1, font.ascent * scale + (lines.length - 1) * lineHeight - font.descent * scale);
  }
  const left = Math.floor(x0),
    top = Math.floor(y0);
  let width = Math.max(1, Math.ceil(x1) - left);
  let height = Math.max(1, Math.ceil(y1) - top);
  // Overhangs past the fit box (italic or accented glyphs at a line's ends) are cut off.
  if (fit.width !== undefined) width = Math.min(width, Math.max(1, Math.floor(fit.width)));
  if (fit.height !== undefined) height = Math.min(height, Math.max(1, Math.floor(fit.height)));
  for (const g of glyphs) {
    g.x -= left;
    g.y -= top;
  }
  for (const r of rules) {
    r.x -= left;
    r.y -= top;
  }
  return { width, height, scale, glyphs, rules, lines: lines.length };
}

/** Greedy word wrap of one paragraph: lines of whole words within `width`, a too-wide word broken between characters. */
function wrap(cps: number[], width: number, measure: (cps: readonly number[]) => Line, extent: (l: Line) => number): Line[] {
  const out: Line[] = [];
  const SPACE = 0x20;
  const words: number[][] = [[]];
  for (const cp of cps) {
    if (cp === SPACE) words.push([]);
    else words[words.length - 1].push(cp);
  }
  let current: number[] | undefined;
  const fits = (line: number[]) => extent(measure(line)) <= width;
  for (const word of words) {
    const candidate = current === undefined ? word : [...current, SPACE, ...word];
    if (fits(candidate)) {
      current = candidate;
      continue;
    }
    if (current !== undefined) out.push(measure(current));
    // The word alone, broken where it does not fit.
    let piece: number[] = [];
    for (const cp of word) {
      if (piece.length && !fits([...piece, cp])) {
        out.push(measure(piece));
        piece = [];
      }
      piece.push(cp);
    }
    current = piece;
  }
  out.push(measure(current ?? []));
  return out;
}
