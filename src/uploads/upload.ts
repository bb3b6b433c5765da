/**
 * Storing an upload (src/routes/upload.ts reads and authenticates the request): its public ID and
 * type, an incoming transformation (plain: applied here; ending with an AI effect: a job that will
 * write the original), the conditional write of the original, and the eager transformations.
 *
 * Writes are conditional (create-if-absent, or replace-this-ETag), so two uploads that saw the
 * same state cannot both be told they stored their file: the loser looks again (overwrite=false:
 * it gets the winner as `existing: true`; an unsigned upload: another unique public ID).
 */
import { readHeader, type ImageHeader } from '../codecs/header';
import { config, type ConfigEnv } from '../config';
import { activeHold, applyIncoming, parseIncoming, startIncoming, supersede } from '../delivery/incoming';
import { CldError } from '../errors';
import { countUsage } from '../jobs/usage';
import { contentType, defaultOutputFormat } from '../plan/output';
import { images } from '../store/bucket';
import { deleteDerived } from '../store/derived';
import { type Expected, headOriginal, putOriginal } from '../store/originals';
import { DELIVERY_TYPES, type DeliveryType, validatePublicId } from '../url/delivery-url';
import type { ApiParams } from '../url/signature';
import { type AssetRef, describe, describeExisting, describeHeld } from './describe';
import { parseEager, parseNotificationUrl, runEager } from './eager';
import { parseContext, parseTags } from './meta';
import { getAssetMeta, putAssetMeta } from '../store/assets';

/** Conditional writes that lose a race look again this many times before answering 409. */
const WRITE_ATTEMPTS = 4;

/** The file as it arrived: stored from its pieces (stream) unless a transformation needs it whole (bytes). */
export interface UploadedFile {
  readonly size: number;
  bytes(): Uint8Array;
  stream(): ReadableStream;
}

export interface Upload {
  /** The request's origin: the answer's URLs point there. */
  origin: string;
  cloud: string;
  /** Every field of the form, authenticated. */
  params: ApiParams;
  /** An unsigned-preset upload (a browser): a new unique public ID, never a replacement. */
  unsigned: boolean;
  file: UploadedFile;
  header: ImageHeader;
  originalFilename?: string;
  /** Ends the reservation of the request body (src/routes/upload.ts) before a render of its own reserves: it counts the file it holds. */
  releaseBody: () => void;
}

