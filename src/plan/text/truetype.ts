/**
 * A TrueType reader, pure: what the planner needs to size a text box (units per em, ascent,
 * descent, line gap, advance widths, glyph bounding boxes, the character map) and what the
 * rasteriser (ops/text.ts) needs to draw it (the quadratic outlines of `glyf`, composites
 * resolved). Reads the font's bytes in place; nothing is decoded until a glyph is asked for.
 */

export interface GlyphBox {
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
}

/** One closed contour in font units (y up): on-curve points and the off-curve control points between them. */
export interface Contour {
  x: number[];
  y: number[];
  on: boolean[];
}

export interface Font {
  unitsPerEm: number;
  /** hhea ascender (positive) and descender (negative), line gap: the line height is their span plus the gap. */
  ascent: number;
  descent: number;
  lineGap: number;
  /** post: underline position (negative, below the baseline) and thickness. */
  underlinePosition: number;
  underlineThickness: number;
  /** OS/2: strikeout position (above the baseline) and thickness. */
  strikeoutPosition: number;
  strikeoutSize: number;
  numGlyphs: number;
  glyphIndex(codePoint: number): number;
  advance(glyph: number): number;
  /** undefined for an empty glyph (a space). */
  box(glyph: number): GlyphBox | undefined;
  contours(glyph: number): Contour[];
}

export function parseFont(buffer: ArrayBuffer | Uint8Array): Font {
  const bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tables = new Map<string, number>();
  const numTables = v.getUint16(4);
  for (let i = 0; i < numTables; i++) {
    const rec = 12 + i * 16;
    const tag = String.fromCharCode(bytes[rec], bytes[rec + 1], bytes[rec + 2], bytes[rec + 3]);
    tables.set(tag, v.getUint32(rec + 8));
  }
  const table = (tag: string) => {
    const at = tables.get(tag);
    if (at === undefined) throw new Error(`font has no ${tag} table`);
    return at;
  };
  const head = table('head'),
    hhea = table('hhea'),
    hmtx = table('hmtx'),
    maxp = table('maxp'),
    loca = table('loca'),
    glyf = table('glyf'),
    cmap = table('cmap');
  const post = tables.get('post');
  const os2 = tables.get('OS/2');
  const unitsPerEm = v.getUint16(head + 18);
  const longLoca = v.getInt16(head + 50) === 1;
  const numGlyphs = v.getUint16(maxp + 4);
  const numHMetrics = v.getUint16(hhea + 34);

  const glyphOffset = (g: number): [number, number] => {
    if (g < 0 || g >= numGlyphs) return [0, 0];
    const a = longLoca ? v.getUint32(loca + g * 4) : v.getUint16(loca + g * 2) * 2;
    const b = longLoca ? v.getUint32(loca + g * 4 + 4) : v.getUint16(loca + g * 2 + 2) * 2;
    return [glyf + a, b - a];
  };

  const lookup = characterMap(v, cmap);
  const outlines = new Map<number, Contour[]>();

  const contours = (g: number, depth = 0): Contour[] => {
    const cached = outlines.get(g);
    if (cached) return cached;
    const [at, length] = glyphOffset(g);
    let out: Contour[] = [];
    if (length > 0 && depth < 8) {
      const n = v.getInt16(at);
      out = n >= 0 ? simpleGlyph(v, at, n) : compositeGlyph(v, at, (c) => contours(c, depth + 1));
    }
    outlines.set(g, out);
    return out;
  };

  return {
    unitsPerEm,
    ascent: v.getInt16(hhea + 4),
    descent: v.getInt16(hhea + 6),
    lineGap: v.getInt16(hhea + 8),
    underlinePosition: post !== undefined ? v.getInt16(post + 8) : -unitsPerEm / 10,
    underlineThickness: post !== undefined ? v.getInt16(post + 10) : unitsPerEm / 20,
    strikeoutPosition: os2 !== undefined ? v.getInt16(os2 + 28) : unitsPerEm / 4,
    strikeoutSize: os2 !== undefined ? v.getInt16(os2 + 26) : unitsPerEm / 20,
    numGlyphs,
    glyphIndex: (cp) => {
      const g = lookup(cp);
      return g < numGlyphs ? g : 0;
    },
    advance: (g) => v.getUint16(hmtx + 4 * Math.min(g, numHMetrics - 1)),
    box: (g) => {
      const [at, length] = glyphOffset(g);
      if (length <= 0) return undefined;
      return { xMin: v.getInt16(at + 2), yMin: v.getInt16(at + 4), xMax: v.getInt16(at + 6), yMax: v.getInt16(at + 8) };
    },
    contours: (g) => contours(g),
  };
}

