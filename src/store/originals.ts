/** Originals in R2, keyed by cloud, delivery type and public ID (without extension, as Cloudinary's public IDs). */
export interface OriginalMeta {
  version: number;
  format: string;
  width: number;
  height: number;
  /** '1' when the image has an alpha channel. */
  alpha: string;
}

export function originalKey(cloud: string, type: string, publicId: string): string {
  return `original/${cloud}/${type}/${publicId}`;
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
  return bucket.put(originalKey(cloud, type, publicId), bytes, {
    httpMetadata: { contentType },
    customMetadata: originalMetadata(meta),
    onlyIf: onlyIf(expected),
  });
}

/**
 * An upload whose incoming AI transformation is still running: the file as sent, and the hold of
 * its job (customMetadata.job) on the public ID, until the job has written the original (or was
 * superseded by a newer upload). A failed job's file stays, with the reason in the job's status.
 */
export function incomingKey(cloud: string, type: string, publicId: string): string {
  return `incoming/${cloud}/${type}/${publicId}`;
}
