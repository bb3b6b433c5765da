/**
 * @module The asset calls of the SDKs: the Upload API's destroy, rename, tags and context (signed
 * like an upload) and the Admin API's resources, resource, resources_by_tag, delete_resources and
 * delete_derived_resources (Basic auth). Deleting or renaming an asset drops its derived images in
 * R2 and this location's edge cache (other locations' copies expire; Cloudinary's `invalidate`
 * asks for the same), its tags and context, and the cached copies of its untouched original.
 */
import { untouchedOriginalKeys } from '../delivery/delivery';
import { CldError } from '../errors';
import { type AssetMeta, copyOriginal, deleteAssetMeta, deleteOriginal, getAssetMeta, listOriginalsPage, listTagged, putAssetMeta } from '../store/assets';
import { images } from '../store/bucket';
import { deleteDerived, deleteDerivedById, listDerivedOf } from '../store/derived';
import { cacheDelete } from '../store/edge-cache';
import { headOriginal } from '../store/originals';
import { describe, storedOriginal } from '../uploads/describe';
import { deliveryType } from '../uploads/upload';
import { validatePublicId } from '../url/delivery-url';
import { checkTag, MAX_CONTEXT_KEYS, MAX_TAGS_PER_ASSET, parseContext, parseTags } from '../uploads/meta';
import type { ApiParams } from '../url/signature';
import { type AdminParams, decodeCursor, encodeCursor, flag, list, maxResults, one } from './request';

/** Cloudinary's caps: 500 results a page, 100 public IDs a delete, 1000 a tag or context call. */
const MAX_LIST = 500;
const MAX_DELETE = 100;
const MAX_TAGGED_IDS = 1000;
/** R2 calls in flight at once for a batch of public IDs. */
const BATCH = 10;

type Params = AdminParams | ApiParams;

function text(params: Params, key: string): string | undefined {
  const v = params[key];
  if (v === undefined || v === null) return undefined;
  return Array.isArray(v) ? String(v[v.length - 1]) : String(v);
}

function texts(params: Params, key: string): string[] {
  const v = params[key];
  if (v === undefined || v === null || v === '') return [];
  return Array.isArray(v) ? v.map(String) : String(v).split(',');
}

function on(params: Params, key: string): boolean {
  const v = text(params, key);
  return v === 'true' || v === '1';
}

async function inBatches<T, R>(items: readonly T[], f: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += BATCH) out.push(...(await Promise.all(items.slice(i, i + BATCH).map(f))));
  return out;
}

/** Drops an original's derived images (R2 and this location's cache) and the cached copies of the original itself. */
async function dropCopies(env: Env, cloud: string, type: string, publicId: string, original: R2Object): Promise<number> {
  const derived = await deleteDerived(images(env), cloud, type, publicId);
  const { version, stored } = storedOriginal(original);
  if (stored.format) await Promise.all((await untouchedOriginalKeys(cloud, type, publicId, version, stored.format)).map(cacheDelete));
  return derived;
}

/** POST /image/destroy: the original, its derived images, tags and context. `{"result":"ok"}` or `{"result":"not found"}`. */
export async function destroyAsset(env: Env, cloud: string, params: ApiParams): Promise<{ result: string }> {
  const publicId = text(params, 'public_id');
  if (!publicId) throw new CldError(400, 'Missing required parameter - public_id');
  const type = deliveryType(params);
  const original = await headOriginal(images(env), cloud, type, publicId);
  if (!original) return { result: 'not found' };
  await deleteOriginal(images(env), cloud, type, publicId);
  await dropCopies(env, cloud, type, publicId, original);
  await deleteAssetMeta(images(env), cloud, type, publicId);
  return { result: 'ok' };
}

