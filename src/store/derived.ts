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
    const page = await bucket.list({ prefix, cursor });
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