/** Stores the upload and answers what Cloudinary's upload API answers (as JSON). */
export async function storeUpload(env: Env, ctx: Pick<ExecutionContext, 'waitUntil'>, u: Upload): Promise<Record<string, unknown>> {
  const { origin, cloud, params, unsigned, releaseBody } = u;
  const bucket = images(env);
  // A plain upload is stored from the pieces it arrived in; transformations need it in one array.
  let joined: Uint8Array | undefined;
  const whole = () => (joined ??= u.file.bytes());
  let header = u.header;

  const type = deliveryType(params);
  const baseName = u.originalFilename?.replace(/\.[^.]*$/, '');
  const folder = params.folder ? String(params.folder).replace(/^\/+|\/+$/g, '') : '';
  let signedId = params.public_id ? String(params.public_id) : randomId(20);
  if (folder && !params.public_id?.toString().includes('/')) signedId = `${folder}/${signedId}`;
  // Unsigned uploads get a new unique public ID on every attempt and never replace an asset.
  const nextId = unsigned ? () => unsignedPublicId(env, params, baseName) : () => signedId;
  let publicId = nextId();
  validatePublicId(publicId);
  const asset = (): AssetRef => ({ origin, cloud, type, publicId });

  const incoming = params.transformation ? parseIncoming(String(params.transformation)) : null;
  const eager = params.eager ? parseEager(String(params.eager), incoming?.ai ? 'jpg' : defaultOutputFormat(header.format)) : [];
  const eagerAsync = ['true', '1'].includes(String(params.eager_async ?? 'false'));
  const notify = parseNotificationUrl(params.eager_notification_url ?? params.notification_url);
  if (incoming?.ai && eager.length)
    throw new CldError(400, 'Eager transformations cannot be combined with an AI incoming transformation: request them once the asset is ready');
  const overwrite = !unsigned && !['false', '0'].includes(String(params.overwrite ?? 'true'));
  // Checked before anything is stored; written with the original (an overwrite given none keeps the asset's).
  const tags = params.tags !== undefined && params.tags !== '' ? parseTags(params) : undefined;
  const context = params.context !== undefined && params.context !== '' ? parseContext(String(params.context)) : undefined;
  const now = Math.floor(Date.now() / 1000);
  const nextVersion = (existing: R2Object | null) => (existing ? Math.max(now, Number(existing.customMetadata?.version ?? 0) + 1) : now);

  if (incoming?.ai) {
    const existing = await headOriginal(bucket, cloud, type, publicId);
    if (existing && !overwrite) return describeExisting(env, asset(), existing, baseName);
    const hold = existing ? null : await activeHold(env, cloud, type, publicId);
    if (hold && !overwrite) return describeHeld(env, asset(), hold, baseName);
    // The job makes the original: until then a new asset is pending (deliveries answer 420) and
    // an existing one keeps its current original, which the job replaces only if it is unchanged.
    const version = nextVersion(existing);
    releaseBody();
    const pending = await startIncoming(env, { cloud, type, publicId, version }, whole(), readHeader(whole()), incoming.ai, overwrite);
    ctx.waitUntil(countUsage(env, cloud, { uploads: 1, transformations: 1 }));
    const described = await describe(env, asset(), version, { format: 'jpg', width: pending.width, height: pending.height, bytes: 0, etag: '' }, baseName);
    return { ...described, status: 'pending', job: pending.job };
  }
  let file: Uint8Array | UploadedFile = u.file;
  if (incoming?.plain) {
    releaseBody();
    const applied = await applyIncoming(whole(), readHeader(whole()), incoming.plain, config(env).premiumDownscaling);
    ({ file, header } = applied);
  }
  const size = file instanceof Uint8Array ? file.byteLength : file.size;

  let saved: R2Object | null = null;
  let version = 0;
  for (let attempt = 0; !saved; attempt++) {
    if (attempt === WRITE_ATTEMPTS)
      throw new CldError(409, `Concurrent uploads to ${publicId}: it changed ${WRITE_ATTEMPTS} times while this one was stored; try again`);
    if (attempt > 0 && unsigned) validatePublicId((publicId = nextId()));
    const existing = await headOriginal(bucket, cloud, type, publicId);
    if (existing && unsigned) continue;
    if (existing && !overwrite) return describeExisting(env, asset(), existing, baseName);
    // A pending incoming AI transformation holds the public ID: creators leave it alone, a signed
    // overwrite supersedes it (its job stops and its result is never written).
    const hold = await activeHold(env, cloud, type, publicId);
    if (hold && unsigned) continue;
    if (hold && !existing && !overwrite) return describeHeld(env, asset(), hold, baseName);
    if (hold) {
      await supersede(env, hold.job, `superseded by a newer upload of ${publicId}`);
      // The job may have written its result just before: look at the original again.
      if (attempt + 1 < WRITE_ATTEMPTS) continue;
    }
    const expected: Expected = existing ? existing.etag : null;
    version = nextVersion(existing);
    saved = await putOriginal(
      bucket,
      cloud,
      type,
      publicId,
      file instanceof Uint8Array ? file : file.stream(),
      {
        version,
        format: header.format,
        width: header.width,
        height: header.height,
        alpha: header.hasAlpha ? '1' : '0',
      },
      contentType(header.format),
      expected,
    );
    if (saved && existing) await deleteDerived(bucket, cloud, type, publicId);
  }
  ctx.waitUntil(countUsage(env, cloud, { uploads: 1, transformations: 1 }));

  const stored = { format: header.format, width: header.width, height: header.height, bytes: size, etag: saved.etag };
  const metaBefore = await getAssetMeta(bucket, cloud, type, publicId);
  const meta = { tags: tags ?? metaBefore.tags, context: context ?? metaBefore.context };
  if (tags || context) await putAssetMeta(bucket, cloud, type, publicId, meta, metaBefore);
  const described = {
    ...(await describe(env, asset(), version, stored, baseName)),
    tags: meta.tags,
    ...(Object.keys(meta.context).length ? { context: { custom: meta.context } } : {}),
  };
  if (!eager.length) return described;
  releaseBody();
  return { ...described, eager: await runEager(origin, env, ctx, { cloud, type, publicId, version }, eager, eagerAsync, notify) };
}

