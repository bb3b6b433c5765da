/**
 * Upload API, minimal: POST /v1_1/<cloud>/image/upload with a Cloudinary API signature.
 * Answers Cloudinary-shaped JSON so the official SDKs work against it.
 */
import { ImageError } from '../pixels/errors';
import { readHeader, type ImageHeader } from '../pixels/header';
import { deleteDerived } from '../store/derived';
import { headOriginal, originalKey, putOriginal } from '../store/originals';
import { contentType } from '../plan/output';
import { countUsage } from '../queue/usage';
import { parseEager, parseNotificationUrl, runEager } from './eager';
import { applyIncoming, parseIncoming, startIncoming } from './incoming';
import { DELIVERY_TYPES, validatePublicId, type DeliveryType } from '../url/delivery-url';
import { CldError } from '../url/errors';
import { apiSignature, hexDigest, verifyApiSignature, type ApiParams } from '../url/signature';

/** Cloudinary accepts 100 MB; an isolate holding the body must stay well inside 128 MB. */
export const MAX_UPLOAD_BYTES = 40 * 1024 * 1024;
/** Signed requests are valid for an hour after their timestamp, as on Cloudinary. */
const SIGNATURE_TTL_S = 3600;

export async function upload(request: Request, env: Env, cloud: string, ctx: Pick<ExecutionContext, 'waitUntil'>): Promise<Response> {
  if (cloud !== env.CLOUD_NAME) throw new CldError(404, `Unknown cloud_name ${cloud}`);
  const length = Number(request.headers.get('Content-Length') ?? 0);
  if (length > MAX_UPLOAD_BYTES) throw new CldError(413, `File size too large: ${length} bytes, maximum is ${MAX_UPLOAD_BYTES}`);

  const form = await readForm(request);
  const params: ApiParams = {};
  let file: Uint8Array | undefined;
  let originalFilename: string | undefined;
  for (const [name, value] of form) {
    if (name === 'file') {
      if (typeof value === 'string') file = dataUri(value);
      else {
        file = new Uint8Array(await value.arrayBuffer());
        originalFilename = value.name;
      }
    } else if (typeof value === 'string') params[name] = value;
  }

  const unsigned = isUnsignedUpload(params);
  if (unsigned) authorizeUnsigned(params, env);
  else await authenticate(params, env);
  if (!file || file.byteLength === 0) throw new CldError(400, 'Missing required parameter - file');
  if (file.byteLength > MAX_UPLOAD_BYTES) throw new CldError(413, `File size too large: ${file.byteLength} bytes, maximum is ${MAX_UPLOAD_BYTES}`);

  let header: ImageHeader;
  try {
    header = readHeader(file);
  } catch (e) {
    if (e instanceof ImageError) throw new CldError(400, e.message);
    throw e;
  }

  const type = deliveryType(params);
  const baseName = originalFilename?.replace(/\.[^.]*$/, '');
  const folder = params.folder ? String(params.folder).replace(/^\/+|\/+$/g, '') : '';
  let publicId = params.public_id ? String(params.public_id) : randomId();
  if (folder && !params.public_id?.toString().includes('/')) publicId = `${folder}/${publicId}`;
  validatePublicId(publicId);

  const incoming = params.transformation ? parseIncoming(String(params.transformation)) : null;
  const eager = params.eager ? parseEager(String(params.eager), incoming?.ai ? 'jpg' : header.format) : [];
  const eagerAsync = ['true', '1'].includes(String(params.eager_async ?? 'false'));
  const notify = parseNotificationUrl(params.eager_notification_url ?? params.notification_url);
  if (incoming?.ai && eager.length) throw new CldError(400, 'Eager transformations cannot be combined with an AI incoming transformation: request them once the asset is ready');
  // Unsigned uploads never replace an asset, as on Cloudinary.
  const overwrite = !unsigned && !['false', '0'].includes(String(params.overwrite ?? 'true'));
  const existing = await headOriginal(env.IMAGES, cloud, type, publicId);
  if (existing && !overwrite) {
    const meta = existing.customMetadata ?? {};
    return Response.json({
      ...(await describe(request, env, cloud, type, publicId, Number(meta.version), {
        format: meta.format, width: Number(meta.width), height: Number(meta.height), bytes: existing.size, etag: existing.etag,
      }, baseName)),
      existing: true,
    });
  }

  const now = Math.floor(Date.now() / 1000);
  const version = existing ? Math.max(now, Number(existing.customMetadata?.version ?? 0) + 1) : now;

  if (incoming?.ai) {
    // The AI job makes the original: until then the asset is pending (deliveries answer 420).
    const pending = await startIncoming(env, { cloud, type, publicId, version }, file, header, incoming.ai);
    if (existing) {
      await env.IMAGES.delete(originalKey(cloud, type, publicId));
      await deleteDerived(env.IMAGES, cloud, type, publicId);
    }
    ctx.waitUntil(countUsage(env, cloud, { uploads: 1, transformations: 1 }));
    const described = await describe(request, env, cloud, type, publicId, version, {
      format: 'jpg', width: pending.width, height: pending.height, bytes: 0, etag: '',
    }, baseName);
    return Response.json({ ...described, status: 'pending', job: pending.job });
  }
  if (incoming?.plain) ({ file, header } = await applyIncoming(file, header, incoming.plain, env.PREMIUM_DOWNSCALING === 'true'));

  const saved = await putOriginal(env.IMAGES, cloud, type, publicId, file, {
    version, format: header.format, width: header.width, height: header.height, alpha: header.hasAlpha ? '1' : '0',
  }, contentType(header.format));
  if (existing) await deleteDerived(env.IMAGES, cloud, type, publicId);
  ctx.waitUntil(countUsage(env, cloud, { uploads: 1, transformations: 1 }));

  const described = await describe(request, env, cloud, type, publicId, version, {
    format: header.format, width: header.width, height: header.height, bytes: file.byteLength, etag: saved.etag,
  }, baseName);
  if (!eager.length) return Response.json(described);
  return Response.json({ ...described, eager: await runEager(request, env, ctx, { cloud, type, publicId, version }, eager, eagerAsync, notify) });
}

