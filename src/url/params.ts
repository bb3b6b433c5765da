/**
 * THE parameter table. Every transformation parameter dprox accepts is declared here once:
 * its URL key, the name used in error messages, its value grammar (parse), its canonical
 * spelling (format), and whether the DPR multiplies it. Parser, canonical form, signatures'
 * cache keys and the planner all read this table; nothing else knows a parameter's syntax.
 */
import { background, border, formatBackground, formatBorder, type Background, type Border } from './background';
import { color, formatColor, type Color } from './colors';
import { refuseAiVision } from './ai-vision';
import { effect, formatEffect, type Effect } from './effects';
import { CldError, ParamError } from './errors';
import type { IfParam, Template, VarDef } from './expressions';
import { formatLayerId, layerId, type LayerRef, publicIdIn } from './layer-id';
import { aspectRatio, decimal, dimension, formatDimension, formatOffset, offset, oneOf, positiveInt, type Dimension, type Offset } from './values';

export const CROP_MODES = ['scale', 'fit', 'limit', 'mfit', 'fill', 'lfill', 'pad', 'lpad', 'mpad', 'crop', 'thumb', 'fill_pad'] as const;
export type CropMode = (typeof CROP_MODES)[number];

export const COMPASS = ['center', 'north', 'south', 'east', 'west', 'north_east', 'north_west', 'south_east', 'south_west'] as const;
/** `xy_center`: the crop is centred on the point (x, y) (breadth §3). Face gravities need AI vision: a 400 (url/ai-vision.ts). */
export type Gravity = (typeof COMPASS)[number] | 'auto' | 'xy_center';