/**
 * explicit: eager transformations of a stored asset (public_id, type, eager, eager_async), whose
 * request src/routes/upload.ts has authenticated.
 */
export async function eagerOfStored(env: Env, ctx: Pick<ExecutionContext, 'waitUntil'>, origin: string, cloud: string, params: ApiParams) {
  if (!params.public_id) throw new CldError(400, 'Missing required parameter - public_id');
  const publicId = String(params.public_id);
  const type = deliveryType(params);
  const existing = await headOriginal(images(env), cloud, type, publicId);
  if (!existing) throw new CldError(404, `Resource not found - ${publicId}`);
  const meta = existing.customMetadata ?? {};
  const eager = params.eager ? parseEager(String(params.eager), meta.format) : [];
  const eagerAsync = ['true', '1'].includes(String(params.eager_async ?? 'false'));
  const notify = parseNotificationUrl(params.eager_notification_url ?? params.notification_url);
  const version = Number(meta.version);
  const described = await describe(env, { origin, cloud, type, publicId }, version, {
    format: meta.format,
    width: Number(meta.width),
    height: Number(meta.height),
    bytes: existing.size,
    etag: existing.etag,
  });
  return { ...described, eager: await runEager(origin, env, ctx, { cloud, type, publicId, version }, eager, eagerAsync, notify) };
}

export function deliveryType(params: ApiParams): DeliveryType {
  const type = String(params.type ?? 'upload') as DeliveryType;
  if (!DELIVERY_TYPES.includes(type)) throw new CldError(400, `Invalid type '${type}' (expected upload, private or authenticated)`);
  return type;
}

/**
 * Public ID of an unsigned-preset upload, as Cloudinary's unique_filename: under
 * UNSIGNED_UPLOAD_FOLDER (and the upload's own `folder`), the given public_id or else the file's
 * base name, sanitised, plus `_` and 6 random characters; 20 random characters when neither.
 * A new one for every attempt, so a browser can never replace an asset or take a held public ID.
 */
export function unsignedPublicId(env: ConfigEnv, params: ApiParams, baseName?: string): string {
  const root = sanitizePath(config(env).unsignedUploadFolder);
  const folder = params.folder ? sanitizePath(String(params.folder)) : '';
  const name = (params.public_id ? sanitizePath(String(params.public_id)) : '') || sanitizeSegment(baseName ?? '');
  return [root, folder, name ? `${name}_${randomId(6)}` : randomId(20)].filter(Boolean).join('/');
}

function sanitizeSegment(segment: string): string {
  return segment
    .replace(/[^\w.-]+/g, '_')
    .replace(/^[_.-]+|[_.-]+$/g, '')
    .slice(0, 100);
}

function sanitizePath(path: string): string {
  return path.split('/').map(sanitizeSegment).filter(Boolean).join('/').slice(0, 200).replace(/\/+$/, '');
}

function randomId(length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  // 252 = 7 x 36: bytes above it are dropped so every character is equally likely.
  const out: string[] = [];
  while (out.length < length) for (const b of crypto.getRandomValues(new Uint8Array(length))) if (b < 252 && out.length < length) out.push(alphabet[b % 36]);
  return out.join('');
}
