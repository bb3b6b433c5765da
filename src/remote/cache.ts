/**
 * Fetched originals in R2: pure helpers (keys, metadata, freshness). The R2 calls belong to the store.
 *
 * An object per remote URL:
 *   key             fetch/<cloud>/<sha256 hex of normaliseFetchUrl(url)>   (fetchedKey)
 *   body            the bytes fetchRemote returned
 *   httpMetadata    { contentType: result.contentType }
 *   customMetadata  toCustomMetadata(meta): url, etag, lastModified, fetchedAt (ms), ttl (s)
 *
 * How delivery (`/image/fetch/<components>/<url>`, `l_fetch:` layers; `file=https://` uploads skip
 * the cache and store a normal original) is meant to use it:
 *   1. decode the remote URL from the path; assertRemoteUrl(url, policy) so that a refused URL is a
 *      400 before R2 is touched (fetchRemote checks again, redirects included);
 *   2. key = await fetchedKey(cloud, url); get the object, meta = fromCustomMetadata(obj.customMetadata);
 *   3. meta && isFresh(meta, Date.now(), ttl) → transform the stored bytes;
 *   4. meta but stale → fetchRemote(url, policy, limits, revalidationOf(meta)):
 *        { notModified: true } → write refreshed(meta, result, now) back (R2 cannot change metadata
 *          alone: put the same bytes again, or keep serving and rewrite in waitUntil) and serve;
 *        new bytes → put them with fetchedMeta(...), and derived images made from the old bytes must
 *          no longer be served: include meta.etag ?? meta.fetchedAt in the derived cache key (or
 *          delete the derived prefix of this fetch key, as an upload overwrite does);
 *        an origin error (RemoteFetchError 404/5xx/504) → serve the stale copy (stale-if-error),
 *          with a short Cache-Control, rather than fail a URL that worked yesterday;
 *   5. no object → fetchRemote(url, policy, limits); put bytes + fetchedMeta(url, result, now, ttl).
 *   Concurrent misses for one key may each fetch; coalescing them (a Durable Object or the edge
 *   cache) is optional. The 400s of the policy should be cached briefly like other 4xx.
 */
import { fetchedKeyOf } from '../store/keys';
import { hexDigest } from '../url/signature';
import { CldError } from '../url/errors';
import type { FetchedImage, NotModified, Revalidation } from './fetch';

/** Cloudinary re-checks fetched images every 7 days by default: FETCH_TTL, in seconds. */
export const FETCH_TTL_SECONDS = 7 * 24 * 60 * 60;

export interface FetchedMeta {
  /** The normalised remote URL (the one that was asked for, not the one redirects ended on). */
  url: string;
  etag?: string;
  lastModified?: string;
  /** When the origin last confirmed these bytes (fetched or answered 304), ms since the epoch. */
  fetchedAt: number;
  /** Seconds the copy is fresh for, from fetchedAt (FETCH_TTL when it was fetched). */
  ttl: number;
}

/** FETCH_TTL: whole seconds, 0 (always revalidate) or more; FETCH_TTL_SECONDS when unset. Throws on anything else. */
export function parseFetchTtl(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return FETCH_TTL_SECONDS;
  if (!/^\d+$/.test(value.trim())) throw new Error(`FETCH_TTL: not a whole number of seconds: ${value}`);
  return Number(value.trim());
}

/** The URL as the cache knows it: WHATWG-canonical (host case, punycode, IPv4 form, default port), one trailing host dot and the fragment dropped. */
export function normaliseFetchUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new CldError(400, 'Invalid remote URL');
  }
  u.hash = '';
  if (u.hostname.endsWith('.')) u.hostname = u.hostname.slice(0, -1);
  return u.href;
}

/** The SHA-256 hex of the normalised URL: what names a fetched original and its derived images in R2. */
export async function fetchedUrlHash(url: string): Promise<string> {
  return hexDigest(normaliseFetchUrl(url));
}

/** The R2 key of a fetched original (spelled by src/store/keys.ts). */
export async function fetchedKey(cloud: string, url: string): Promise<string> {
  return fetchedKeyOf(cloud, await fetchedUrlHash(url));
}

/** The metadata to store with freshly fetched bytes. */
export function fetchedMeta(url: string, result: Pick<FetchedImage, 'etag' | 'lastModified'>, now: number, ttl = FETCH_TTL_SECONDS): FetchedMeta {
  return { url: normaliseFetchUrl(url), ...validators(result), fetchedAt: now, ttl };
}

/** The metadata after a 304: same bytes, confirmed now (the origin may send new validators). */
export function refreshed(meta: FetchedMeta, result: NotModified, now: number, ttl = meta.ttl): FetchedMeta {
  return { ...meta, ...validators(result), fetchedAt: now, ttl };
}

/**
 * Whether a stored copy may be used without asking the origin. `ttlSeconds` defaults to the one
 * recorded with it; pass the configured FETCH_TTL to apply a changed setting to older copies.
 * A fetchedAt in the future (clock skew) counts as fresh; a TTL of 0 never is.
 */
export function isFresh(meta: FetchedMeta, now: number, ttlSeconds: number = meta.ttl): boolean {
  if (!(ttlSeconds > 0)) return false;
  return now < meta.fetchedAt + ttlSeconds * 1000;
}

/** The conditional request for a stale copy. */
export function revalidationOf(meta: FetchedMeta): Revalidation {
  return validators(meta);
}

/** R2 customMetadata (strings only). */
export function toCustomMetadata(meta: FetchedMeta): Record<string, string> {
  return { url: meta.url, ...validators(meta), fetchedAt: String(meta.fetchedAt), ttl: String(meta.ttl) };
}

/** The metadata of a stored object, or undefined when it is not a fetched original's (or is damaged). */
export function fromCustomMetadata(record: Record<string, string> | undefined): FetchedMeta | undefined {
  if (!record?.url) return undefined;
  const fetchedAt = Number(record.fetchedAt);
  const ttl = Number(record.ttl);
  if (!Number.isFinite(fetchedAt) || !Number.isInteger(ttl) || ttl < 0) return undefined;
  return { url: record.url, ...validators(record), fetchedAt, ttl };
}

function validators(o: { etag?: string; lastModified?: string }): Revalidation {
  return { ...(o.etag ? { etag: o.etag } : {}), ...(o.lastModified ? { lastModified: o.lastModified } : {}) };
}
