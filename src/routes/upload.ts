/**
 * Upload API, minimal: POST /v1_1/<cloud>/image/upload with a Cloudinary API signature.
 * Answers Cloudinary-shaped JSON so the official SDKs work against it.
 *
 * The body is parsed as it streams (multipart.ts). Cloudinary's SDKs send the text fields first
 * and the file last, so when the credentials (`signature`, or `upload_preset` for the unsigned
 * preset) come before the file they are checked before a byte of it is read: a wrong signature
 * is a 401 without reading the file. A client that sends the file first has it buffered, at most
 * MAX_UPLOAD_BYTES, and the request is decided once the body is read: a request without valid
 * credentials never makes the isolate hold more than the cap. Either way the parameters are
 * checked again with every field once the body is read (fields after the file must be signed too).
 * A refused body's rest is read and dropped up to DRAIN_BYTES (multipart.ts: why) and cut off after.
 *
 * Writes are conditional (create-if-absent, or replace-this-ETag), so two uploads that saw the
 * same state cannot both be told they stored their file: the loser looks again (overwrite=false:
 * it gets the winner as `existing: true`; an unsigned upload: another unique public ID).
 */
import { ImageError } from '../pixels/errors';
import { readHeader, type ImageHeader } from '../codecs/header';
import { deleteDerived } from '../store/derived';
import { headOriginal, putOriginal, type Expected } from '../store/originals';
import { contentType } from '../plan/output';
import { countUsage } from '../jobs/usage';
import { parseEager, parseNotificationUrl, runEager } from './eager';
import { activeHold, applyIncoming, parseIncoming, startIncoming, supersede, type Hold } from '../delivery/incoming';
import { BytesSink, DataUriSink, discardBody, parseForm, TextSink, type Sink } from './multipart';
import { DELIVERY_TYPES, validatePublicId, type DeliveryType } from '../url/delivery-url';
import { CldError } from '../url/errors';
import { isolateLedger } from '../delivery/ledger';
import { apiSignature, hexDigest, timingSafeEqual, verifyApiSignature, type ApiParams } from '../url/signature';

/** Cloudinary accepts 100 MB; an isolate holding the file must stay well inside 128 MB. */
export const MAX_UPLOAD_BYTES = 40 * 1024 * 1024;
/** The whole body: a file at the cap sent as a base64 data URI, and room for the other fields. */
export const MAX_BODY_BYTES = Math.ceil(MAX_UPLOAD_BYTES / 3) * 4 + 1024 * 1024;
/** One text field (eager lists, context, tags): far more than any real one. */
const MAX_FIELD_BYTES = 64 * 1024;
const MAX_FIELDS = 100;
/** Signed requests are valid for an hour after their timestamp, as on Cloudinary. */
const SIGNATURE_TTL_S = 3600;
/** Conditional writes that lose a race look again this many times before answering 409. */
const WRITE_ATTEMPTS = 4;

export async function upload(request: Request, env: Env, cloud: string, ctx: Pick<ExecutionContext, 'waitUntil'>): Promise<Response> {
  if (cloud !== env.CLOUD_NAME) throw new CldError(404, `Unknown cloud_name ${cloud}`);
  // The file is held in memory from its first byte until it is stored, so the upload reserves it
  // in the isolate's ledger as a render does: its Content-Length, or the cap when it is chunked.
  const length = Number(request.headers.get('Content-Length'));
  const release = await isolateLedger.reserve({ bytes: length > 0 ? Math.min(length, MAX_BODY_BYTES) : MAX_UPLOAD_BYTES, work: 0 }).catch(async (e) => {
    await discardBody(request);
    throw e;
  });
  let released = false;
  const releaseBody = () => {
    if (!released) release();
    released = true;
  };
  try {
    return await receive(request, env, cloud, ctx, releaseBody);
  } finally {
    releaseBody();
  }
}

