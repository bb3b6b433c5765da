/** Derived images in R2 under their original's prefix (store/keys.ts), so an overwrite can drop them all. */
import { hexDigest } from '../url/signature';
import { cacheDelete } from './edge-cache';
import { derivedKey, derivedPrefix } from './keys';

export { derivedKey, derivedPrefix };

/** A stored derived image, if there is one. */
export async function getDerived(bucket: R2Bucket, key: string): Promise<R2ObjectBody | null> {
  return bucket.get(key);
}

/** Deletes every derived image of an original (after an overwrite): R2 lists 1000 keys a page. */
export async function deleteDerived(bucket: R2Bucket, cloud: string, type: string, publicId: string): Promise<number> {
  const prefix = derivedPrefix(cloud, type, publicId);
  let cursor: string | undefined;
  let deleted = 0;
  do {
    // The delimiter keeps a folder's assets out: `derived/…/a/` is also the start of `a/b`'s keys.
    const page = await bucket.list({ prefix, cursor, delimiter: '/' });
    const keys = page.objects.map((o) => o.key);
    if (keys.length) await bucket.delete(keys);
    // The edge cache holds the same keys; only this location's copies can be dropped (others expire).
    await Promise.all(keys.map(cacheDelete));
    deleted += keys.length;
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return deleted;
}

/**
 * R2 allows 2 KiB of customMetadata per object: the transformation is kept whole while it is
 * short, else cut, with the SHA-256 of the whole one (the key is already a hash of everything).
 */
export const MAX_METADATA_TRANSFORMATION = 256;

export async function derivedMetadata(transformation: string, rest: Record<string, string>): Promise<Record<string, string>> {
  if (transformation.length <= MAX_METADATA_TRANSFORMATION) return { transformation, ...rest };
  return { transformation: transformation.slice(0, MAX_METADATA_TRANSFORMATION), transformationSha256: await hexDigest(transformation), ...rest };
}

/** Stores a derived image after the response (waitUntil): a failed put is logged, not thrown, and the next request renders it again. */
export async function putDerived(
  bucket: R2Bucket,
  key: string,
  bytes: Uint8Array,
  contentType: string,
  transformation: string,
  rest: Record<string, string>,
): Promise<void> {
  try {
    await bucket.put(key, bytes, { httpMetadata: { contentType }, customMetadata: await derivedMetadata(transformation, rest) });
  } catch (e) {
    console.error('dprox: derived put failed', key, e);
  }
}

/** One page of an original's derived images with their metadata, after the key `after`; `last` when more follow. */
export async function listDerivedOf(
  bucket: R2Bucket,
  cloud: string,
  type: string,
  publicId: string,
  limit: number,
  after?: string,
): Promise<{ derived: { key: string; id: string; size: number; contentType?: string; meta: Record<string, string> }[]; last?: string }> {
  const prefix = derivedPrefix(cloud, type, publicId);
  const page = await bucket.list({
    prefix,
    limit,
    delimiter: '/',
    include: ['customMetadata', 'httpMetadata'],
    ...(after !== undefined ? { startAfter: prefix + after } : {}),
  });
  const derived = page.objects.map((o) => ({
    key: o.key,
    id: o.key.slice(prefix.length),
    size: o.size,
    contentType: o.httpMetadata?.contentType,
    meta: o.customMetadata ?? {},
  }));
  return { derived, last: page.truncated && derived.length ? derived[derived.length - 1].id : undefined };
}

/** Deletes one derived image of an original by its id (the last segment of its key), in R2 and this location's cache; whether it was there. */
export async function deleteDerivedById(bucket: R2Bucket, cloud: string, type: string, publicId: string, id: string): Promise<boolean> {
  const key = derivedPrefix(cloud, type, publicId) + id;
  if (!(await bucket.head(key))) return false;
  await bucket.delete(key);
  await cacheDelete(key);
  return true;
}
