/** Originals in R2, keyed by cloud, delivery type and public ID (without extension, as Cloudinary's public IDs): store/keys.ts. */
import { incomingKey, originalKey, originalsPrefix } from './keys';

export { incomingKey, originalKey };

export interface OriginalMeta {
  version: number;
  format: string;
  width: number;
  height: number;
  /** '1' when the image has an alpha channel. */
  alpha: string;
}

export async function getOriginal(bucket: R2Bucket, cloud: string, type: string, publicId: string): Promise<R2ObjectBody | null> {
  return bucket.get(originalKey(cloud, type, publicId));
}

export async function headOriginal(bucket: R2Bucket, cloud: string, type: string, publicId: string): Promise<R2Object | null> {
  return bucket.head(originalKey(cloud, type, publicId));
}

/**
 * What a write may replace: `null` creates the original only if the public ID has none (R2's
 * `etagDoesNotMatch: '*'`), an ETag replaces exactly that version. Two writers that looked at the
 * same state cannot both succeed: the loser gets `null` back and must look again.
 */
export type Expected = string | null;

export function onlyIf(expected: Expected): R2Conditional {
  return expected === null ? { etagDoesNotMatch: '*' } : { etagMatches: expected };
}

export function originalMetadata(meta: OriginalMeta): Record<string, string> {
  return Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, String(v)]));
}

/** Writes the original if it is still as `expected`; `null` when another write came first. */
export async function putOriginal(
  bucket: R2Bucket,
  cloud: string,
  type: string,
  publicId: string,
  bytes: Uint8Array | ReadableStream,
  meta: OriginalMeta,
  contentType: string,
  expected: Expected,
): Promise<R2Object | null> {
  return putOriginalAt(bucket, originalKey(cloud, type, publicId), bytes, originalMetadata(meta), contentType, expected);
}

/**
 * putOriginal by key, with the metadata as stored: an incoming AI job writes its result over the
 * original it names in its spec (spec.commit.key) with the metadata in its spec.
 */
export async function putOriginalAt(
  bucket: R2Bucket,
  key: string,
  bytes: Uint8Array | ArrayBuffer | ReadableStream,
  customMetadata: Record<string, string> | undefined,
  contentType: string,
  expected: Expected,
): Promise<R2Object | null> {
  return bucket.put(key, bytes, { httpMetadata: { contentType }, customMetadata, onlyIf: onlyIf(expected) });
}

/** One page of a cloud's originals of one type (R2 lists 1000 keys a page), with their metadata. */
export async function listOriginals(
  bucket: R2Bucket,
  cloud: string,
  type: string,
  cursor?: string,
): Promise<{ originals: { publicId: string; meta: Record<string, string> }[]; cursor?: string }> {
  const prefix = originalsPrefix(cloud, type);
  const page = await bucket.list({ prefix, cursor, include: ['customMetadata'] });
  return {
    originals: page.objects.map((o) => ({ publicId: o.key.slice(prefix.length), meta: o.customMetadata ?? {} })),
    cursor: page.truncated ? page.cursor : undefined,
  };
}

/**
 * An original as a head saw it (its ETag), whole or its first `length` bytes: `null` when it has
 * changed or gone since (layers are sized from a head, then read while rendering).
 */
export async function readOriginal(bucket: R2Bucket, head: R2Object, length?: number): Promise<R2ObjectBody | null> {
  const got = await bucket.get(head.key, {
    onlyIf: { etagMatches: head.etag },
    ...(length !== undefined && length < head.size ? { range: { offset: 0, length } } : {}),
  });
  return got && 'body' in got ? got : null;
}
