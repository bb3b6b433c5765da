/**
 * `l_text:<font>_<size>[_<style token>...]:<text>` (and `u_text:`): the grammar of a text layer,
 * pure. The style tokens are Cloudinary's (docs: cloudinary-breadth.md §5), in any order; what
 * dprox cannot render as written is refused with a 400 that names it, never drawn differently.
 * The text is URL-decoded a second time (the first was the path's): `%2C` is a comma, `%2F` a
 * slash, `%25` a percent sign.
 */
import { CldError } from './errors';

/** Font families dprox ships (plan/text/fonts.ts has their files). */
export type FontFamily = 'sans' | 'serif' | 'mono' | 'dejavu';
export type FontStyle = 'regular' | 'bold' | 'italic';
export type FontFace = `${FontFamily}-${FontStyle}`;

/** The faces that exist: Liberation has regular, bold and italic of each; DejaVu Sans only its regular. */
export const FONT_FACES = {
  'sans-regular': 'Liberation Sans',
  'sans-bold': 'Liberation Sans Bold',
  'sans-italic': 'Liberation Sans Italic',
  'serif-regular': 'Liberation Serif',
  'serif-bold': 'Liberation Serif Bold',
  'serif-italic': 'Liberation Serif Italic',
  'mono-regular': 'Liberation Mono',
  'mono-bold': 'Liberation Mono Bold',
  'mono-italic': 'Liberation Mono Italic',
  'dejavu-regular': 'DejaVu Sans',
} as const satisfies Partial<Record<FontFace, string>>;
export type ShippedFace = keyof typeof FONT_FACES;

/**
 * Font names (lower case, spaces and hyphens removed) and the family drawn for them. Liberation
 * is metric-compatible with Arial/Helvetica, Times New Roman and Courier New (same advance
 * widths: the same text makes the same box); `DejaVu*` and the generic names are DejaVu Sans.
 */
const FONT_NAMES: Record<string, FontFamily> = {
  arial: 'sans',
  helvetica: 'sans',
  liberationsans: 'sans',
  arimo: 'sans',
  times: 'serif',
  timesnewroman: 'serif',
  liberationserif: 'serif',
  tinos: 'serif',
  courier: 'mono',
  couriernew: 'mono',
  liberationmono: 'mono',
  cousine: 'mono',
  dejavu: 'dejavu',
  dejavusans: 'dejavu',
  sans: 'dejavu',
  sansserif: 'dejavu',
};

export const MAX_FONT_SIZE = 1000;
/** Characters (code points) of one text layer. */
export const MAX_TEXT_LENGTH = 1000;
/** letter_spacing_ and line_spacing_ in logical pixels, either sign. */
export const MAX_SPACING = 1000;

export type TextAlign = 'left' | 'center' | 'right';

export interface TextSource {
  kind: 'text';
  /** The font as written (`Arial`, `Times New Roman`), and the face drawn for it. */
  font: string;
  face: ShippedFace;
  /** Logical pixels: the DPR multiplies it, as it does the spacings. */
  size: number;
  bold: boolean;
  italic: boolean;
  underline: boolean;
  strikethrough: boolean;
  align: TextAlign;
  letterSpacing: number;
  lineSpacing: number;
  /** The text, decoded; `\n` breaks a line. With `variables`, `$(name)` marks where each goes. */
  text: string;
  /** `$(name)` in the text: the variables interpolated by the planner (plan/evaluate.ts), in order. */
  variables?: readonly string[];
}

/** `$(name)` as written in the URL (a `$` escaped as `%24` is text). */
const INTERPOLATION = /\$\(([a-zA-Z][a-zA-Z0-9]*)\)/g;

const WEIGHTS_REFUSED = ['thin', 'extralight', 'light', 'medium', 'semibold', 'extrabold', 'black', 'heavy'];

