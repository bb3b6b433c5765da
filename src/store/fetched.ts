/**
 * Fetched originals in R2 (issue #14): one object per remote URL under fetch/<cloud>/<hash>
 * (store/keys.ts), its metadata (etag, lastModified, fetchedAt, ttl) as customMetadata
 * (src/remote/cache.ts), its derived images under derived/<cloud>/fetch/<hash>/ so that new bytes
 * from the origin can drop them all, as an upload overwrite does.
 */
import { type FetchedMeta, fetchedKey, fetchedUrlHash, toCustomMetadata } from '../remote/cache';
import { deleteDerived } from './derived';

/** The stored copy's object (customMetadata included), without its body. */
export async function headFetched(bucket: R2Bucket, cloud: string, url: string): Promise<R2Object | null> {
  return bucket.head(await fetchedKey(cloud, url));
}

/** The stored copy's bytes, if it is still the version `head` saw (else `null`: read it again). */
export async function readFetched(bucket: R2Bucket, head: R2Object): Promise<Uint8Array | null> {
  const got = await bucket.get(head.key, { onlyIf: { etagMatches: head.etag } });
  return got && 'body' in got ? new Uint8Array(await got.arrayBuffer()) : null;
}

/** Stores bytes from the origin with their metadata. */
export async function putFetched(bucket: R2Bucket, cloud: string, url: string, bytes: Uint8Array, contentType: string, meta: FetchedMeta): Promise<R2Object> {
  return bucket.put(await fetchedKey(cloud, url), bytes, { httpMetadata: { contentType }, customMetadata: toCustomMetadata(meta) });
}

/**
 * After a 304: the same bytes with the new metadata (R2 cannot change metadata alone, so the bytes
 * are put again). `null` when the copy changed or went meanwhile (another request replaced it).
 */
export async function refreshFetched(bucket: R2Bucket, head: R2Object, meta: FetchedMeta): Promise<R2Object | null> {
  const got = await bucket.get(head.key, { onlyIf: { etagMatches: head.etag } });
  if (!got || !('body' in got)) return null;
  return bucket.put(head.key, await got.arrayBuffer(), {
    httpMetadata: head.httpMetadata,
    customMetadata: toCustomMetadata(meta),
    onlyIf: { etagMatches: head.etag },
  });
}

/** The derived images' `publicId` slot for a remote URL (derivedKey(cloud, 'fetch', it, ...)). */
export async function fetchedDerivedId(url: string): Promise<string> {
  return fetchedUrlHash(url);
}

/** Drops every derived image of a remote URL (its bytes changed at the origin), in R2 and this location's edge cache. */
export async function deleteFetchedDerived(bucket: R2Bucket, cloud: string, url: string): Promise<number> {
  return deleteDerived(bucket, cloud, 'fetch', await fetchedUrlHash(url));
}
