/**
 * Delivery URL grammar:
 *   /<cloud>/image/<type>/[s--SIG--/][<component>/...][v<version>/]<public_id>[.<ext>]
 *   /image/<type>/...   (private-CDN form: the cloud name comes from configuration)
 *   /<cloud>/image/fetch/[s--SIG--/][<component>/...][v<version>/]<remote URL>
 *
 * A fetch URL's remote URL is everything after the components (and version), as written: plain
 * (`https://host/a.jpg`, `?` written `%3F`) or percent-encoded (`https%3A%2F%2Fhost%2Fa.jpg`); it
 * is percent-decoded once. Its extension belongs to the remote file (formats are asked with f_).
 */
import { hasComponentShape, looksLikeComponent, parseComponent } from './component';
import { CldError } from './errors';
import { checkComponentCount, MAX_PATH_LENGTH } from './limits';
import type { Component } from './params';

export const DELIVERY_TYPES = ['upload', 'private', 'authenticated'] as const;
export type DeliveryType = (typeof DELIVERY_TYPES)[number];
/** The types a delivery URL may name: the stored ones and `fetch` (a remote original). */
export type UrlType = DeliveryType | 'fetch';

/** Extensions that select an output format (or name the original's format). */
export const EXTENSIONS: Record<string, Extension> = {
  jpg: 'jpg',
  jpeg: 'jpg',
  jpe: 'jpg',
  png: 'png',
  webp: 'webp',
  gif: 'gif',
  avif: 'avif',
  // Originals dprox reads but does not encode: named so that the answer says so (plan/output.ts).
  bmp: 'bmp',
  tif: 'tiff',
  tiff: 'tiff',
  svg: 'svg',
};
export type Extension = 'jpg' | 'png' | 'webp' | 'gif' | 'avif' | 'bmp' | 'tiff' | 'svg';

export interface DeliveryUrl {
  cloud: string;
  type: UrlType;
  /** The signature's characters between `s--` and `--`, if the URL is signed. */
  signature?: string;
  components: Component[];
  version?: number;
  publicId: string;
  extension?: Extension;
  /** type fetch: the remote URL, decoded (not yet checked against the fetch policy); publicId is the same text. */
  remoteUrl?: string;
  /** Exactly what a signature covers: raw transformation segments and raw source, version excluded. */
  toSign: string;
}

const MAX_PUBLIC_ID = 255;

export function parseDeliveryPath(rawPath: string, configuredCloud: string): DeliveryUrl {
  if (rawPath.length > MAX_PATH_LENGTH) throw new CldError(414, `URL too long: ${rawPath.length} characters, at most ${MAX_PATH_LENGTH}`);
  // Each non-empty segment with its offset in the path: a fetch URL's remote part is taken as written (`//` kept).
  const offsets: number[] = [];
  const segments: string[] = [];
  for (let at = 0, k = 0; k <= rawPath.length; k++) {
    if (k === rawPath.length || rawPath[k] === '/') {
      if (k > at) {
        segments.push(rawPath.slice(at, k));
        offsets.push(at);
      }
      at = k + 1;
    }
  }
  let i = 0;
  let cloud = configuredCloud;
  if (segments[0] !== 'image') {
    cloud = decode(segments[i++] ?? '');
    if (segments[i] !== 'image') throw assetTypeError(segments[i]);
  }
  i++; // "image"
  const type = segments[i++];
  if (!DELIVERY_TYPES.includes(type as DeliveryType) && type !== 'fetch')
    throw new CldError(400, `Invalid delivery type '${type ?? ''}' (expected upload, fetch, private or authenticated)`);

  let signature: string | undefined;
  const sig = /^s--([A-Za-z0-9_-]{8}|[A-Za-z0-9_-]{32})--$/.exec(segments[i] ?? '');
  if (sig) {
    signature = sig[1];
    i++;
  }

  if (type === 'fetch') return parseFetch(rawPath, segments, offsets, i, cloud, signature);

  const rest = segments.slice(i);
  // The version ends the transformations, unless what precedes it cannot be transformations
  // (then it is a folder such as `docs/v2/img`).
  const versionAt = rest.findIndex((s, k) => /^v\d+$/.test(s) && k < rest.length - 1 && rest.slice(0, k).every((c) => hasComponentShape(decode(c))));
  const rawComponents: string[] = [];
  let j = 0;
  if (versionAt >= 0) {
    rawComponents.push(...rest.slice(0, versionAt));
    j = versionAt + 1;
  } else {
    while (j < rest.length - 1 && looksLikeComponent(decode(rest[j]))) rawComponents.push(rest[j++]);
  }
  checkComponentCount(rawComponents.length);
  const version = versionAt >= 0 ? Number(rest[versionAt].slice(1)) : undefined;
  const rawSource = rest.slice(j).join('/');
  if (!rawSource) throw new CldError(400, 'Missing public ID in URL');

  const source = decode(rawSource);
  const dot = source.lastIndexOf('.');
  const ext = dot > 0 ? source.slice(dot + 1).toLowerCase() : '';
  const extension = EXTENSIONS[ext];
  const publicId = extension ? source.slice(0, dot) : source;
  validatePublicId(publicId);

  return {
    cloud,
    type: type as DeliveryType,
    signature,
    components: rawComponents.map((c) => parseComponent(decode(c))),
    version,
    publicId,
    extension,
    toSign: [...rawComponents, rawSource].join('/'),
  };
}

/** The rest of a fetch URL from segment `i`: components, an optional version, then the remote URL to the end of the path. */
function parseFetch(rawPath: string, segments: string[], offsets: number[], i: number, cloud: string, signature: string | undefined): DeliveryUrl {
  const rawComponents: string[] = [];
  let version: number | undefined;
  let j = i;
  for (; j < segments.length - 1; j++) {
    const text = decode(segments[j]);
    if (/^[a-z][a-z0-9+.-]*:/i.test(text)) break; // the remote URL's scheme
    if (/^v\d+$/.test(segments[j])) {
      version = Number(segments[j].slice(1));
      j++;
      break;
    }
    if (!looksLikeComponent(text)) break;
    rawComponents.push(segments[j]);
  }
  checkComponentCount(rawComponents.length);
  if (j >= segments.length) throw new CldError(400, 'Missing remote URL in fetch URL');
  const rawRemote = rawPath.slice(offsets[j]);
  const remoteUrl = decode(rawRemote);
  return {
    cloud,
    type: 'fetch',
    signature,
    components: rawComponents.map((c) => parseComponent(decode(c))),
    version,
    publicId: remoteUrl,
    remoteUrl,
    toSign: [...rawComponents, rawRemote].join('/'),
  };
}

export function validatePublicId(publicId: string): void {
  if (publicId.length > MAX_PUBLIC_ID) throw new CldError(400, 'public_id is too long');
  // eslint-disable-next-line no-control-regex
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
  if (/[\u0000-\u001f\u007f]/.test(publicId)) throw new CldError(400, 'Invalid public_id: control characters are not allowed');
  if (publicId.split('/').some((p) => p === '' || p === '.' || p === '..'))
    throw new CldError(400, `Invalid public_id '${publicId}': empty, '.' or '..' folder names are not allowed`);
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new CldError(400, `Malformed percent-encoding in URL segment '${segment}'`);
  }
}

function assetTypeError(assetType: string | undefined): CldError {
  return assetType === 'video' || assetType === 'raw'
    ? new CldError(400, `Asset type '${assetType}' is not supported: dprox delivers images`)
    : new CldError(404, 'Not found: expected /<cloud>/image/<type>/... or /image/<type>/...');
}