/**
 * POST /v1_1/<cloud>/image/explicit: eager transformations of a stored asset (public_id, type,
 * eager, eager_async), signed like an upload.
 */
export async function explicit(request: Request, env: Env, cloud: string, ctx: Pick<ExecutionContext, 'waitUntil'>): Promise<Response> {
  if (cloud !== env.CLOUD_NAME) throw new CldError(404, `Unknown cloud_name ${cloud}`);
  const form = await readForm(request);
  const params: ApiParams = {};
  for (const [name, value] of form) if (typeof value === 'string') params[name] = value;
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
    format: meta.format, width: Number(meta.width), height: Number(meta.height), bytes: existing.size, etag: existing.etag,
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
  if (params.api_key !== env.API_KEY) throw new CldError(401, `Unknown API key ${params.api_key}`);
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

async function readForm(request: Request): Promise<FormData> {
  const type = request.headers.get('Content-Type') ?? '';
  if (!/multipart\/form-data|application\/x-www-form-urlencoded/i.test(type))
    throw new CldError(400, 'Expected a multipart/form-data or application/x-www-form-urlencoded body');
  try {
    return await request.formData();
  } catch {
    throw new CldError(400, 'Malformed form body');
  }
}

function dataUri(value: string): Uint8Array {
  const m = /^data:[\w/+.-]*(;[\w-]+=[\w-]+)*;base64,(.*)$/s.exec(value);
  if (!m) {
    if (/^https?:\/\//i.test(value)) throw new CldError(400, 'Uploading from a remote URL is not supported: send the file bytes');
    throw new CldError(400, 'Invalid file parameter: expected file bytes or a base64 data URI');
  }
  try {
    const binary = atob(m[2]);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  } catch {
    throw new CldError(400, 'Invalid base64 in data URI');
  }
}

function randomId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...crypto.getRandomValues(new Uint8Array(20))].map((b) => alphabet[b % alphabet.length]).join('');
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
  if (pair !== `${env.API_KEY}:${env.API_SECRET}`) throw new CldError(401, 'Invalid credentials: the Admin API needs HTTP Basic auth with api_key:api_secret');
}