/** POST /image/rename: from_public_id → to_public_id (and type → to_type), overwrite to replace an existing one. */
export async function renameAsset(env: Env, origin: string, cloud: string, params: ApiParams): Promise<Record<string, unknown>> {
  const from = text(params, 'from_public_id');
  const to = text(params, 'to_public_id');
  if (!from) throw new CldError(400, 'Missing required parameter - from_public_id');
  if (!to) throw new CldError(400, 'Missing required parameter - to_public_id');
  validatePublicId(to);
  const type = deliveryType(params);
  const toType = deliveryType({ type: text(params, 'to_type') ?? type });
  if (from === to && type === toType) throw new CldError(400, 'from_public_id and to_public_id are the same');
  const bucket = images(env);
  const original = await headOriginal(bucket, cloud, type, from);
  if (!original) throw new CldError(404, `Resource not found - ${from}`);
  const target = await headOriginal(bucket, cloud, toType, to);
  if (target && !on(params, 'overwrite')) throw new CldError(400, `to_public_id (${to}) already exists`);
  // The SDK's uploader reads the body of a 400 (not of a 409), so a lost race is answered 400 too.
  const copied = await copyOriginal(bucket, original, cloud, toType, to, target ? target.etag : null);
  if (!copied) throw new CldError(400, `${from} or ${to} changed while it was renamed: try again`);
  const targetMeta = target ? await getAssetMeta(bucket, cloud, toType, to) : { tags: [], context: {} };
  if (target) await dropCopies(env, cloud, toType, to, target);
  const meta = await deleteAssetMeta(bucket, cloud, type, from);
  await putAssetMeta(bucket, cloud, toType, to, meta, targetMeta);
  await deleteOriginal(bucket, cloud, type, from);
  await dropCopies(env, cloud, type, from, original);
  const { version, stored } = storedOriginal(copied);
  return { ...(await describe(env, { origin, cloud, type: toType, publicId: to }, version, stored)), ...metaFields(meta) };
}

function metaFields(meta: AssetMeta): Record<string, unknown> {
  return { tags: meta.tags, ...(Object.keys(meta.context).length ? { context: { custom: meta.context } } : {}) };
}

/** Applies `change` to the tags and context of each existing asset; answers the public IDs it changed. */
async function changeMeta(env: Env, cloud: string, params: ApiParams, change: (meta: AssetMeta) => AssetMeta): Promise<{ public_ids: string[] }> {
  const ids = [...new Set(texts(params, 'public_ids'))];
  if (!ids.length) throw new CldError(400, 'Missing required parameter - public_ids');
  if (ids.length > MAX_TAGGED_IDS) throw new CldError(400, `Too many public_ids: at most ${MAX_TAGGED_IDS}`);
  const type = deliveryType(params);
  const bucket = images(env);
  const changed = await inBatches(ids, async (publicId) => {
    if (!(await headOriginal(bucket, cloud, type, publicId))) return null;
    const before = await getAssetMeta(bucket, cloud, type, publicId);
    const after = change(before);
    if (after.tags.length > MAX_TAGS_PER_ASSET) throw new CldError(400, `Too many tags on ${publicId}: at most ${MAX_TAGS_PER_ASSET} per asset`);
    await putAssetMeta(bucket, cloud, type, publicId, after, before);
    return publicId;
  });
  return { public_ids: changed.filter((id): id is string => id !== null) };
}

/** POST /image/tags: command add, remove, replace or remove_all. */
export async function changeTags(env: Env, cloud: string, params: ApiParams): Promise<{ public_ids: string[] }> {
  const command = text(params, 'command');
  if (command === 'set_exclusive') throw new CldError(400, 'exclusive tags are not supported by dprox: remove the tag from the other assets, then add it');
  if (command === 'remove_all') return changeMeta(env, cloud, params, (m) => ({ ...m, tags: [] }));
  const tags = parseTags(params, 'tag');
  if (!tags.length) throw new CldError(400, 'Missing required parameter - tag');
  if (command === 'add') return changeMeta(env, cloud, params, (m) => ({ ...m, tags: [...new Set([...m.tags, ...tags])] }));
  if (command === 'remove') return changeMeta(env, cloud, params, (m) => ({ ...m, tags: m.tags.filter((t) => !tags.includes(t)) }));
  if (command === 'replace') return changeMeta(env, cloud, params, (m) => ({ ...m, tags }));
  throw new CldError(400, `Invalid command ${command ?? ''} (expected add, remove, replace or remove_all)`);
}

/** POST /image/context: command add (merges the keys) or remove_all. */
export async function changeContext(env: Env, cloud: string, params: ApiParams): Promise<{ public_ids: string[] }> {
  const command = text(params, 'command');
  if (command === 'remove_all') return changeMeta(env, cloud, params, (m) => ({ ...m, context: {} }));
  if (command !== 'add') throw new CldError(400, `Invalid command ${command ?? ''} (expected add or remove_all)`);
  const context = parseContext(text(params, 'context') ?? '');
  if (!Object.keys(context).length) throw new CldError(400, 'Missing required parameter - context');
  return changeMeta(env, cloud, params, (m) => {
    const merged = { ...m.context, ...context };
    if (Object.keys(merged).length > MAX_CONTEXT_KEYS) throw new CldError(400, `Too many context keys: at most ${MAX_CONTEXT_KEYS}`);
    return { ...m, context: merged };
  });
}

