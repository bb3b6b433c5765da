/**
 * Transformation objects to URL components, as the official cloudinary SDK's
 * generate_transformation_string (same option names, same ordering, same expression rewriting)
 * for the image parameters dprox serves.
 */

export type Value = string | number;

export interface Transformation {
  width?: Value;
  height?: Value;
  /** "WxH": width and height at once. */
  size?: string;
  crop?: string;
  gravity?: string;
  x?: Value;
  y?: Value;
  aspect_ratio?: Value;
  zoom?: Value;
  /** `2.0` as a string gives `dpr_2.0`, as the SDK; the number 2 gives `dpr_2`. */
  dpr?: Value;
  quality?: Value;
  fetch_format?: string;
  /** `'sharpen:50'`, `['sharpen', 50]` or `{ sharpen: 50 }`. */
  effect?: string | Value[] | Record<string, Value>;
  angle?: Value | Value[];
  radius?: Value | Value[];
  /** `#rrggbb` becomes `rgb:rrggbb`. */
  background?: string;
  border?: string | { width?: number; color?: string };
  color?: string;
  opacity?: Value;
  flags?: string | string[];
  default_image?: string;
  density?: Value;
  page?: Value;
  prefix?: string;
  /** Chained transformations (objects, each a component, before this one) or named ones (`t_`). */
  transformation?: string | string[] | Transformation[];
  /** Appended as is to this component. */
  raw_transformation?: string;
}

/** One transformation, a chain of them (components joined by `/`), or a string used as is. */
export type Transformations = Transformation | Transformation[] | string;

const CONDITIONAL_OPERATORS: Record<string, string> = {
  '=': 'eq',
  '!=': 'ne',
  '<': 'lt',
  '>': 'gt',
  '<=': 'lte',
  '>=': 'gte',
  '&&': 'and',
  '||': 'or',
  '*': 'mul',
  '/': 'div',
  '+': 'add',
  '-': 'sub',
  '^': 'pow',
};

const PREDEFINED_VARS: Record<string, string> = {
  aspect_ratio: 'ar',
  aspectRatio: 'ar',
  current_page: 'cp',
  currentPage: 'cp',
  duration: 'du',
  face_count: 'fc',
  faceCount: 'fc',
  height: 'h',
  initial_aspect_ratio: 'iar',
  initial_height: 'ih',
  initial_width: 'iw',
  initialAspectRatio: 'iar',
  initialHeight: 'ih',
  initialWidth: 'iw',
  initial_duration: 'idu',
  initialDuration: 'idu',
  page_count: 'pc',
  page_x: 'px',
  page_y: 'py',
  pageCount: 'pc',
  pageX: 'px',
  pageY: 'py',
  tags: 'tags',
  width: 'w',
};

const OPERATORS_RE = /((\|\||>=|<=|&&|!=|>|=|<|\/|-|\^|\+|\*)(?=[ _]))/g;
const VARIABLES_RE = new RegExp(
  '(\\$_*[^_ ]+)|(' +
    Object.keys(PREDEFINED_VARS)
      .map((v) => `:${v}|${v}`)
      .join('|') +
    ')',
  'g',
);

/** `iw / 2` → `iw_div_2`, `initial_width` → `iw`: the SDK's normalize_expression. */
export function normalizeExpression<T>(expression: T): T | string {
  if (typeof expression !== 'string' || expression.length === 0 || /^!.+!$/.test(expression)) return expression;
  return expression
    .replace(OPERATORS_RE, (m) => CONDITIONAL_OPERATORS[m])
    .replace(VARIABLES_RE, (m) => PREDEFINED_VARS[m] ?? m)
    .replace(/[ _]+/g, '_');
}

const present = (v: unknown): boolean => v != null && String(v).length > 0;
const toArray = <T>(v: T | T[] | undefined): T[] => (v == null ? [] : Array.isArray(v) ? v : [v]);

export function transformationString(t: Transformations): string {
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) return t.map(transformationString).filter(present).join('/');
  return component(t);
}

function component(t: Transformation): string {
  let { width, height } = t;
  if (t.size) [width, height] = t.size.split('x');

  const chained = toArray<string | Transformation>(t.transformation);
  const before = chained.some((c) => typeof c === 'object') ? chained.map((c) => transformationString(c as Transformation | string)) : [];
  const named = before.length ? '' : chained.join('.');

  let effect: unknown = t.effect;
  if (Array.isArray(effect)) effect = effect.join(':');
  else if (effect && typeof effect === 'object')
    effect = Object.entries(effect)
      .map(([k, v]) => `${k}:${v}`)
      .join(',');

  let border: unknown = t.border;
  if (border && typeof border === 'object') {
    const b = border as { width?: number; color?: string };
    border = `${b.width ?? 2}px_solid_${(b.color ?? 'black').replace(/^#/, 'rgb:')}`;
  } else if (/^\d+$/.test(String(border))) border = undefined; // an HTML attribute in the SDK, not a URL parameter

  const radius = t.radius || t.radius === 0 ? radiusValue(t.radius) : t.radius;
  const params: Record<string, unknown> = {
    a: normalizeExpression(toArray(t.angle).join('.')),
    ar: normalizeExpression(t.aspect_ratio),
    b: t.background?.replace(/^#/, 'rgb:'),
    bo: border,
    c: t.crop,
    co: t.color?.replace(/^#/, 'rgb:'),
    dpr: normalizeExpression(t.dpr),
    e: normalizeExpression(effect),
    fl: toArray(t.flags).join('.'),
    h: normalizeExpression(height),
    o: normalizeExpression(t.opacity),
    q: normalizeExpression(t.quality),
    r: radius,
    t: named,
    w: normalizeExpression(width),
    x: normalizeExpression(t.x),
    y: normalizeExpression(t.y),
    z: normalizeExpression(t.zoom),
    // The SDK's "simple" parameters: no rewriting.
    d: t.default_image,
    dn: t.density,
    f: t.fetch_format,
    g: t.gravity,
    p: t.prefix,
    pg: t.page,
  };
  const own = Object.entries(params)
    .filter(([, v]) => present(v))
    .map(([k, v]) => `${k}_${v}`)
    .sort()
    .join(',');
  const last = [own, t.raw_transformation].filter(present).join(',');
  return [...before, last].filter(present).join('/');
}

/** `r_10:20:30`; the SDK refuses more than four corners. */
function radiusValue(radius: Value | Value[]): string {
  const corners = toArray(radius);
  if (corners.length === 0 || corners.length > 4) throw new Error('Radius array should contain between 1 and 4 values');
  return corners.map(normalizeExpression).join(':');
}
