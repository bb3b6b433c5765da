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
 * What is then stored, and how, is src/uploads/upload.ts'.
 */
import { readHeader, type ImageHeader } from '../codecs/header';
import { config } from '../config';
import { isolateLedger } from '../delivery/ledger';
import { CldError, ImageError } from '../errors';
import { assertRemoteUrl, fetchRemote, MAX_REMOTE_URL_LENGTH } from '../remote';
import { eagerOfStored, storeUpload } from '../uploads/upload';
import { type ApiParams, timingSafeEqual, verifyApiSignature } from '../url/signature';
import { BytesSink, discardBody, TextFileSink, parseForm, type Sink, TextSink } from './multipart';

/** Cloudinary accepts 100 MB; an isolate holding the file must stay well inside 128 MB. */
export const MAX_UPLOAD_BYTES = 40 * 1024 * 1024;
/** The whole body: a file at the cap sent as a base64 data URI, and room for the other fields. */
export const MAX_BODY_BYTES = Math.ceil(MAX_UPLOAD_BYTES / 3) * 4 + 1024 * 1024;
/** One text field (eager lists, context, tags): far more than any real one. */
const MAX_FIELD_BYTES = 64 * 1024;
const MAX_FIELDS = 100;
/** Signed requests are valid for an hour after their timestamp, as on Cloudinary. */
const SIGNATURE_TTL_S = 3600;

/** POST /v1_1/<cloud>/image/upload (the cloud is checked by cloudGuard). */
export async function upload(request: Request, env: Env, cloud: string, ctx: Pick<ExecutionContext, 'waitUntil'>): Promise<Response> {
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
    const read = await readUpload(request, env);
    const { params, unsigned, file } = read;
    // file=https://...: fetched under the fetch policy (FETCH_ALLOWED_HOSTS), then the normal upload; no fetch cache.
    const originalFilename = read.remoteUrl !== undefined && file ? await fetchFile(read.remoteUrl, file, env) : read.originalFilename;
    if (!file || file.size === 0) throw new CldError(400, 'Missing required parameter - file');
    let header: ImageHeader;
    try {
      header = uploadHeader(file);
    } catch (e) {
      if (e instanceof ImageError) throw new CldError(400, e.message);
      throw e;
    }
    const origin = new URL(request.url).origin;
    return Response.json(await storeUpload(env, ctx, { origin, cloud, params, unsigned, file, header, originalFilename, releaseBody }));
  } finally {
    releaseBody();
  }
}

/** The body's fields and file, authenticated (see the header comment for the order). */
async function readUpload(
  request: Request,
  env: Env,
): Promise<{ params: ApiParams; unsigned: boolean; file?: BytesSink; originalFilename?: string; remoteUrl?: string }> {
  const params: ApiParams = {};
  let file: BytesSink | undefined;
  let originalFilename: string | undefined;
  let remoteUrl: string | undefined;
  const sizeHint = Number(request.headers.get('Content-Length')) || undefined;
  const tooLarge = (size: number) => new CldError(413, `File size too large: at least ${size} bytes, maximum is ${MAX_UPLOAD_BYTES}`);
  await parseForm(request, { maxBodyBytes: MAX_BODY_BYTES, maxParts: MAX_FIELDS }, async (part): Promise<Sink> => {
    if (part.name === 'file') {
      if (file) throw new CldError(400, 'Only one file per upload');
      if (params.signature !== undefined || params.upload_preset !== undefined) await authorize(params, env);
      file = new BytesSink(MAX_UPLOAD_BYTES, tooLarge, sizeHint);
      if (part.filename === undefined) return new TextFileSink(file, (url) => (remoteUrl = url.trim()), MAX_REMOTE_URL_LENGTH);
      originalFilename = part.filename;
      return file;
    }
    if (part.filename !== undefined) return DISCARD; // a file under another name: not a parameter
    return new TextSink(part.name, MAX_FIELD_BYTES, (value) => (params[part.name] = value));
  });
  const unsigned = await authorize(params, env);
  return { params, unsigned, file, originalFilename, remoteUrl };
}

/**
 * A remote file into the upload's BytesSink: the URL checked (401 when the allowlist refuses it,
 * as delivery), fetched with fetchRemote's defences and MAX_UPLOAD_BYTES as its cap. Returns the
 * original filename Cloudinary reports for it: the URL's last path segment.
 */