/** The brief form of an asset in listings (Cloudinary's resources). */
async function brief(env: Env, origin: string, cloud: string, type: string, publicId: string, object: R2Object, withMeta: { tags: boolean; context: boolean }) {
  const { version, stored } = storedOriginal(object);
  const d = await describe(env, { origin, cloud, type, publicId }, version, stored);
  const out: Record<string, unknown> = {
    asset_id: d.asset_id,
    public_id: d.public_id,
    format: d.format,
    version: d.version,
    resource_type: 'image',
    type,
    created_at: d.created_at,
    bytes: d.bytes,
    width: d.width,
    height: d.height,
    url: d.url,
    secure_url: d.secure_url,
  };
  if (withMeta.tags || withMeta.context) {
    const meta = await getAssetMeta(images(env), cloud, type, publicId);
    if (withMeta.tags) out.tags = meta.tags;
    if (withMeta.context && Object.keys(meta.context).length) out.context = { custom: meta.context };
  }
  return out;
}

const CURSOR_SHAPE = /^(upload|private|authenticated)\/./;

/** GET /resources/image[/<type>]: prefix, max_results (≤ 500), next_cursor, tags, context. */
export async function listResources(env: Env, origin: string, cloud: string, type: string | undefined, params: AdminParams) {
  if (type !== undefined) deliveryType({ type });
  const limit = maxResults(params, MAX_LIST);
  const after = decodeCursor(params);
  if (after !== undefined && !CURSOR_SHAPE.test(after)) throw new CldError(400, 'Invalid next_cursor');
  const prefix = one(params, 'prefix') ?? '';
  if (prefix && !type) throw new CldError(400, 'prefix needs a type: /resources/image/<type>?prefix=…');
  const page = await listOriginalsPage(images(env), cloud, type, prefix, limit, after);
  const withMeta = { tags: flag(params, 'tags') === true, context: flag(params, 'context') === true };
  const resources = await inBatches(page.originals, (o) => brief(env, origin, cloud, o.type, o.publicId, o.object, withMeta));
  return { resources, ...(page.last ? { next_cursor: encodeCursor(page.last) } : {}) };
}

/** GET /resources/image/tags/<tag>. */
export async function resourcesByTag(env: Env, origin: string, cloud: string, tag: string, params: AdminParams) {
  const limit = maxResults(params, MAX_LIST);
  const after = decodeCursor(params);
  if (after !== undefined && !CURSOR_SHAPE.test(after)) throw new CldError(400, 'Invalid next_cursor');
  const page = await listTagged(images(env), cloud, checkTag(tag), limit, after);
  const withMeta = { tags: flag(params, 'tags') === true, context: flag(params, 'context') === true };
  const found = await inBatches(page.assets, async (a) => {
    const object = await headOriginal(images(env), cloud, a.type, a.publicId);
    return object ? brief(env, origin, cloud, a.type, a.publicId, object, withMeta) : null;
  });
  return { resources: found.filter((r) => r !== null), ...(page.last ? { next_cursor: encodeCursor(page.last) } : {}) };
}

/** A derived image's id in the API: opaque (its original's type and public ID and its key's hash). */
function derivedId(type: string, publicId: string, hash: string): string {
  return encodeCursor(`${type}/${publicId}/${hash}`);
}