/** The best Unicode subtable: format 12 (all planes) or format 4 (the BMP); unmapped code points give glyph 0 (.notdef). */
function characterMap(v: DataView, cmap: number): (cp: number) => number {
  const n = v.getUint16(cmap + 2);
  let f4: number | undefined;
  let f12: number | undefined;
  for (let i = 0; i < n; i++) {
    const platform = v.getUint16(cmap + 4 + i * 8);
    const encoding = v.getUint16(cmap + 6 + i * 8);
    const at = cmap + v.getUint32(cmap + 8 + i * 8);
    const unicode = platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10));
    if (!unicode) continue;
    const format = v.getUint16(at);
    if (format === 12) f12 ??= at;
    else if (format === 4) f4 ??= at;
  }
  if (f12 !== undefined) {
    const at = f12;
    const groups = v.getUint32(at + 12);
    return (cp) => {
      let lo = 0,
        hi = groups - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const g = at + 16 + mid * 12;
        const start = v.getUint32(g),
          end = v.getUint32(g + 4);
        if (cp < start) hi = mid - 1;
        else if (cp > end) lo = mid + 1;
        else return v.getUint32(g + 8) + cp - start;
      }
      return 0;
    };
  }
  if (f4 === undefined) return () => 0;
  const at = f4;
  const segX2 = v.getUint16(at + 6);
  const ends = at + 14,
    starts = ends + segX2 + 2,
    deltas = starts + segX2,
    ranges = deltas + segX2;
  return (cp) => {
    if (cp > 0xffff) return 0;
    for (let s = 0; s < segX2; s += 2) {
      if (v.getUint16(ends + s) < cp) continue;
      const start = v.getUint16(starts + s);
      if (cp < start) return 0;
      const delta = v.getUint16(deltas + s);
      const range = v.getUint16(ranges + s);
      if (range === 0) return (cp + delta) & 0xffff;
      const g = v.getUint16(ranges + s + range + (cp - start) * 2);
      return g === 0 ? 0 : (g + delta) & 0xffff;
    }
    return 0;
  };
}

function simpleGlyph(v: DataView, at: number, numContours: number): Contour[] {
  const endPts: number[] = [];
  for (let i = 0; i < numContours; i++) endPts.push(v.getUint16(at + 10 + i * 2));
  const numPoints = numContours ? endPts[numContours - 1] + 1 : 0;
  let p = at + 10 + numContours * 2;
  p += 2 + v.getUint16(p); // instructions
  const flags = new Uint8Array(numPoints);
  for (let i = 0; i < numPoints; ) {
    const f = v.getUint8(p++);
    flags[i++] = f;
    if (f & 8) {
      let repeat = v.getUint8(p++);
      while (repeat-- > 0 && i < numPoints) flags[i++] = f;
    }
  }
  const coords = (short: number, same: number): number[] => {
    const out: number[] = [];
    let value = 0;
    for (let i = 0; i < numPoints; i++) {
      const f = flags[i];
      if (f & short) {
        const d = v.getUint8(p++);
        value += f & same ? d : -d;
      } else if (!(f & same)) {
        value += v.getInt16(p);
        p += 2;
      }
      out.push(value);
    }
    return out;
  };
  const xs = coords(2, 16);
  const ys = coords(4, 32);
  const out: Contour[] = [];
  let start = 0;
  for (const end of endPts) {
    const c: Contour = { x: [], y: [], on: [] };
    for (let i = start; i <= end; i++) {
      c.x.push(xs[i]);
      c.y.push(ys[i]);
      c.on.push((flags[i] & 1) !== 0);
    }
    if (c.x.length) out.push(c);
    start = end + 1;
  }
  return out;
}

function compositeGlyph(v: DataView, at: number, component: (glyph: number) => Contour[]): Contour[] {
  const out: Contour[] = [];
  let p = at + 10;
  for (;;) {
    const flags = v.getUint16(p);
    const glyph = v.getUint16(p + 2);
    p += 4;
    let dx: number, dy: number;
    if (flags & 1) {
      dx = v.getInt16(p);
      dy = v.getInt16(p + 2);
      p += 4;
    } else {
      dx = v.getInt8(p);
      dy = v.getInt8(p + 1);
      p += 2;
    }
    // Point-matching placement (ARGS_ARE_XY_VALUES unset) is rare in Latin fonts: placed at the origin.
    if (!(flags & 2)) dx = dy = 0;
    let a = 1,
      b = 0,
      c = 0,
      d = 1;
    const f2dot14 = (o: number) => v.getInt16(o) / 16384;
    if (flags & 8) {
      a = d = f2dot14(p);
      p += 2;
    } else if (flags & 0x40) {
      a = f2dot14(p);
      d = f2dot14(p + 2);
      p += 4;
    } else if (flags & 0x80) {
      a = f2dot14(p);
      b = f2dot14(p + 2);
      c = f2dot14(p + 4);
      d = f2dot14(p + 6);
      p += 8;
    }
    for (const src of component(glyph)) {
      const t: Contour = { x: [], y: [], on: src.on.slice() };
      for (let i = 0; i < src.x.length; i++) {
        t.x.push(a * src.x[i] + c * src.y[i] + dx);
        t.y.push(b * src.x[i] + d * src.y[i] + dy);
      }
      out.push(t);
    }
    if (!(flags & 0x20)) break;
  }
  return out;
}