async function fetchFile(url: string, file: BytesSink, env: Env): Promise<string | undefined> {
  const policy = config(env).fetchPolicy;
  assertRemoteUrl(url, policy);
  const result = await fetchRemote(url, policy, { maxBytes: MAX_UPLOAD_BYTES });
  if (result.notModified) throw new CldError(502, `Error in loading ${url} - origin answered 304`);
  file.write(result.bytes);
  const last = new URL(result.finalUrl).pathname.split('/').pop();
  try {
    return last ? decodeURIComponent(last) : undefined;
  } catch {
    return last;
  }
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
async function readFields(request: Request, maxParts = MAX_FIELDS): Promise<ApiParams> {
  const params: ApiParams = {};
  // `name[]` fields (the SDKs' lists, public_ids[] of tags and context) gather into a list under `name`, as the SDKs sign them.
  const collect = (name: string, value: string) => {
    if (!name.endsWith('[]')) params[name] = value;
    else {
      const list = params[name.slice(0, -2)];
      params[name.slice(0, -2)] = Array.isArray(list) ? [...list, value] : [value];
    }
  };
  await parseForm(request, { maxBodyBytes: MAX_FIELDS * MAX_FIELD_BYTES, maxParts }, (part) =>
    part.filename !== undefined || part.name === 'file' ? DISCARD : new TextSink(part.name, MAX_FIELD_BYTES, (value) => collect(part.name, value)),
  );
  return params;
}

/** Public IDs one tags or context call may name (Cloudinary's 1000), and the other fields. */
const MAX_LIST_FIELDS = 1100;

/** A text-only form signed like an upload (destroy, rename, tags, context): its fields, authenticated. */
export async function signedFields(request: Request, env: Env): Promise<ApiParams> {
  const params = await readFields(request, MAX_LIST_FIELDS);
  await authenticate(params, env);
  return params;
}

/**
 * POST /v1_1/<cloud>/image/explicit: eager transformations of a stored asset (public_id, type,
 * eager, eager_async), signed like an upload (the cloud is checked by cloudGuard).
 */
export async function explicit(request: Request, env: Env, cloud: string, ctx: Pick<ExecutionContext, 'waitUntil'>): Promise<Response> {
  const params = await readFields(request);
  await authenticate(params, env);
  return Response.json(await eagerOfStored(env, ctx, new URL(request.url).origin, cloud, params));
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
  const preset = config(env).unsignedUploadPreset;
  if (!preset || params.upload_preset !== preset) throw new CldError(400, `Upload preset not found: ${params.upload_preset}`);
  const refused = Object.keys(params).filter((k) => !UNSIGNED_PARAMS.includes(k));
  if (refused.length)
    throw new CldError(400, `${refused.join(', ')} parameter is not allowed when using unsigned upload. Only ${UNSIGNED_PARAMS.join(',')} are allowed`);
}

async function authenticate(params: ApiParams, env: Env): Promise<void> {
  if (!params.api_key) throw new CldError(401, 'Must supply api_key');
  // Every key is compared (constant time each), so the time says nothing about which one matched.
  let secret: string | undefined;
  for (const k of config(env).apiKeys) if (timingSafeEqual(String(params.api_key), k.key)) secret = k.secret;
  if (secret === undefined) throw new CldError(401, `Unknown API key ${params.api_key}`);
  const timestamp = Number(params.timestamp);
  if (!params.timestamp || !Number.isInteger(timestamp)) throw new CldError(401, 'Missing required parameter - timestamp');
  const age = Math.floor(Date.now() / 1000) - timestamp;
  if (age > SIGNATURE_TTL_S) throw new CldError(401, `Stale request - reported time is ${timestamp} which is more than 1 hour ago`);
  if (age < -SIGNATURE_TTL_S) throw new CldError(401, `Invalid timestamp ${timestamp}: in the future`);
  const signature = String(params.signature ?? '');
  if (!signature) throw new CldError(401, 'Missing required parameter - signature');
  if (!(await verifyApiSignature(params, signature, secret))) throw new CldError(401, 'Invalid Signature. String to sign does not match the parameters');
}

/** Admin API authentication: HTTP Basic with an API key and its secret (any of API_KEY/API_SECRET and API_KEYS), as Cloudinary's Admin API. */
export function authenticateAdmin(request: Request, env: Env): void {
  const m = /^Basic\s+(\S+)$/i.exec(request.headers.get('Authorization') ?? '');
  let pair = '';
  try {
    pair = m ? atob(m[1]) : '';
  } catch {
    /* not base64: refused below */
  }
  let ok = false;
  for (const k of config(env).apiKeys) if (timingSafeEqual(pair, `${k.key}:${k.secret}`)) ok = true;
  if (!ok) throw new CldError(401, 'Invalid credentials: the Admin API needs HTTP Basic auth with api_key:api_secret');
}
