/**
 * `b_` (background) and `bo_` (border) grammars. A background is a colour, or a colour picked
 * from the image at run time (`b_auto[:<mode>][:palette_<c1>_..._<cN>]`), or a blurred copy of the
 * image (`b_blurred[:<intensity>[:<brightness>]]`); both of the latter fill the padding of the pad
 * modes only (docs/cloudinary-breadth.md §3).
 */
import { color, formatColor, type Color } from './colors';
import { ParamError } from './errors';

export type AutoBackground = {
  kind: 'auto';
  /** `border`: the predominant colour of the edge pixels; `predominant`: of all pixels. */
  from: 'border' | 'predominant';
  /** The colour that contrasts most with the predominant one. */
  contrast: boolean;
  /** The choice is limited to these colours. */
  palette?: readonly Color[];
  /** `*_gradient`: a gradient of the top 2 (along `direction`) or 4 (one at each corner) colours instead of one colour. */
  gradient?: Gradient;
};
export type GradientDirection = 'horizontal' | 'vertical' | 'diagonal_desc' | 'diagonal_asc';
export interface Gradient {
  colors: 2 | 4;
  direction: GradientDirection;
}
const DIRECTIONS: readonly GradientDirection[] = ['horizontal', 'vertical', 'diagonal_desc', 'diagonal_asc'];
export type BlurredBackground = { kind: 'blurred'; intensity: number; brightness: number };
export type Background = Color | AutoBackground | BlurredBackground;

export function isColor(b: Background | undefined): b is Color {
  return Array.isArray(b);
}

const AUTO_EXPECTED =
  'auto[:border|predominant|border_contrast|predominant_contrast|border_gradient[_contrast]|predominant_gradient[_contrast]][:2|4][:horizontal|vertical|diagonal_desc|diagonal_asc][:palette_<colour>_<colour>...]';
const BLURRED_EXPECTED = 'blurred[:<intensity 1-2000>[:<brightness -300-100>]]';
const parseColor = color('background');
/** Inside b_auto's palette colours are names or bare hex (breadth §0); rgb: is accepted too. */
const paletteColor = (raw: string): Color => parseColor(/^[0-9a-f]{3,8}$/i.test(raw) ? `rgb:${raw}` : raw);

export function background(raw: string): Background {
  if (raw === 'auto' || raw.startsWith('auto:')) return autoBackground(raw);
  if (raw === 'blurred' || raw.startsWith('blurred:')) {
    const [, intensity = '100', brightness = '0', ...rest] = raw.split(':');
    const i = /^\d+$/.test(intensity) ? Number(intensity) : NaN;
    const b = /^-?\d+$/.test(brightness) ? Number(brightness) : NaN;
    if (rest.length || !(i >= 1 && i <= 2000) || !(b >= -300 && b <= 100)) throw new ParamError('background', raw, BLURRED_EXPECTED);
    return { kind: 'blurred', intensity: i, brightness: b };
  }
  return parseColor(raw);
}

function autoBackground(raw: string): AutoBackground {
  const out: AutoBackground = { kind: 'auto', from: 'border', contrast: false };
  const parts = raw.split(':').slice(1);
  let i = 0;
  const mode = parts[0];
  if (mode !== undefined && !mode.startsWith('palette_')) {
    const m = /^(border|predominant)(_gradient)?(_contrast)?$/.exec(mode);
    if (!m) throw new ParamError('background', raw, AUTO_EXPECTED);
    out.from = m[1] as AutoBackground['from'];
    out.contrast = m[3] !== undefined;
    i = 1;
    if (m[2]) {
      const gradient: Gradient = { colors: 2, direction: 'horizontal' };
      if (parts[i] === '2' || parts[i] === '4') gradient.colors = Number(parts[i++]) as 2 | 4;
      if (DIRECTIONS.includes(parts[i] as GradientDirection)) gradient.direction = parts[i++] as GradientDirection;
      out.gradient = gradient;
    }
  }
  if (i < parts.length) {
    const p = parts[i];
    if (!p.startsWith('palette_') || p.length === 8)
      throw new ParamError('background', raw, `${AUTO_EXPECTED} (the colour count and direction are for the gradient forms)`);
    out.palette = p.slice(8).split('_').map(paletteColor);
    i++;
  }
  if (i < parts.length) throw new ParamError('background', raw, AUTO_EXPECTED);
  return out;
}

export function formatBackground(b: Background): string {
  if (isColor(b)) return formatColor(b);
  if (b.kind === 'blurred') return `blurred:${b.intensity}:${b.brightness}`;
  const palette = b.palette ? `:palette_${b.palette.map((c) => formatColor(c).slice(4)).join('_')}` : '';
  const gradient = b.gradient ? `_gradient${b.contrast ? '_contrast' : ''}:${b.gradient.colors}:${b.gradient.direction}` : '';
  return b.gradient ? `auto:${b.from}${gradient}${palette}` : `auto:${b.from}${b.contrast ? '_contrast' : ''}${palette}`;
}

/** `bo_<width>px_solid_<colour>`: width in logical pixels (times the DPR), only `solid`. */
export type Border = { width: number; color: Color };

const BORDER_EXPECTED = '<width>px_solid_<colour>, width an integer from 1 to 1000';
const borderColor = color('border');

export function border(raw: string): Border {
  const m = /^(\d+)px_solid_(.+)$/.exec(raw);
  if (!m || Number(m[1]) < 1 || Number(m[1]) > 1000) throw new ParamError('border', raw, BORDER_EXPECTED);
  return { width: Number(m[1]), color: borderColor(m[2]) };
}

export function formatBorder(b: Border): string {
  return `${b.width}px_solid_${formatColor(b.color)}`;
}
