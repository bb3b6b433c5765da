/**
 * The value of `l_` / `u_`: the public ID of another original of the same cloud, with `:` for the
 * `/` of its folders (`l_docs:logo` is `docs/logo`), or a text layer (`l_text:Arial_60:Hi`,
 * url/text-layer.ts). Fetch and other layer sources are refused.
 */
import { CldError } from './errors';
import { formatTextLayer, parseTextLayer, type TextSource } from './text-layer';

/** What a layer draws: another original (its public ID) or text. */
export type LayerRef = string | TextSource;

const SOURCES = ['fetch', 'video', 'subtitles', 'lut', 'private', 'authenticated'];
const EXTENSION = /\.(jpe?g|jpe|png|webp|gif)$/i;

export function layerId(key: 'l' | 'u') {
  const name = key === 'l' ? 'overlay' : 'underlay';
  return (raw: string): LayerRef => {
    const source = raw.split(':')[0];
    if (source === 'text' && raw.includes(':')) return parseTextLayer(key, raw);
    if (raw.includes(':') && SOURCES.includes(source))
      throw new CldError(
        400,
        `Unsupported ${name} source '${key}_${source}:' (dprox layers are images of the same cloud: ${key}_<public_id>, ':' for folders)`,
      );
    return publicIdIn(name, raw);
  };
}

/** A public ID written in a parameter (`l_`, `u_`, `d_`): `:` between folders, an optional extension. */
export function publicIdIn(name: string, raw: string): string {
  // An extension names no part of a public ID (as in delivery URLs): `l_logo.png` is `logo`.
  const id = raw.replace(EXTENSION, '').split(':').join('/');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
  if (id.length > 255 || /[\u0000-\u001f\u007f]/.test(id) || id.split('/').some((p) => p === '' || p === '.' || p === '..'))
    throw new CldError(400, `Invalid ${name} in transformation: ${raw} (expected a public ID with ':' between folders)`);
  return id;
}

export function formatLayerId(ref: LayerRef): string {
  if (typeof ref !== 'string') return formatTextLayer(ref);
  return ref.split('/').join(':');
}
