import { hexDigest } from '../url/signature';

/**
 * Derived images in R2 under their original's prefix, so an overwrite can drop them all:
 *   derived/<cloud>/<type>/<public_id>/<sha256 of the cache key>
 */
export function derivedPrefix(cloud: string, type: string, publicId: string): string {
  return `derived/${cloud}/${type}/${publicId}/`;
}

export async function derivedKey(cloud: string, type: string, publicId: string, cacheKey: string): Promise<string> {
  return derivedPrefix(cloud, type, publicId) + (await hexDigest(cacheKey));
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
    deleted += keys.length;
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return deleted;
}