/** `releaseBody` ends the upload's reservation before a render of its own reserves (it counts the file it holds). */
async function receive(request: Request, env: Env, cloud: string, ctx: Pick<ExecutionContext, 'waitUntil'>, releaseBody: () => void): Promise<Response> {
  const { params, unsigned, file: sent, originalFilename } = await readUpload(request, env);
  if (!sent || sent.size === 0) throw new CldError(400, 'Missing required parameter - file');
  // A plain upload is stored from the pieces it arrived in; transformations need it in one array.
  let joined: Uint8Array | undefined;
  const whole = () => (joined ??= sent.bytes());

  let header: ImageHeader;
  try {
    header = uploadHeader(sent);
  } catch (e) {
    if (e instanceof ImageError) throw new CldError(400, e.message);
    throw e;
  }

  const type = deliveryType(params);
  const baseName = originalFilename?.replace(/\.[^.]*$/, '');
  const folder = params.folder ? String(params.folder).replace(/^\/+|\/+$/g, '') : '';
  let signedId = params.public_id ? String(params.public_id) : randomId(20);
  if (folder && !params.public_id?.toString().includes('/')) signedId = `${folder}/${signedId}`;
  // Unsigned uploads get a new unique public ID on every attempt and never replace an asset.
  const nextId = unsigned ? () => unsignedPublicId(env, params, baseName) : () => signedId;
  let publicId = nextId();
  validatePublicId(publicId);

  const incoming = params.transformation ? parseIncoming(String(params.transformation)) : null;
  const eager = params.eager ? parseEager(String(params.eager), incoming?.ai ? 'jpg' : header.format) : [];
  const eagerAsync = ['true', '1'].includes(String(params.eager_async ?? 'false'));
  const notify = parseNotificationUrl(params.eager_notification_url ?? params.notification_url);
  if (incoming?.ai && eager.length)
    throw new CldError(400, 'Eager transformations cannot be combined with an AI incoming transformation: request them once the asset is ready');
  const overwrite = !unsigned && !['false', '0'].includes(String(params.overwrite ?? 'true'));
  const now = Math.floor(Date.now() / 1000);
  const nextVersion = (existing: R2Object | null) => (existing ? Math.max(now, Number(existing.customMetadata?.version ?? 0) + 1) : now);

  if (incoming?.ai) {
    const existing = await headOriginal(env.IMAGES, cloud, type, publicId);
    if (existing && !overwrite) return Response.json(await describeExisting(request, env, cloud, type, publicId, existing, baseName));
    const hold = existing ? null : await activeHold(env, cloud, type, publicId);
    if (hold && !overwrite) return Response.json(await describeHeld(request, env, cloud, type, publicId, hold, baseName));
    // The job makes the original: until then a new asset is pending (deliveries answer 420) and
    // an existing one keeps its current original, which the job replaces only if it is unchanged.
    const version = nextVersion(existing);
    releaseBody();
    const pending = await startIncoming(env, { cloud, type, publicId, version }, whole(), readHeader(whole()), incoming.ai, overwrite);
    ctx.waitUntil(countUsage(env, cloud, { uploads: 1, transformations: 1 }));
    const described = await describe(
      request,
      env,
      cloud,
      type,
      publicId,
      version,
      {
        format: 'jpg',
        width: pending.width,
        height: pending.height,
        bytes: 0,
        etag: '',
      },
      baseName,
    );
    return Response.json({ ...described, status: 'pending', job: pending.job });
  }
  let file: Uint8Array | BytesSink = sent;
  if (incoming?.plain) {
    releaseBody();
    const applied = await applyIncoming(whole(), readHeader(whole()), incoming.plain, env.PREMIUM_DOWNSCALING === 'true');
    ({ file, header } = applied);
  }
  const size = file instanceof BytesSink ? file.size : file.byteLength;

  let saved: R2Object | null = null;
  let version = 0;
  for (let attempt = 0; !saved; attempt++) {
    if (attempt === WRITE_ATTEMPTS)
      throw new CldError(409, `Concurrent uploads to ${publicId}: it changed ${WRITE_ATTEMPTS} times while this one was stored; try again`);
    if (attempt > 0 && unsigned) validatePublicId((publicId = nextId()));
    const existing = await headOriginal(env.IMAGES, cloud, type, publicId);
    if (existing && unsigned) continue;
    if (existing && !overwrite) return Response.json(await describeExisting(request, env, cloud, type, publicId, existing, baseName));
    // A pending incoming AI transformation holds the public ID: creators leave it alone, a signed
    // overwrite supersedes it (its job stops and its result is never written).
    const hold = await activeHold(env, cloud, type, publicId);
    if (hold && unsigned) continue;
    if (hold && !existing && !overwrite) return Response.json(await describeHeld(request, env, cloud, type, publicId, hold, baseName));
    if (hold) {
      await supersede(env, hold.job, `superseded by a newer upload of ${publicId}`);
      // The job may have written its result just before: look at the original again.
      if (attempt + 1 < WRITE_ATTEMPTS) continue;
    }
    const expected: Expected = existing ? existing.etag : null;
    version = nextVersion(existing);
    saved = await putOriginal(
      env.IMAGES,
      cloud,
      type,
      publicId,
      file instanceof BytesSink ? file.stream() : file,
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
    if (saved && existing) await deleteDerived(env.IMAGES, cloud, type, publicId);
  }
  ctx.waitUntil(countUsage(env, cloud, { uploads: 1, transformations: 1 }));

  const described = await describe(
    request,
    env,
    cloud,
    type,
    publicId,
    version,
    {
      format: header.format,
      width: header.width,
      height: header.height,
      bytes: size,
      etag: saved.etag,
    },
    baseName,
  );
  if (!eager.length) return Response.json(described);
  releaseBody();
  return Response.json({ ...described, eager: await runEager(request, env, ctx, { cloud, type, publicId, version }, eager, eagerAsync, notify) });
}

/** The body's fields and file, authenticated (see the header comment for the order). */
async function readUpload(request: Request, env: Env): Promise<{ params: ApiParams; unsigned: boolean; file?: BytesSink; originalFilename?: string }> {
  const params: ApiParams = {};
  let file: BytesSink | undefined;
  let originalFilename: string | undefined;
  const sizeHint = Number(request.headers.get('Content-Length')) || undefined;
  const tooLarge = (size: number) => new CldError(413, `File size too large: at least ${size} bytes, maximum is ${MAX_UPLOAD_BYTES}`);
  await parseForm(request, { maxBodyBytes: MAX_BODY_BYTES, maxParts: MAX_FIELDS }, async (part): Promise<Sink> => {
    if (part.name === 'file') {
      if (file) throw new CldError(400, 'Only one file per upload');
      if (params.signature !== undefined || params.upload_preset !== undefined) await authorize(params, env);
      file = new BytesSink(MAX_UPLOAD_BYTES, tooLarge, sizeHint);
      if (part.filename === undefined) return new DataUriSink(file);
      originalFilename = part.filename;
      return file;
    }
    if (part.filename !== undefined) return DISCARD; // a file under another name: not a parameter
    return new TextSink(part.name, MAX_FIELD_BYTES, (value) => (params[part.name] = value));
  });
  const unsigned = await authorize(params, env);
  return { params, unsigned, file, originalFilename };
}

/** What a JPEG or PNG header needs lies at its start (a failure there is retried on every byte); other formats are read whole. */
const HEADER_PREFIX_BYTES = 1024 * 1024;

function uploadHeader(file: BytesSink): ImageHeader {
  const start = file.prefix(HEADER_PREFIX_BYTES);
  const jpegOrPng = (start[0] === 0xff && start[1] === 0xd8) || (start[0] === 0x89 && start[1] === 0x50 && start[2] === 0x4e && start[3] === 0x47);
  if (jpegOrPng && start.byteLength < file.size) {
    try {
      return readHeader(start);
    } catch {
      /* the header reaches further: read it from all the bytes */
    }
  }
  return readHeader(file.bytes());
}

const DISCARD: Sink = { write() {}, end() {} };

/** Signed (API key and signature) or the unsigned preset; returns whether it is unsigned. */
async function authorize(params: ApiParams, env: Env): Promise<boolean> {
  const unsigned = isUnsignedUpload(params);
  if (unsigned) authorizeUnsigned(params, env);
  else await authenticate(params, env);
  return unsigned;
}

/** A form without a file (explicit): text fields only, each capped. */
async function readFields(request: Request): Promise<ApiParams> {
  const params: ApiParams = {};
  await parseForm(request, { maxBodyBytes: MAX_FIELDS * MAX_FIELD_BYTES, maxParts: MAX_FIELDS }, (part) =>
    part.filename !== undefined || part.name === 'file' ? DISCARD : new TextSink(part.name, MAX_FIELD_BYTES, (value) => (params[part.name] = value)),
  );
  return params;
}

/**
 * Public ID of an unsigned-preset upload, as Cloudinary's unique_filename: under
 * UNSIGNED_UPLOAD_FOLDER (and the upload's own `folder`), the given public_id or else the file's
 * base name, sanitised, plus `_` and 6 random characters; 20 random characters when neither.
 * A new one for every attempt, so a browser can never replace an asset or take a held public ID.
 */
export function unsignedPublicId(env: Pick<Env, 'UNSIGNED_UPLOAD_FOLDER'>, params: ApiParams, baseName?: string): string {
  const root = sanitizePath(env.UNSIGNED_UPLOAD_FOLDER ?? 'unsigned');
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

async function describeExisting(request: Request, env: Env, cloud: string, type: string, publicId: string, existing: R2Object, baseName?: string) {
  const meta = existing.customMetadata ?? {};
  return {
    ...(await describe(
      request,
      env,
      cloud,
      type,
      publicId,
      Number(meta.version),
      {
        format: meta.format,
        width: Number(meta.width),
        height: Number(meta.height),
        bytes: existing.size,
        etag: existing.etag,
      },
      baseName,
    )),
    existing: true,
  };
}

/** overwrite=false on a public ID that a pending incoming AI transformation holds: the pending asset. */
async function describeHeld(request: Request, env: Env, cloud: string, type: string, publicId: string, hold: Hold, baseName?: string) {
  return {
    ...(await describe(
      request,
      env,
      cloud,
      type,
      publicId,
      hold.version,
      { format: 'jpg', width: hold.width, height: hold.height, bytes: 0, etag: '' },
      baseName,
    )),
    existing: true,
    status: 'pending',
    job: hold.link,
  };
}

/**
 * POST /v1_1/<cloud>/image/explicit: eager transformations of a stored asset (public_id, type,
 * eager, eager_async), signed like an upload.
 */
export async function explicit(request: Request, env: Env, cloud: string, ctx: Pick<ExecutionContext, 'waitUntil'>): Promise<Response> {
  if (cloud !== env.CLOUD_NAME) throw new CldError(404, `Unknown cloud_name ${cloud}`);
  const params = await readFields(request);
  await authenticate(params, env);
  if (!params.public_id) throw new CldError(400, 'Missing required parameter - public_id');
  const publicId = String(params.public_id);
  const type = deliveryType(params);
  const existing = await headOriginal(env.IMAGES, cloud, type, publicId);
  if (!existing) throw new CldError(404, `Resource not found - ${publicId}`);
  const meta = existing.customMetadata ?? {};
  const eager = params.eager ? parseEager(String(params.eager), meta.format) : [];
  const eagerAsync = ['true', '1'].includes(String(params.eager_async ?? 'false'));
  const notify = parseNotificationUrl(params.eager_notification_url ?? params.notification_url);
  const version = Number(meta.version);
  const described = await describe(request, env, cloud, type, publicId, version, {
    format: meta.format,
    width: Number(meta.width),
    height: Number(meta.height),
    bytes: existing.size,
    etag: existing.etag,
  });
  return Response.json({ ...described, eager: await runEager(request, env, ctx, { cloud, type, publicId, version }, eager, eagerAsync, notify) });
}

function deliveryType(params: ApiParams): DeliveryType {
  const type = String(params.type ?? 'upload') as DeliveryType;
  if (!DELIVERY_TYPES.includes(type)) throw new CldError(400, `Invalid type '${type}' (expected upload, private or authenticated)`);
  return type;
}

/** Parameters an unsigned upload may set (Cloudinary allows these and a few dprox ignores). */
const UNSIGNED_PARAMS = ['upload_preset', 'public_id', 'folder', 'tags', 'context', 'filename_override'];

/** Cloudinary's unsigned upload: an `upload_preset` and no signature. */
function isUnsignedUpload(params: ApiParams): boolean {
  return params.upload_preset !== undefined && params.signature === undefined;
}

/**
 * The one unsigned upload preset, if the cloud has one (UNSIGNED_UPLOAD_PRESET): for browsers,
 * which cannot hold the API secret. Such uploads may not transform (no incoming, eager or AI
 * work), choose the delivery type or overwrite.
 */
function authorizeUnsigned(params: ApiParams, env: Env): void {
  const preset = env.UNSIGNED_UPLOAD_PRESET ?? '';
  if (!preset || params.upload_preset !== preset) throw new CldError(400, `Upload preset not found: ${params.upload_preset}`);
  const refused = Object.keys(params).filter((k) => !UNSIGNED_PARAMS.includes(k));
  if (refused.length)
    throw new CldError(400, `${refused.join(', ')} parameter is not allowed when using unsigned upload. Only ${UNSIGNED_PARAMS.join(',')} are allowed`);
}

async function authenticate(params: ApiParams, env: Env): Promise<void> {
  if (!params.api_key) throw new CldError(401, 'Must supply api_key');
  if (!timingSafeEqual(String(params.api_key), env.API_KEY)) throw new CldError(401, `Unknown API key ${params.api_key}`);
  const timestamp = Number(params.timestamp);
  if (!params.timestamp || !Number.isInteger(timestamp)) throw new CldError(401, 'Missing required parameter - timestamp');
  const age = Math.floor(Date.now() / 1000) - timestamp;
  if (age > SIGNATURE_TTL_S) throw new CldError(401, `Stale request - reported time is ${timestamp} which is more than 1 hour ago`);
  if (age < -SIGNATURE_TTL_S) throw new CldError(401, `Invalid timestamp ${timestamp}: in the future`);
  const signature = String(params.signature ?? '');
  if (!signature) throw new CldError(401, 'Missing required parameter - signature');
  if (!(await verifyApiSignature(params, signature, env.API_SECRET)))
    throw new CldError(401, 'Invalid Signature. String to sign does not match the parameters');
}

function randomId(length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  // 252 = 7 x 36: bytes above it are dropped so every character is equally likely.
  const out: string[] = [];
  while (out.length < length) for (const b of crypto.getRandomValues(new Uint8Array(length))) if (b < 252 && out.length < length) out.push(alphabet[b % 36]);
  return out.join('');
}

interface Stored {
  format?: string;
  width: number;
  height: number;
  bytes: number;
  etag: string;
}

async function describe(request: Request, env: Env, cloud: string, type: string, publicId: string, version: number, s: Stored, originalFilename?: string) {
  const origin = new URL(request.url).origin;
  const path = `/${cloud}/image/${type}/v${version}/${publicId.split('/').map(encodeURIComponent).join('/')}.${s.format}`;
  const assetId = await hexDigest(`${cloud}/${type}/${publicId}`, 'sha1');
  return {
    asset_id: assetId.slice(0, 32),
    public_id: publicId,
    version,
    version_id: (await hexDigest(`${assetId}/${version}`, 'sha1')).slice(0, 32),
    signature: await apiSignature({ public_id: publicId, version }, env.API_SECRET, 'sha1', 1),
    width: s.width,
    height: s.height,
    format: s.format,
    resource_type: 'image',
    created_at: new Date(version * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    tags: [],
    pages: 1,
    bytes: s.bytes,
    type,
    etag: s.etag,
    placeholder: false,
    url: origin.replace(/^https:/, 'http:') + path,
    secure_url: origin + path,
    original_filename: originalFilename ?? publicId.split('/').pop(),
    api_key: env.API_KEY,
  };
}

/** Admin API authentication: HTTP Basic with the API key and secret, as Cloudinary's Admin API. */
export function authenticateAdmin(request: Request, env: Env): void {
  const m = /^Basic\s+(\S+)$/i.exec(request.headers.get('Authorization') ?? '');
  let pair = '';
  try {
    pair = m ? atob(m[1]) : '';
  } catch {
    /* not base64: refused below */
  }
  if (!timingSafeEqual(pair, `${env.API_KEY}:${env.API_SECRET}`))
    throw new CldError(401, 'Invalid credentials: the Admin API needs HTTP Basic auth with api_key:api_secret');
}
