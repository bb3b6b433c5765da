/** Parse one transformation component (`c_fill,w_100,h_100`) through the table, and print it canonically. */
import { CldError } from './errors';
import {
  ARITHMETIC,
  checkVariableName,
  formatExpression,
  formatIf,
  looksLikeExpression,
  MAX_VARIABLES,
  parseExpression,
  parseIf,
  type Template,
} from './expressions';
import { CLOUDINARY_KEYS, EXPR_KEYS, PARAMS, isParamKey, unsupportedKey, type Component, type ExprKey, type FlagValue, type ParamKey } from './params';

const PARAM_SHAPE = /^([a-z]{1,3}|\$\w+)_./;

export function parseComponent(text: string): Component {
  const component: Component = {};
  for (const raw of text.split(',')) {
    if (raw === '') continue;
    const sep = raw.indexOf('_');
    if (sep <= 0) throw new CldError(400, `Invalid transformation parameter '${raw}' (expected key_value)`);
    const key = raw.slice(0, sep);
    const value = raw.slice(sep + 1);
    if (key.startsWith('$')) {
      // `$name_value`: a variable definition, kept in the order written (url/expressions.ts).
      const name = checkVariableName(key, raw);
      if (value === '') throw new CldError(400, `Invalid variable ${key}: empty value in ${raw}`);
      component.vars = [...(component.vars ?? []), { name, value: parseExpression(value, raw) }];
      if (component.vars.length > MAX_VARIABLES) throw new CldError(400, `Too many variable definitions in one component: at most ${MAX_VARIABLES}`);
      continue;
    }
    if (key === 'if') {
      if (value === '') throw new CldError(400, `Invalid condition in transformation: empty value in ${raw}`);
      component.if = parseIf(value);
      continue;
    }
    if (key === 't') {
      component.named = [...(component.named ?? []), ...parseNamedList(value, raw)];
      if (component.named.length > MAX_NAMED_PER_COMPONENT)
        throw new CldError(400, `Too many named transformations in one component: at most ${MAX_NAMED_PER_COMPONENT}`);
      continue;
    }
    if (!isParamKey(key)) throw unsupportedKey(key, raw);
    if (value === '') throw new CldError(400, `Invalid ${PARAMS[key].name} in transformation: empty value in ${raw}`);
    if (isExprKey(key)) {
      const template = templateOf(key, value, raw);
      if (template) {
        component.exprs = { ...component.exprs, [key]: template };
        delete component[key];
        continue;
      }
      if (component.exprs?.[key]) {
        const { [key]: _, ...rest } = component.exprs;
        component.exprs = rest;
      }
    } else if (value.includes('$') && !((key === 'l' || key === 'u') && value.startsWith('text:')))
      throw new CldError(400, `Variables are not supported in ${PARAMS[key].name} (${raw})`);
    // Last duplicate wins, as on Cloudinary; flags add up (`fl_layer_apply,fl_relative`).
    const parsed = PARAMS[key].parse(value);
    (component as Record<ParamKey, unknown>)[key] =
      key === 'fl' && component.fl ? [...new Set([...component.fl, ...(parsed as readonly FlagValue[])])].sort() : parsed;
  }
  return component;
}

/** A named transformation's name: what Cloudinary's console and Admin API accept (no `.`, which chains names in `t_a.b`). */
export const NAMED_TRANSFORMATION_NAME = /^[A-Za-z0-9_-]{1,128}$/;
const MAX_NAMED_PER_COMPONENT = 10;

/** `t_a.b`: the names, in the order they apply. */
function parseNamedList(value: string, raw: string): string[] {
  const names = value.split('.');
  for (const name of names)
    if (!NAMED_TRANSFORMATION_NAME.test(name)) throw new CldError(400, `Invalid named transformation '${name}' in ${raw} (letters, digits, _ and - only)`);
  return names;
}

function isExprKey(key: ParamKey): key is ExprKey {
  return (EXPR_KEYS as readonly string[]).includes(key);
}

/**
 * The value as an expression, or undefined when it is a plain value of the parameter's grammar
 * (`w_iw`, `ar_16:9`). Without a `$` the parameter's own grammar is tried first, and its error
 * stands when the text is no expression either. `e_blur:$s`, `co_rgb:$hex`: the text before the
 * colon is kept as is.
 */
function templateOf(key: ExprKey, value: string, raw: string): Template | undefined {
  if (!looksLikeExpression(value)) return undefined;
  const colon = value.indexOf(':');
  const split = (key === 'e' || key === 'b' || key === 'co') && colon > 0 && !value.slice(0, colon).includes('$');
  const prefix = split ? value.slice(0, colon + 1) : '';
  const text = value.slice(prefix.length);
  if (value.includes('$')) return { prefix, expr: parseExpression(text, raw) };
  try {
    PARAMS[key].parse(value);
    return undefined;
  } catch (native) {
    try {
      return { prefix, expr: parseExpression(text, raw) };
    } catch (e) {
      // With an operator it was meant as an expression: its own error says more.
      throw text.split('_').some((t) => (ARITHMETIC as readonly string[]).includes(t)) ? e : native;
    }
  }
}

/**
 * The cache key of a component: `if_` first, then the variable definitions in the order written
 * (later ones may read earlier ones), then the parameters sorted by key, each value in its
 * canonical spelling (an expression's as the expression).
 */
export function formatComponent(component: Component): string {
  const parts: string[] = [];
  if (component.if) parts.push(`if_${formatIf(component.if)}`);
  for (const v of component.vars ?? []) parts.push(`$${v.name}_${formatExpression(v.value)}`);
  if (component.named?.length) parts.push(`t_${component.named.join('.')}`);
  const exprs = component.exprs ?? {};
  const keys = (Object.keys(component) as string[]).filter((key): key is ParamKey => isParamKey(key) && component[key] !== undefined);
  for (const key of Object.keys(exprs) as ExprKey[]) if (exprs[key] && !keys.includes(key)) keys.push(key);
  for (const key of keys.sort()) {
    const t = isExprKey(key) ? exprs[key] : undefined;
    parts.push(t ? `${key}_${t.prefix}${formatExpression(t.expr)}` : `${key}_${(PARAMS[key].format as (v: unknown) => string)(component[key])}`);
  }
  return parts.join(',');
}

export function formatTransformation(components: readonly Component[]): string {
  return components.map(formatComponent).filter(Boolean).join('/');
}

/**
 * Without a version segment, a path segment counts as a transformation only if it has the shape of
 * one and names at least one Cloudinary key; otherwise it is a folder of the public ID.
 */
export function looksLikeComponent(text: string): boolean {
  // `$name_value` definitions make a component too (`$small_150/c_scale,w_$small/sample`).
  return hasComponentShape(text) && text.split(',').some((p) => CLOUDINARY_KEYS.has(p.slice(0, p.indexOf('_'))) || /^\$\w/.test(p));
}

/** Every comma-separated part is `key_value`: enough to trust segments before a `v<digits>` segment. */
export function hasComponentShape(text: string): boolean {
  const parts = text.split(',').filter(Boolean);
  return parts.length > 0 && parts.every((p) => PARAM_SHAPE.test(p));
}
