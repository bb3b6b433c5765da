/**
 * The value of `l_` / `u_`: the public ID of another original of the same cloud, with `:` for the
 * `/` of its folders (`l_docs:logo` is `docs/logo`), a text layer (`l_text:Arial_60:Hi`,
 * url/text-layer.ts), or a remote image (`l_fetch:<base64url of its URL>`, as the SDKs write it).
 * Other layer sources are refused.
 */
import { CldError } from './errors';
import { formatTextLayer, parseTextLayer, type TextSource } from './text-layer';

/** What a layer draws: another original (its public ID), a remote image (`fetch:<its URL>`) or text. */
export type LayerRef = string | TextSource;

const FETCH = 'fetch:';
/** A remote URL longer than this is refused before it is decoded (the fetch policy refuses long URLs as well). */
const MAX_FETCH_LAYER_CHARS = 4096;
const SOURCES = ['video', 'subtitles', 'lut', 'private', 'authenticated'];
const EXTENSION = /\.(jpe?g|jpe|png|webp|gif)$/i;

export function layerId(key: 'l' | 'u') {
  const name = key === 'l' ? 'overlay' : 'underlay';
  return (raw: string): LayerRef => {
    const source = raw.split(':')[0];
    if (source === 'text' && raw.includes(':')) return parseTextLayer(key, raw);
    if (raw.startsWith(FETCH)) return FETCH + fetchLayerUrl(name, key, raw.slice(FETCH.length));
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
  const url = remoteLayerUrl(ref);
  if (url !== undefined) return FETCH + base64Url(url);
  return ref.split('/').join(':');
}

/** The remote URL of a fetch layer's ref (`fetch:<URL>`); undefined for a public ID, which never holds ':'. */
export function remoteLayerUrl(ref: string): string | undefined {
  return ref.startsWith(FETCH) ? ref.slice(FETCH.length) : undefined;
}

/** URL-safe base64 of the URL's UTF-8 bytes, with or without '=' padding (the SDKs drop it); standard base64's '+' and '/' are accepted too. */
function fetchLayerUrl(name: string, key: 'l' | 'u', encoded: string): string {
  const invalid = (why: string) => new CldError(400, `Invalid ${name} in transformation: ${key}_fetch:${encoded.slice(0, 64)} (${why})`);
  if (encoded.length > MAX_FETCH_LAYER_CHARS) throw invalid(`over ${MAX_FETCH_LAYER_CHARS} characters`);
  const body = encoded.replace(/={1,2}$/, '');
  if (body === '' || !/^[A-Za-z0-9_\-+/]+$/.test(body) || body.length % 4 === 1) throw invalid('expected the base64url of a URL');
  const std = body.replace(/-/g, '+').replace(/_/g, '/');
  let url: string;
  try {
    const binary = atob(std + '='.repeat((4 - (std.length % 4)) % 4));
    url = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(Uint8Array.from(binary, (ch) => ch.charCodeAt(0)));
  } catch {
    throw invalid('expected the base64url of a URL');
  }
  if (!/^https?:\/\/[^\s]+$/i.test(url)) throw invalid('the decoded value is not an http(s) URL');
  return url;
}

function base64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
