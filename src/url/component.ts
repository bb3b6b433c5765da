/** Parse one transformation component (`c_fill,w_100,h_100`) through the table, and print it canonically. */
import { CldError } from './errors';
import { CLOUDINARY_KEYS, PARAMS, isParamKey, unsupportedKey, type Component, type Flag, type ParamKey } from './params';

const PARAM_SHAPE = /^([a-z]{1,3}|\$\w+)_./;

export function parseComponent(text: string): Component {
  const component: Component = {};
  for (const raw of text.split(',')) {
    if (raw === '') continue;
    const sep = raw.indexOf('_');
    if (sep <= 0) throw new CldError(400, `Invalid transformation parameter '${raw}' (expected key_value)`);
    const key = raw.slice(0, sep);
    const value = raw.slice(sep + 1);
    if (!isParamKey(key)) throw unsupportedKey(key, raw);
    if (value === '') throw new CldError(400, `Invalid ${PARAMS[key].name} in transformation: empty value in ${raw}`);
    // Last duplicate wins, as on Cloudinary; flags add up (`fl_layer_apply,fl_relative`).
    const parsed = PARAMS[key].parse(value);
    (component as Record<ParamKey, unknown>)[key] =
      key === 'fl' && component.fl ? [...new Set([...component.fl, ...(parsed as readonly Flag[])])].sort() : parsed;
  }
  return component;
}

/** Keys sorted alphabetically, each value in its canonical spelling: the cache key of a component. */
export function formatComponent(component: Component): string {
  return (Object.keys(component) as ParamKey[])
    .filter((key) => component[key] !== undefined)
    .sort()
    .map((key) => `${key}_${(PARAMS[key].format as (v: unknown) => string)(component[key])}`)
    .join(',');
}

export function formatTransformation(components: readonly Component[]): string {
  return components.map(formatComponent).filter(Boolean).join('/');
}

/**
 * Without a version segment, a path segment counts as a transformation only if it has the shape of
 * one and names at least one Cloudinary key; otherwise it is a folder of the public ID.
 */
export function looksLikeComponent(text: string): boolean {
  return hasComponentShape(text) && text.split(',').some((p) => CLOUDINARY_KEYS.has(p.slice(0, p.indexOf('_'))));
}

/** Every comma-separated part is `key_value`: enough to trust segments before a `v<digits>` segment. */
export function hasComponentShape(text: string): boolean {
  const parts = text.split(',').filter(Boolean);
  return parts.length > 0 && parts.every((p) => PARAM_SHAPE.test(p));
}
