/**
 * Delivery URLs, string for string as the official cloudinary SDK's `cloudinary.url()` (without
 * its `?_a=` analytics parameter), for image delivery types dprox serves.
 */
import { base64, digest } from './hash';
import { transformationString, type Transformations } from './transformation';

export interface UrlOptions {
  cloud_name: string;
  /** https (the default, as the SDK) with `secure_distribution` as the host; else http with `cname`. */
  secure?: boolean;
  /** Host of https URLs, e.g. `img.example.com` (dprox's own host). */
  secure_distribution?: string;
  /** Host of http URLs. */
  cname?: string;
  private_cdn?: boolean;
  type?: 'upload' | 'private' | 'authenticated';
  resource_type?: 'image';
  version?: Value;
  /** Adds `v1` to public IDs in folders when no version is given (default true, as the SDK). */
  force_version?: boolean;
  /** Output format, as the extension. */
  format?: string;
  /** Adds the `s--…--` signature; needs `api_secret`, so only where the secret may be. */
  sign_url?: boolean;
  api_secret?: string;
  /** 32-character SHA-256 signature instead of 8 characters. */
  long_url_signature?: boolean;
  signature_algorithm?: 'sha1' | 'sha256';
}

type Value = string | number;

const SHARED_CDN = 'res.cloudinary.com';
const OLD_AKAMAI_SHARED_CDN = 'cloudinary-a.akamaihd.net';

export function url(publicId: string, transformations: Transformations | undefined, options: UrlOptions): string {
  if (!options?.cloud_name) throw new Error('Must supply cloud_name');
  const transformation = transformationString(transformations ?? '').replace(/([^:])\/\//g, '$1/');
  const source = encodeURIComponent(decodeURIComponent(publicId.replace(/([^:])\/\//g, '$1/')))
    .replace(/%3A/g, ':')
    .replace(/%2F/g, '/');
  const withFormat = options.format != null ? `${source}.${options.format}` : source;

  let version = options.version;
  const forceVersion = options.force_version ?? true;
  if (version == null && forceVersion && source.includes('/') && !/^v[0-9]+/.test(source) && !/^https?:\//.test(source)) version = 1;

  let signature: string | undefined;
  if (options.sign_url) {
    if (!options.api_secret) throw new Error('Must supply api_secret to sign URLs');
    const long = !!options.long_url_signature;
    const toSign = [transformation, withFormat].filter((p) => p !== '').join('/');
    const hash = base64(digest(toSign + options.api_secret, long ? 'sha256' : (options.signature_algorithm ?? 'sha1')));
    signature = `s--${hash
      .slice(0, long ? 32 : 8)
      .replace(/\//g, '_')
      .replace(/\+/g, '-')}--`;
  }

  const parts = [
    prefix(options),
    options.resource_type ?? 'image',
    options.type ?? 'upload',
    signature,
    transformation,
    version != null ? `v${version}` : undefined,
    withFormat,
  ];
  return parts
    .filter((p) => p != null && p !== '')
    .join('/')
    .replace(/ /g, '%20');
}

/** The SDK's unsigned_url_prefix without CDN subdomains. */
function prefix(o: UrlOptions): string {
  const cloud = o.cloud_name;
  if (cloud.startsWith('/')) return `/res${cloud}`;
  let host: string;
  if (o.secure ?? true) {
    let distribution = o.secure_distribution;
    if (distribution == null || distribution === OLD_AKAMAI_SHARED_CDN) distribution = o.private_cdn ? `${cloud}-res.cloudinary.com` : SHARED_CDN;
    host = `https://${distribution}`;
  } else if (o.cname) host = `http://${o.cname}`;
  else host = `http://${o.private_cdn ? `${cloud}-` : ''}res.cloudinary.com`;
  return o.private_cdn ? host : `${host}/${cloud}`;
}
