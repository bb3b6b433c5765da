/**
 * @module What the asset APIs (destroy, rename, tags, context, the Admin API's resources) keep and
 * change in R2 besides the derived images (store/derived.ts): an asset's tags and context as a
 * small JSON object beside its original, an empty marker per tag for resources_by_tag, and the
 * originals themselves copied (rename) or deleted.
 */
import { assetMetaKey, originalKey, originalsPrefix, originalsRoot, taggedPrefix, tagMarkerKey } from './keys';
import { type Expected, onlyIf } from './originals';

export interface AssetMeta {
  tags: string[];
  context: Record<string, string>;
}

/** Far above what the API lets an asset have (its tags and context are capped): a corrupt object is not read whole. */
const MAX_META_BYTES = 256 * 1024;

export async function getAssetMeta(bucket: R2Bucket, cloud: string, type: string, publicId: string): Promise<AssetMeta> {
  const object = await bucket.get(assetMetaKey(cloud, type, publicId));
  if (!object) return { tags: [], context: {} };
  if (object.size > MAX_META_BYTES) {
    await object.body.cancel();
    throw new Error(`asset meta of ${publicId}: ${object.size} bytes`);
  }
  const meta = (await object.json()) as Partial<AssetMeta>;
  return { tags: meta.tags ?? [], context: meta.context ?? {} };
}

/** Writes the asset's tags and context, and its tag markers: added for new tags, dropped for removed ones. */
export async function putAssetMeta(bucket: R2Bucket, cloud: string, type: string, publicId: string, meta: AssetMeta, before: AssetMeta): Promise<void> {
  const added = meta.tags.filter((t) => !before.tags.includes(t));
  const removed = before.tags.filter((t) => !meta.tags.includes(t));
  if (meta.tags.length === 0 && Object.keys(meta.context).length === 0) await bucket.delete(assetMetaKey(cloud, type, publicId));
  else await bucket.put(assetMetaKey(cloud, type, publicId), JSON.stringify(meta), { httpMetadata: { contentType: 'application/json' } });
  await Promise.all(added.map((t) => bucket.put(tagMarkerKey(cloud, t, type, publicId), new Uint8Array(0))));
  if (removed.length) await bucket.delete(removed.map((t) => tagMarkerKey(cloud, t, type, publicId)));
}

/** Drops the asset's tags, context and markers (after its original was deleted or renamed). */
export async function deleteAssetMeta(bucket: R2Bucket, cloud: string, type: string, publicId: string): Promise<AssetMeta> {
  const before = await getAssetMeta(bucket, cloud, type, publicId);
  await putAssetMeta(bucket, cloud, type, publicId, { tags: [], context: {} }, before);
  return before;
}

/** One page of the assets with a tag, in key order after `after` (`<type>/<public_id>`); `last` when more follow. */
export async function listTagged(
  bucket: R2Bucket,
  cloud: string,
  tag: string,
  limit: number,
  after?: string,
): Promise<{ assets: { type: string; publicId: string }[]; last?: string }> {
  const prefix = taggedPrefix(cloud, tag);
  const page = await bucket.list({ prefix, limit, ...(after !== undefined ? { startAfter: prefix + after } : {}) });
  const rests = page.objects.map((o) => o.key.slice(prefix.length));
  const assets = rests.map((rest) => ({ type: rest.slice(0, rest.indexOf('/')), publicId: rest.slice(rest.indexOf('/') + 1) }));
  return { assets, last: page.truncated && rests.length ? rests[rests.length - 1] : undefined };
}

/**
 * One page of the cloud's originals, of one type or all, whose public IDs start with `prefix`, in
 * key order after `after` (`<type>/<public_id>`); `last` when more follow.
 */
export async function listOriginalsPage(
  bucket: R2Bucket,
  cloud: string,
  type: string | undefined,
  prefix: string,
  limit: number,
  after?: string,
): Promise<{ originals: { type: string; publicId: string; object: R2Object }[]; last?: string }> {
  const root = originalsRoot(cloud);
  const listPrefix = type ? originalsPrefix(cloud, type) + prefix : root;
  const page = await bucket.list({
    prefix: listPrefix,
    limit,
    include: ['customMetadata'],
    ...(after !== undefined ? { startAfter: `${root}${after}` } : {}),
  });
  const originals = page.objects.map((object) => {
    const rest = object.key.slice(root.length);
    return { type: rest.slice(0, rest.indexOf('/')), publicId: rest.slice(rest.indexOf('/') + 1), object };
  });
  const lastOne = originals[originals.length - 1];
  return { originals, last: page.truncated && lastOne ? `${lastOne.type}/${lastOne.publicId}` : undefined };
}

/** Copies an original to another public ID or type if the target is still as `expected`; null when another write came first (or the source is gone). */
export async function copyOriginal(
  bucket: R2Bucket,
  from: R2Object,
  cloud: string,
  toType: string,
  toPublicId: string,
  expected: Expected,
): Promise<R2Object | null> {
  const source = await bucket.get(from.key, { onlyIf: { etagMatches: from.etag } });
  if (!source || !('body' in source)) return null;
  return bucket.put(originalKey(cloud, toType, toPublicId), source.body, {
    httpMetadata: source.httpMetadata,
    customMetadata: source.customMetadata,
    onlyIf: onlyIf(expected),
  });
}

/** Deletes an original (its derived images, tags and context are the caller's to drop). */
export async function deleteOriginal(bucket: R2Bucket, cloud: string, type: string, publicId: string): Promise<void> {
  await bucket.delete(originalKey(cloud, type, publicId));
}
