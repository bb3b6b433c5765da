/**
 * Named transformations in R2 (store/keys.ts namedTransformationKey): one small JSON object each,
 * its `allowed_for_strict` mark also in customMetadata so that a listing needs no body reads.
 * Writes are conditional like the originals' (create-if-absent, replace-this-ETag).
 */
import { namedTransformationKey, namedTransformationsPrefix } from './keys';
import { onlyIf, type Expected } from './originals';

export interface NamedTransformation {
  name: string;
  /** The definition as created or last updated: components joined with `/`, checked by the Admin API. */
  transformation: string;
  allowedForStrict: boolean;
  createdAt: string;
  updatedAt: string;
}

/** A stored definition and the ETag a conditional update must name. */
export interface StoredNamed {
  value: NamedTransformation;
  etag: string;
}

/** Far above any real definition (the Admin API refuses longer ones before they get here): a corrupt object is not read whole. */
const MAX_STORED_BYTES = 64 * 1024;

export async function getNamed(bucket: R2Bucket, cloud: string, name: string): Promise<StoredNamed | null> {
  const object = await bucket.get(namedTransformationKey(cloud, name));
  if (!object) return null;
  if (object.size > MAX_STORED_BYTES) {
    await object.body.cancel();
    throw new Error(`named transformation ${name}: stored object of ${object.size} bytes`);
  }
  return { value: (await object.json()) as NamedTransformation, etag: object.etag };
}

/** Writes the definition if it is still as `expected` (null: only if the name is free); false when another write came first. */
export async function putNamed(bucket: R2Bucket, cloud: string, value: NamedTransformation, expected: Expected): Promise<boolean> {
  const written = await bucket.put(namedTransformationKey(cloud, value.name), JSON.stringify(value), {
    httpMetadata: { contentType: 'application/json' },
    customMetadata: { allowedForStrict: String(value.allowedForStrict) },
    onlyIf: onlyIf(expected),
  });
  return written !== null;
}

export async function deleteNamed(bucket: R2Bucket, cloud: string, name: string): Promise<void> {
  await bucket.delete(namedTransformationKey(cloud, name));
}

/** One page of the cloud's named transformations in name order, after the name `after`; `last` when more follow. */
export async function listNamed(
  bucket: R2Bucket,
  cloud: string,
  limit: number,
  after?: string,
): Promise<{ names: { name: string; allowedForStrict: boolean }[]; last?: string }> {
  const prefix = namedTransformationsPrefix(cloud);
  const page = await bucket.list({ prefix, limit, include: ['customMetadata'], ...(after !== undefined ? { startAfter: prefix + after } : {}) });
  const names = page.objects.map((o) => ({ name: o.key.slice(prefix.length), allowedForStrict: o.customMetadata?.allowedForStrict === 'true' }));
  return { names, last: page.truncated && names.length ? names[names.length - 1].name : undefined };
}
