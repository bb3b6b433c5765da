/**
 * The value of `l_` / `u_`: the public ID of another original of the same cloud, with `:` for the
 * `/` of its folders (`l_docs:logo` is `docs/logo`). Text, fetch and other layer sources are refused.
 */
import { CldError } from './errors';

const SOURCES = ['text', 'fetch', 'video', 'subtitles', 'lut', 'private', 'authenticated'];
const EXTENSION = /\.(jpe?g|jpe|png|webp|gif)$/i;

export function layerId(key: 'l' | 'u') {
  const name = key === 'l' ? 'overlay' : 'underlay';
  return (raw: string): string => {
    const source = raw.split(':')[0];
    if (raw.includes(':') && SOURCES.includes(source))
      throw new CldError(
        400,
        `Unsupported ${name} source '${key}_${source}:' (dprox layers are images of the same cloud: ${key}_<public_id>, ':' for folders)`,
      );
    // An extension names no part of a public ID (as in delivery URLs): `l_logo.png` is `logo`.
    const id = raw.replace(EXTENSION, '').split(':').join('/');
    // eslint-disable-next-line no-control-regex
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
    if (id.length > 255 || /[\u0000-\u001f\u007f]/.test(id) || id.split('/').some((p) => p === '' || p === '.' || p === '..'))
      throw new CldError(400, `Invalid ${name} in transformation: ${raw} (expected a public ID with ':' between folders)`);
    return id;
  };
}

export function formatLayerId(id: string): string {
  return id.split('/').join(':');
}