export function parseTextLayer(key: 'l' | 'u', raw: string): TextSource {
  const bad = (why: string) => new CldError(400, `Invalid text layer ${key}_${raw}: ${why}`);
  const body = raw.slice('text:'.length);
  const colon = body.indexOf(':');
  if (colon < 0) throw bad('expected text:<font>_<size>[_<style>...]:<text>');
  const style = body.slice(0, colon);
  const escaped = body.slice(colon + 1);
  if (style.startsWith('$')) throw bad('style variables are not supported');
  const tokens = style.split('_');
  const font = tokens[0];
  const family = FONT_NAMES[font.toLowerCase().replace(/[\s-]/g, '')];
  if (!family)
    throw new CldError(
      400,
      `Unsupported font '${font}' in ${key}_text (dprox ships Liberation Sans for Arial/Helvetica, Liberation Serif for Times/Times New Roman, Liberation Mono for Courier/Courier New, and DejaVu Sans; custom and Google fonts are not supported)`,
    );
  const sizeToken = tokens[1] ?? '';
  if (!/^\d+$/.test(sizeToken) || Number(sizeToken) < 1 || Number(sizeToken) > MAX_FONT_SIZE)
    throw new CldError(400, `Invalid font size '${sizeToken}' in ${key}_text:${style} (expected an integer from 1 to ${MAX_FONT_SIZE})`);
  const out: Omit<TextSource, 'face' | 'text'> = {
    kind: 'text',
    font,
    size: Number(sizeToken),
    bold: false,
    italic: false,
    underline: false,
    strikethrough: false,
    align: 'left',
    letterSpacing: 0,
    lineSpacing: 0,
  };
  const unsupported = (token: string, why: string) => new CldError(400, `Unsupported text style '${token}' in ${key}_text:${style} (${why})`);
  for (let i = 2; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === 'normal' || t === '400') continue;
    if (t === 'bold' || t === '700') out.bold = true;
    else if (t === 'italic') out.italic = true;
    else if (t === 'underline') out.underline = true;
    else if (t === 'strikethrough') out.strikethrough = true;
    else if (t === 'left' || t === 'start') out.align = 'left';
    else if (t === 'center') out.align = 'center';
    else if (t === 'right' || t === 'end') out.align = 'right';
    else if ((t === 'letter' || t === 'line') && tokens[i + 1] === 'spacing') {
      const n = tokens[i + 2] ?? '';
      const value = /^-?\d*\.?\d+$/.test(n) ? Number(n) : Number.NaN;
      if (!(Math.abs(value) <= MAX_SPACING)) throw bad(`${t}_spacing expects a number of pixels from -${MAX_SPACING} to ${MAX_SPACING}, got '${n}'`);
      if (t === 'letter') out.letterSpacing = value;
      else out.lineSpacing = value;
      i += 2;
    } else if (t === 'antialias') {
      const a = tokens[++i];
      if (a !== 'gray' && a !== 'good' && a !== 'best')
        throw unsupported(`antialias_${a}`, 'dprox draws grayscale antialiased text: antialias_gray, _good or _best');
    } else if (t === 'hinting') {
      const h = tokens[++i];
      if (h !== 'none') throw unsupported(`hinting_${h}`, 'dprox draws unhinted outlines: hinting_none');
    } else if (WEIGHTS_REFUSED.includes(t) || /^\d00$/.test(t)) throw unsupported(t, 'the weights shipped are normal (400) and bold (700)');
    else if (t === 'justify') throw unsupported(t, 'alignments are left, center, right, start and end');
    else if (t === 'stroke') throw unsupported(t, 'outlined text is not drawn');
    else throw unsupported(t, 'expected bold, italic, underline, strikethrough, left, center, right, letter_spacing_<n>, line_spacing_<n>');
  }
  if (out.bold && out.italic) throw unsupported('bold_italic', 'no bold italic face is shipped: bold or italic');
  const styleName: FontStyle = out.bold ? 'bold' : out.italic ? 'italic' : 'regular';
  const face = `${family}-${styleName}` as const;
  if (!(face in FONT_FACES)) throw unsupported(styleName, `${FONT_FACES[`${family}-regular`]} is shipped in its regular face only`);

  const literals = escaped.split(INTERPOLATION).filter((_, i) => i % 2 === 0);
  if (literals.some((l) => l.includes('$'))) throw bad('a $ in the text is either $(name), a variable, or escaped as %24');
  const variables = [...escaped.matchAll(INTERPOLATION)].map((m) => m[1]);
  const decoded = literals.map(unescapeText);
  if (variables.length && decoded.some((l) => l.includes('$('))) throw bad('a text with variables cannot also hold an escaped $( ');
  const text = decoded.reduce((acc, l, i) => acc + (i ? `$(${variables[i - 1]})` : '') + l, '');
  if (text === '') throw bad('the text is empty');
  if ([...text].length > MAX_TEXT_LENGTH) throw bad(`the text is longer than ${MAX_TEXT_LENGTH} characters`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
  if (/[\u0000-\u0009\u000b-\u001f\u007f]/.test(text)) throw bad('control characters other than a line break (%0A) are not allowed');
  return { ...out, face: face as ShippedFace, text, ...(variables.length ? { variables } : {}) };
}

/** The text with each `$(name)` replaced by its variable's value, checked as a written text is. */
export function interpolateText(t: TextSource, value: (name: string) => string): TextSource {
  if (!t.variables) return t;
  const text = t.text.replace(INTERPOLATION, (_, name: string) => value(name));
  const why =
    text === ''
      ? 'the text is empty'
      : [...text].length > MAX_TEXT_LENGTH
        ? `the text is longer than ${MAX_TEXT_LENGTH} characters`
        : // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
          /[\u0000-\u0009\u000b-\u001f\u007f]/.test(text)
          ? 'control characters other than a line break are not allowed'
          : undefined;
  if (why) throw new CldError(400, `Invalid text layer text:${t.font}_${t.size}:${encodeURIComponent(t.text)}: ${why}, once its variables are set`);
  const { variables: _, ...rest } = t;
  return { ...rest, text };
}

/**
 * The second URL-decoding of the text: each run of `%XX` escapes decoded as UTF-8 (invalid UTF-8
 * is refused), a `%` not followed by two hex digits kept as it is (the SDKs send `100%` as
 * `100%25`, which the path's decoding already made `100%`).
 */
export function unescapeText(escaped: string): string {
  return escaped.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      throw new CldError(400, `Invalid text layer: ${run} in its text is not URL-escaped UTF-8`);
    }
  });
}

/** The canonical spelling (the cache key): tokens in the SDKs' order, the text escaped once. */
export function formatTextLayer(t: TextSource): string {
  const tokens = [t.font, String(t.size)];
  if (t.bold) tokens.push('bold');
  if (t.italic) tokens.push('italic');
  if (t.underline) tokens.push('underline');
  if (t.strikethrough) tokens.push('strikethrough');
  if (t.align !== 'left') tokens.push(t.align);
  if (t.letterSpacing) tokens.push('letter_spacing', String(t.letterSpacing));
  if (t.lineSpacing) tokens.push('line_spacing', String(t.lineSpacing));
  // Each $(name) stays as written; the rest is escaped ($ included, as %24).
  const text = t.variables
    ? t.text
        .split(/(\$\([a-zA-Z][a-zA-Z0-9]*\))/)
        .map((part, i) => (i % 2 ? part : encodeURIComponent(part)))
        .join('')
    : encodeURIComponent(t.text);
  return `text:${tokens.join('_')}:${text}`;
}