export const OUTPUT_FORMATS = ['jpg', 'png', 'webp', 'avif', 'gif'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
export type FormatParam = OutputFormat | 'auto';

/** `chroma`: `q_<n>:444` keeps full-resolution chroma in JPEG, `:420` subsamples it (the default, said explicitly). */
export type Quality = { kind: 'fixed'; value: number; chroma?: '444' | '420' } | { kind: 'auto'; level: 'best' | 'good' | 'eco' | 'low' };
export type Dpr = { kind: 'fixed'; value: number } | { kind: 'auto' };
/** `degrees` clockwise, 0-359; `auto`: a_auto_right / a_auto_left, a quarter turn when the crop's orientation differs from the image's. */
export type Angle = { degrees: number; hflip: boolean; vflip: boolean; ignore: boolean; auto?: 'right' | 'left' };
export type Radius = { kind: 'max' } | { kind: 'px'; corners: readonly [number, number, number, number] };

/** `premium_downscaling` is dprox's own: premium downscaling for one URL when the cloud has it off (plan/premium.ts). */
export const FLAGS = [
  'ignore_aspect_ratio',
  'progressive',
  'immutable_cache',
  'layer_apply',
  'relative',
  'no_overflow',
  'tiled',
  'premium_downscaling',
  'attachment',
  'getinfo',
  'cutter',
  'animated',
  'png8',
  'lossy',
  'keep_iptc',
  'preserve_transparency',
] as const;
export type Flag = (typeof FLAGS)[number];
/** A flag as written: `fl_attachment:<name>` carries the download's file name (attachmentOf). */
export type FlagValue = Flag | `attachment:${string}`;

/** Where each flag acts (see Scope); `delivery`: the response's headers. */
export const FLAG_SCOPES: { [F in Flag]: Exclude<Scope, 'flags'> | 'delivery' } = {
  ignore_aspect_ratio: 'geometry',
  progressive: 'output',
  immutable_cache: 'delivery',
  layer_apply: 'layer',
  relative: 'layer',
  no_overflow: 'layer',
  tiled: 'layer',
  premium_downscaling: 'chain',
  attachment: 'delivery',
  getinfo: 'delivery',
  cutter: 'layer',
  animated: 'output',
  png8: 'output',
  lossy: 'output',
  keep_iptc: 'output',
  preserve_transparency: 'output',
};

export const MAX_DPR = 5;

/**
 * Where a parameter acts. `steps`: it becomes steps of its own component (plan/component-steps.ts
 * must have its builder, or nothing compiles); `geometry`: read by its component's crop and resize
 * (plan/geometry.ts); `layer`: starts a layer (plan/layers.ts); `chain`: one value for the whole
 * chain, the last one written (plan/hints.ts); `output`: the encoded format and quality
 * (plan/output.ts); `flags`: each flag says its own (FLAG_SCOPES); `modifier`: read by another
 * parameter of its component (`co_` by `e_colorize` and the effects that draw), refused alone;
 * `source`: which original the chain starts from (`d_`, the placeholder of a missing one: delivery/delivery.ts).
 */
export type Scope = 'steps' | 'geometry' | 'layer' | 'chain' | 'output' | 'flags' | 'modifier' | 'source';

interface ParamSpec<T, S extends Scope = Scope> {
  /** Name used in error messages ("Invalid width in transformation: ..."). */
  name: string;
  scope: S;
  parse(raw: string): T;
  format(value: T): string;
  /** Pixel values of this parameter are multiplied by the DPR (ratios are not). */
  dprScaled: boolean;
}

const param = <T, S extends Scope = Scope>(spec: ParamSpec<T, S>) => spec;

export const PARAMS = {
  w: param<Dimension, 'geometry'>({ name: 'width', scope: 'geometry', parse: dimension('width', true), format: formatDimension, dprScaled: true }),
  h: param<Dimension, 'geometry'>({ name: 'height', scope: 'geometry', parse: dimension('height', false), format: formatDimension, dprScaled: true }),
  c: param<CropMode, 'geometry'>({ name: 'crop', scope: 'geometry', parse: notAiVision('c', oneOf('crop', CROP_MODES)), format: String, dprScaled: false }),
  ar: param<number, 'geometry'>({ name: 'aspect_ratio', scope: 'geometry', parse: aspectRatio, format: decimal, dprScaled: false }),
  g: param<Gravity, 'geometry'>({
    name: 'gravity',
    scope: 'geometry',
    parse: notAiVision('g', oneOf<Gravity>('gravity', [...COMPASS, 'auto', 'xy_center'])),
    format: String,
    dprScaled: false,
  }),
  x: param<Offset, 'geometry'>({ name: 'x', scope: 'geometry', parse: offset('x'), format: formatOffset, dprScaled: true }),
  y: param<Offset, 'geometry'>({ name: 'y', scope: 'geometry', parse: offset('y'), format: formatOffset, dprScaled: true }),
  z: param<number, 'geometry'>({ name: 'zoom', scope: 'geometry', parse: zoom, format: decimal, dprScaled: false }),
  dpr: param<Dpr, 'chain'>({
    name: 'dpr',
    scope: 'chain',
    parse: (raw) => {
      if (raw === 'auto') return { kind: 'auto' };
      const n = /^\d*\.?\d+$|^\d+\.$/.test(raw) ? Number(raw) : NaN;
      if (!(n >= 0.1 && n <= MAX_DPR)) throw new ParamError('dpr', raw, `a number from 0.1 to ${MAX_DPR}, or auto`);
      return { kind: 'fixed', value: n };
    },
    format: (d) => (d.kind === 'auto' ? 'auto' : decimal(d.value)),
    dprScaled: false,
  }),
  e: param<Effect, 'steps'>({ name: 'effect', scope: 'steps', parse: effect, format: formatEffect, dprScaled: true }),
  a: param<Angle, 'steps'>({ name: 'angle', scope: 'steps', parse: angle, format: formatAngle, dprScaled: false }),
  r: param<Radius, 'steps'>({ name: 'radius', scope: 'steps', parse: radius, format: formatRadius, dprScaled: true }),
  b: param<Background, 'geometry'>({ name: 'background', scope: 'geometry', parse: notAiVision('b', background), format: formatBackground, dprScaled: false }),
  bo: param<Border, 'steps'>({ name: 'border', scope: 'steps', parse: border, format: formatBorder, dprScaled: true }),
  co: param<Color, 'modifier'>({ name: 'color', scope: 'modifier', parse: color('color'), format: formatColor, dprScaled: false }),
  o: param<number, 'steps'>({ name: 'opacity', scope: 'steps', parse: (raw) => positiveInt('opacity', raw, 0, 100), format: String, dprScaled: false }),
  q: param<Quality, 'output'>({ name: 'quality', scope: 'output', parse: quality, format: formatQuality, dprScaled: false }),
  f: param<FormatParam, 'output'>({
    name: 'format',
    scope: 'output',
    parse: (raw) => oneOf<FormatParam>('format', [...OUTPUT_FORMATS, 'auto'])(raw === 'jpeg' ? 'jpg' : raw),
    format: String,
    dprScaled: false,
  }),
  // Layers (src/plan/layers.ts): the public ID of an overlay / underlay, ':' for folders, or text (url/text-layer.ts).
  l: param<LayerRef, 'layer'>({ name: 'overlay', scope: 'layer', parse: layerId('l'), format: formatLayerId, dprScaled: false }),
  u: param<LayerRef, 'layer'>({ name: 'underlay', scope: 'layer', parse: layerId('u'), format: formatLayerId, dprScaled: false }),
  d: param<string, 'source'>({
    name: 'default_image',
    scope: 'source',
    parse: (raw) => publicIdIn('default_image', raw),
    format: (id) => id.split('/').join(':'),
    dprScaled: false,
  }),
  fl: param<readonly FlagValue[], 'flags'>({
    name: 'flag',
    scope: 'flags',
    parse: (raw) => [...new Set(raw.split('.').map(notAiVision('fl', flag)))].sort(),
    format: (flags) => flags.join('.'),
    dprScaled: false,
  }),
  // The frame of an animated original the chain starts from (1-based; plan/animation.ts).
  pg: param<number, 'chain'>({ name: 'page', scope: 'chain', parse: page, format: String, dprScaled: false }),
};

export type ParamKey = keyof typeof PARAMS;
/** The parameters that become steps of their own component. */
export type StepParam = { [K in ParamKey]: (typeof PARAMS)[K]['scope'] extends 'steps' ? K : never }[ParamKey];
type ValueOf<K extends ParamKey> = ReturnType<(typeof PARAMS)[K]['parse']>;
/** One parsed transformation component, keyed by URL key: `component.w`, `component.c`, ... */
export type Component = { -readonly [K in ParamKey]?: ValueOf<K> } & Programmable;

/**
 * Variables and conditions (url/expressions.ts), resolved by the planner into plain values
 * (plan/evaluate.ts) before the component is planned: `if_…`, `$name_value` definitions in the
 * order written, and the parameters whose value is an expression (not set as plain values then).
 */
export interface Programmable {
  if?: IfParam;
  /** `t_<name>[.<name>…]`: named transformations, expanded by the delivery (src/delivery/named.ts) before planning; the planner never sees one. */
  named?: readonly string[];
  vars?: VarDef[];
  exprs?: { [K in ExprKey]?: Template };
}

/** The parameters whose value may be a variable or an expression (numbers; strings for e_, b_, co_). */
export const EXPR_KEYS = ['w', 'h', 'x', 'y', 'z', 'q', 'ar', 'a', 'o', 'r', 'dpr', 'e', 'b', 'co'] as const satisfies readonly ParamKey[];
export type ExprKey = (typeof EXPR_KEYS)[number];

/**
 * Every key Cloudinary defines. A path segment made of these is a transformation component even
 * when dprox does not support one of them (answered 400, not mistaken for a folder of the public ID).
 */
export const CLOUDINARY_KEYS = new Set([
  'a',
  'ac',
  'af',
  'ar',
  'b',
  'bl',
  'bo',
  'br',
  'c',
  'co',
  'cs',
  'd',
  'dl',
  'dn',
  'dpr',
  'du',
  'e',
  'eo',
  'f',
  'fl',
  'fn',
  'fps',
  'g',
  'h',
  'if',
  'ki',
  'l',
  'o',
  'p',
  'pg',
  'q',
  'r',
  'so',
  'sp',
  't',
  'u',
  'vc',
  'vs',
  'w',
  'x',
  'y',
  'z',
]);

const plainFlag = oneOf('flag', FLAGS);

/** A flag name, or `attachment:<name>`: Cloudinary's characters, `%2E` (written `%252E` in the URL) for a dot. */
function flag(raw: string): FlagValue {
  if (!raw.startsWith('attachment:')) return plainFlag(raw);
  const name = raw.slice('attachment:'.length).replace(/%2E/gi, '.');
  if (!/^[A-Za-z0-9_\-! .]{1,200}$/.test(name) || /^\.+$/.test(name))
    throw new ParamError('flag', raw, 'attachment:<file name of letters, digits, _ - ! space, %252E for a dot, up to 200>');
  return `attachment:${name}`;
}

/** `fl_attachment[:name]` anywhere in the chain: the download's name (undefined: the public ID's), or null without the flag. */
export function attachmentOf(components: readonly Component[]): { name?: string } | null {
  let found: { name?: string } | null = null;
  for (const c of components)
    for (const f of c.fl ?? []) {
      if (f === 'attachment') found ??= {};
      else if (f.startsWith('attachment:')) found = { name: f.slice('attachment:'.length) };
    }
  return found;
}

/** The parameter's grammar, after the AI-vision values' 400 (url/ai-vision.ts). */
function notAiVision<T>(key: Parameters<typeof refuseAiVision>[0], parse: (raw: string) => T): (raw: string) => T {
  return (raw) => {
    refuseAiVision(key, raw);
    return parse(raw);
  };
}

export function isParamKey(key: string): key is ParamKey {
  return Object.hasOwn(PARAMS, key);
}

function angle(raw: string): Angle {
  const result: Angle = { degrees: 0, hflip: false, vflip: false, ignore: false };
  let turned = false;
  for (const part of raw.split('.')) {
    if (part === 'hflip') result.hflip = true;
    else if (part === 'vflip') result.vflip = true;
    else if (part === 'ignore') result.ignore = true;
    else if (part === 'auto_right' || part === 'auto_left') result.auto = part === 'auto_right' ? 'right' : 'left';
    else if (/^-?\d+$/.test(part) && Math.abs(Number(part)) <= 3600) {
      result.degrees = (((result.degrees + Number(part)) % 360) + 360) % 360;
      turned = true;
    } else throw new ParamError('angle', raw, 'an integer of degrees (-3600 to 3600), hflip, vflip, ignore, auto_right or auto_left (dot-separated)');
  }
  if (result.auto && turned) throw new ParamError('angle', raw, 'auto_right or auto_left without a number of degrees');
  return result;
}

/** z_: a positive decimal (1.0 is no zoom); above 1 crops tighter, below 1 looser. */
function zoom(raw: string): number {
  const n = /^\d*\.?\d+$|^\d+\.$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 0.01 && n <= 100)) throw new ParamError('zoom', raw, 'a decimal from 0.01 to 100, such as 1.5');
  return n;
}

