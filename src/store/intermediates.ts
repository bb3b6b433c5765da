/**
 * @module What AI jobs keep in R2 besides originals (keys: store/keys.ts):
 *
 * - results (`ai/…` for delivery, `jobs/<id>/result.jpg` for an incoming transformation), written
 *   as an R2 multipart upload while the job runs, one part of PART_BYTES at a time;
 * - the pending bytes of a job (`jobs/<id>/pending`): what is encoded but not yet a whole part;
 * - incoming uploads (`incoming/…`): the file of an upload whose incoming AI transformation is
 *   running, whose customMetadata.job holds the public ID for that job.
 *
 * The keys of results and incoming files are stored in the job's spec (AiJobSpec.output, .source),
 * so these functions take them as keys.
 */
import { jobPendingKey } from './keys';
import { type Expected, incomingKey, onlyIf } from './originals';

/** A job's result, if it has been written. */
export async function getIntermediate(bucket: R2Bucket, key: string): Promise<R2ObjectBody | null> {
  return bucket.get(key);
}

export async function hasIntermediate(bucket: R2Bucket, key: string): Promise<boolean> {
  return (await bucket.head(key)) !== null;
}

export async function deleteIntermediate(bucket: R2Bucket, key: string): Promise<void> {
  await bucket.delete(key);
}

/** Begins the multipart upload of a job's result; returns its upload id (kept in the job's row). */
export async function startIntermediateUpload(bucket: R2Bucket, key: string, customMetadata?: Record<string, string>): Promise<string> {
  return (await bucket.createMultipartUpload(key, { httpMetadata: { contentType: 'image/jpeg' }, customMetadata })).uploadId;
}

/** The multipart upload of a job's result, resumed by a later alarm slice: uploadPart, complete. */
export function intermediateUpload(bucket: R2Bucket, key: string, uploadId: string): R2MultipartUpload {
  return bucket.resumeMultipartUpload(key, uploadId);
}

/** Drops an unfinished result upload (a failed or superseded job); one already gone is fine. */
export async function abortIntermediateUpload(bucket: R2Bucket, key: string, uploadId: string): Promise<void> {
  await bucket
    .resumeMultipartUpload(key, uploadId)
    .abort()
    .catch(() => undefined);
}

/** A job's encoded bytes not yet in a part (empty when there are none). */
export async function readPending(bucket: R2Bucket, jobId: string): Promise<Uint8Array> {
  const pending = await bucket.get(jobPendingKey(jobId));
  if (!pending) throw new Error(`the pending bytes of job ${jobId} are missing`);
  return new Uint8Array(await pending.arrayBuffer());
}

export async function writePending(bucket: R2Bucket, jobId: string, bytes: Uint8Array): Promise<void> {
  await bucket.put(jobPendingKey(jobId), bytes);
}

export async function deletePending(bucket: R2Bucket, jobId: string): Promise<void> {
  await bucket.delete(jobPendingKey(jobId));
}

/** The incoming file of a public ID (its customMetadata names the job that holds the ID), if any. */
export async function headIncoming(bucket: R2Bucket, cloud: string, type: string, publicId: string): Promise<R2Object | null> {
  return bucket.head(incomingKey(cloud, type, publicId));
}

/** Stores an incoming file if the key is still as `expected` (see originals.ts onlyIf); `null` when another write came first. */
export async function putIncoming(
  bucket: R2Bucket,
  cloud: string,
  type: string,
  publicId: string,
  file: Uint8Array,
  customMetadata: Record<string, string>,
  expected: Expected,
): Promise<R2Object | null> {
  return bucket.put(incomingKey(cloud, type, publicId), file, { customMetadata, onlyIf: onlyIf(expected) });
}

/** An incoming file by the key its job's spec holds (AiJobSpec.source). */
export async function getIncomingAt(bucket: R2Bucket, key: string): Promise<R2ObjectBody | null> {
  return bucket.get(key);
}

export async function deleteIncomingAt(bucket: R2Bucket, key: string): Promise<void> {
  await bucket.delete(key);
}

/** Drops an incoming file (and so its hold on the public ID) if it still belongs to job `jobId`. */
export async function releaseIncoming(bucket: R2Bucket, key: string, jobId: string): Promise<void> {
  const held = await bucket.head(key);
  if (held?.customMetadata?.job === jobId) await bucket.delete(key);
}