/** GET /resources/image/<type>/<public_id>: the asset, its tags and context, its derived images (max_results ≤ 500, derived_next_cursor). */
export async function resourceDetails(env: Env, origin: string, cloud: string, type: string, publicId: string, params: AdminParams) {
  const bucket = images(env);
  deliveryType({ type });
  const object = await headOriginal(bucket, cloud, type, publicId);
  if (!object) throw new CldError(404, `Resource not found - ${publicId}`);
  const { version, stored } = storedOriginal(object);
  const meta = await getAssetMeta(bucket, cloud, type, publicId);
  const limit = maxResults(params, MAX_LIST, 100);
  const afterRaw = decodeCursor({ next_cursor: one(params, 'derived_next_cursor') ?? '' });
  if (afterRaw !== undefined && !/^[0-9a-f]{64}$/.test(afterRaw)) throw new CldError(400, 'Invalid derived_next_cursor');
  const page = await listDerivedOf(bucket, cloud, type, publicId, limit, afterRaw);
  const path = (t: string, ext: string) => `/${cloud}/image/${type}/${t}/${publicId.split('/').map(encodeURIComponent).join('/')}.${ext}`;
  const derived = page.derived.map((d) => {
    const format = d.contentType?.replace(/^image\//, '').replace('jpeg', 'jpg') ?? '';
    const whole = d.meta.transformation !== undefined && d.meta.transformationSha256 === undefined;
    return {
      transformation: d.meta.transformation ?? '',
      format,
      bytes: d.size,
      id: derivedId(type, publicId, d.id),
      ...(whole && d.meta.transformation
        ? { url: origin.replace(/^https:/, 'http:') + path(d.meta.transformation, format), secure_url: origin + path(d.meta.transformation, format) }
        : {}),
    };
  });
  return {
    ...(await describe(env, { origin, cloud, type, publicId }, version, stored)),
    ...metaFields(meta),
    derived,
    ...(page.last ? { derived_next_cursor: encodeCursor(page.last) } : {}),
  };
}

/** DELETE /resources/image/<type>: public_ids[] (≤ 100), or a prefix or all=true (1000 a call, then next_cursor); keep_original: the derived images only. */
export async function deleteResources(env: Env, cloud: string, type: string, params: AdminParams) {
  deliveryType({ type });
  if (one(params, 'transformations') !== undefined)
    throw new CldError(400, 'transformations is not supported by dprox: delete the derived images by id (delete_derived_resources)');
  const keepOriginal = flag(params, 'keep_original') === true;
  let ids = list(params, 'public_ids');
  let nextCursor: string | undefined;
  if (!ids.length) {
    const prefix = one(params, 'prefix');
    if (prefix === undefined && flag(params, 'all') !== true) throw new CldError(400, 'Missing required parameter - public_ids, prefix or all');
    const after = decodeCursor(params);
    if (after !== undefined && !CURSOR_SHAPE.test(after)) throw new CldError(400, 'Invalid next_cursor');
    const page = await listOriginalsPage(images(env), cloud, type, prefix ?? '', 1000, after);
    ids = page.originals.map((o) => o.publicId);
    if (page.last) nextCursor = encodeCursor(page.last);
  } else if (ids.length > MAX_DELETE) throw new CldError(400, `Too many public_ids: at most ${MAX_DELETE}`);
  const deleted: Record<string, string> = {};
  const counts: Record<string, { original: number; derived: number }> = {};
  await inBatches([...new Set(ids)], async (publicId) => {
    const original = await headOriginal(images(env), cloud, type, publicId);
    if (!original) {
      deleted[publicId] = 'not_found';
      return;
    }
    if (!keepOriginal) await deleteOriginal(images(env), cloud, type, publicId);
    const derived = await dropCopies(env, cloud, type, publicId, original);
    if (!keepOriginal) await deleteAssetMeta(images(env), cloud, type, publicId);
    deleted[publicId] = 'deleted';
    counts[publicId] = { original: keepOriginal ? 0 : 1, derived };
  });
  return { deleted, deleted_counts: counts, partial: nextCursor !== undefined, ...(nextCursor ? { next_cursor: nextCursor } : {}) };
}

/** DELETE /derived_resources: derived_resource_ids[] (the `id` of resource's derived list, ≤ 100). */
export async function deleteDerivedResources(env: Env, cloud: string, params: AdminParams) {
  const ids = list(params, 'derived_resource_ids');
  if (!ids.length) throw new CldError(400, 'Missing required parameter - derived_resource_ids');
  if (ids.length > MAX_DELETE) throw new CldError(400, `Too many derived_resource_ids: at most ${MAX_DELETE}`);
  const deleted: Record<string, string> = {};
  await inBatches(ids, async (id) => {
    let decoded: string | undefined;
    try {
      decoded = decodeCursor({ next_cursor: id });
    } catch {
      decoded = undefined;
    }
    const m = decoded ? /^(upload|private|authenticated)\/(.+)\/([0-9a-f]{64})$/.exec(decoded) : null;
    deleted[id] = m && (await deleteDerivedById(images(env), cloud, m[1], m[2], m[3])) ? 'deleted' : 'not_found';
  });
  return { deleted };
}