function formatAngle(a: Angle): string {
  const parts: string[] = [];
  if (a.hflip) parts.push('hflip');
  if (a.vflip) parts.push('vflip');
  if (a.ignore) parts.push('ignore');
  if (a.auto) parts.push(`auto_${a.auto}`);
  if (a.degrees || !parts.length) parts.push(String(a.degrees));
  return parts.join('.');
}

function radius(raw: string): Radius {
  if (raw === 'max') return { kind: 'max' };
  const parts = raw.split(':');
  if (parts.length > 4 || parts.some((p) => !/^\d+$/.test(p) || Number(p) > 10_000))
    throw new ParamError('radius', raw, 'max, or 1 to 4 pixel values separated by colons');
  const v = parts.map(Number);
  // CSS border-radius shorthand: tl, tr, br, bl.
  const corners: [number, number, number, number] =
    v.length === 1
      ? [v[0], v[0], v[0], v[0]]
      : v.length === 2
        ? [v[0], v[1], v[0], v[1]]
        : v.length === 3
          ? [v[0], v[1], v[2], v[1]]
          : [v[0], v[1], v[2], v[3]];
  return { kind: 'px', corners };
}

function formatRadius(r: Radius): string {
  if (r.kind === 'max') return 'max';
  const [a, b, c, d] = r.corners;
  return a === b && b === c && c === d ? String(a) : r.corners.join(':');
}

function quality(raw: string): Quality {
  if (raw === 'auto') return { kind: 'auto', level: 'good' };
  if (raw.startsWith('auto:')) {
    const level = oneOf('quality', ['best', 'good', 'eco', 'low'] as const)(raw.slice(5));
    return { kind: 'auto', level };
  }
  const [n, chroma, ...rest] = raw.split(':');
  if (!/^\d+$/.test(n) || rest.length || (chroma !== undefined && chroma !== '444' && chroma !== '420'))
    throw new ParamError('quality', raw, 'an integer from 1 to 100 with :444 or :420 for its chroma, or auto[:best|good|eco|low]');
  return { kind: 'fixed', value: positiveInt('quality', n, 1, 100), ...(chroma ? { chroma } : {}) };
}

/** pg_<n>: one frame, 1 to 100000. Cloudinary's ranges and lists (pg_2-4, pg_1;3) pick pages of documents: refused, naming the form. */
function page(raw: string): number {
  if (/^\d+$/.test(raw)) return positiveInt('page', raw, 1, 100_000);
  throw new ParamError('page', raw, 'one frame number from 1 (ranges, lists and named layers are not supported)');
}

function formatQuality(q: Quality): string {
  return q.kind === 'fixed' ? `${q.value}${q.chroma ? `:${q.chroma}` : ''}` : `auto:${q.level}`;
}

export function unsupportedKey(key: string, rawParam: string): CldError {
  return CLOUDINARY_KEYS.has(key)
    ? new CldError(400, `Unsupported transformation parameter '${key}' in ${rawParam} (dprox supports: ${Object.keys(PARAMS).join(', ')})`)
    : new CldError(400, `Invalid transformation parameter '${key}' in ${rawParam}`);
}
