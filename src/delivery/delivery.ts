/**
 * @module The delivery pipeline: a delivery URL → the image, in named steps.
 *
 *   lookup   parse the URL, check its signature, expand its named transformations (./named.ts), key
 *            it; the edge cache, then the derived copy in R2 (a fetch URL first makes sure its remote
 *            original is in R2 and fresh: ./fetched.ts); strict transformations refuse the rest
 *   source   the original from R2 (or the 420 of an upload whose incoming transformation runs)
 *   ai       an AI effect splits the chain: its job's result (or a 423) is the rest's source
 *   plan     the rest of the chain, its layers and the output as a plan (src/plan, pure)
 *   render   the plan run within the isolate's ledger (src/pixels)
 *   store    the derived copy to R2 and the edge cache, after the response
 *
 * Each step either answers (a hit, the untouched original) or hands the next one what it found.
 * Errors are thrown (src/errors.ts), the 420 and 423 among them. The HTTP handler
 * (src/routes/deliver.ts) adds the delivery headers and answers conditional requests.
 */
import { readHeader, type ImageHeader } from '../codecs/header';
import { withMetadataOf } from '../codecs/jpeg/metadata';
import { config } from '../config';
import { isAiEffect } from '../url/effects';
import { CldError } from '../errors';
import { countUsage } from '../jobs/usage';
import { renderAndEncode, type StepTimes } from '../pixels/run';
import { resolveHints } from '../plan/hints';
import { layerPublicIds } from '../plan/layers';
import { acceptedFormat, chooseOutput, contentType } from '../plan/output';
import { hasProgram } from '../plan/evaluate';
import { buildPlan, mayBeTransparent, resolveProgram } from '../plan/plan';
import type { LayerSources, OutputSpec, Plan } from '../plan/steps';
import { assertRemoteUrl, normaliseFetchUrl } from '../remote';
import { images } from '../store/bucket';
import { getDerived, putDerived } from '../store/derived';
import { fetchedDerivedId } from '../store/fetched';
import { cacheMatch, cachePut } from '../store/edge-cache';
import { derivedKey } from '../store/keys';
import { getOriginal } from '../store/originals';
import { formatTransformation } from '../url/component';
import { remoteLayerUrl } from '../url/layer-id';
import { type DeliveryUrl, parseDeliveryPath } from '../url/delivery-url';
import { attachmentOf, type Component } from '../url/params';
import { requestToken, verifyAuthToken } from '../url/auth-token';
import { verifyDeliverySignature } from '../url/signature';
import { type AiSplit, aiJobSpec, alphaFromSource, authorizeAi, awaitJob, splitAtAiEffect, waitBudget } from './ai';
import { throwIfIncoming } from './incoming';
import { ensureFetched, type FetchedOriginal, fetchedBytes } from './fetched';
import { loadLayers } from './layer-sources';
import { expandNamed } from './named';
import { withReservation } from './ledger';

/** Where the bytes came from: the edge cache, the derived copy in R2, the stored original, or a fresh transformation. */
export type CacheStatus = 'hit-edge' | 'hit-r2' | 'original' | 'miss';

/** A delivered image: its bytes and representation headers, and what the delivery headers need. */
export interface Delivered {
  /** Status 200, with Content-Type, Content-Length (except a streamed AI result's), ETag, X-Dprox-* and Server-Timing. */
  image: Response;
  source: CacheStatus;
  /** Request headers the image depends on (client hints, Accept for f_auto). */
  vary: string[];
  /** fl_immutable_cache. */
  immutable: boolean;
  /** A fetch URL's origin failed and its stale copy was used: cache the response briefly. */
  stale?: boolean;
  /** d_: the original is missing and this is its placeholder, transformed: the reason, for X-Cld-Error. */
  placeholder?: string;
  /** fl_attachment: the download's file name without its extension (the delivered format's). */
  attachment?: string;
}

type WaitUntil = Pick<ExecutionContext, 'waitUntil'>;

export async function deliver(request: Request, env: Env, ctx: WaitUntil): Promise<Delivered> {
  const clock = new Clock();
  const found = await lookup(request, env, ctx);
  const remote = found.url.remoteUrl !== undefined ? await ensureFetched(env, found.url.cloud, found.url.remoteUrl, ctx) : undefined;
  let placeholder: string | undefined;
  const answer = (image: Response, source: CacheStatus): Delivered => ({
    image,
    source,
    vary: found.vary,
    immutable: found.immutable,
    ...(remote?.stale || [...found.fetchedLayers.values()].some((f) => f.stale) ? { stale: true } : {}),
    ...(placeholder ? { placeholder } : {}),
    ...(found.attachment !== undefined ? { attachment: found.attachment } : {}),
  });
  clock.mark('parse');

  const hit = await cached(found, env, ctx);
  if (hit) return answer(hit.image, hit.source);
  refuseIfStrict(found, env);

  const split = splitAtAiEffect(found.components);
  if (split && found.layerIds.length) throw new CldError(400, 'Layers and AI effects cannot be combined in one URL: deliver the AI result, then layer it');
  if (split && found.components.some(hasProgram))
    throw new CldError(400, 'Variables and conditions cannot be combined with AI effects in one URL: deliver the AI result, then transform it');
  if (split && remote) throw new CldError(400, 'AI effects are not supported for fetched images: upload the image, then transform it');
  if (split) authorizeAi(found.url, env, split);
  if (split && found.placeholder) throw new CldError(400, 'd_ (a placeholder) cannot be combined with AI effects in one URL');
  if (split && found.getinfo) throw new CldError(400, 'fl_getinfo cannot be combined with AI effects: ask it of the AI result');
  if (split && found.components.some((c) => c.fl?.includes('keep_iptc'))) throw new CldError(400, 'fl_keep_iptc cannot be combined with AI effects');
  clock.mark('lookup');

  const src = await source(found, env, clock, remote);
  if (src.placeholder) {
    // The missing original's placeholder, transformed, is kept under the placeholder's own key: every
    // missing public ID with this chain shares it, and overwriting the placeholder drops it.
    placeholder = `Resource not found - ${found.url.publicId}`;
    Object.assign(found, { key: await placeholderKey(found, src.placeholder) });
    const shared = await cached(found, env, ctx);
    if (shared) return answer(shared.image, shared.source);
  }

  // The original itself, untouched: no decode, no re-encode.
  if (found.canonical === '' && src.output.format === src.header.format) {
    const res = imageResponse(src.bytes, contentType(src.header.format), src.original.httpEtag);
    // Edge-cached only under a version: an overwrite drops the derived copies (R2 and cache) by
    // listing them in R2, and the untouched original has no derived copy there to be found by.
    // A fetched original's new bytes drop only the copies under its derived prefix: it is never edge-cached itself.
    if (found.url.version !== undefined && !remote) ctx.waitUntil(cachePut(found.key, res.clone()));
    return answer(res, 'original');
  }

  const input = split ? await ai(found, src, split, request, env) : { ...src, chain: src.resolved };
  if (input instanceof Response) {
    ctx.waitUntil(cachePut(found.key, input.clone()));
    return answer(input, 'miss');
  }

  const plan = await planRender(input, env);
  const times = config(env).diagnostics ? clock.times() : undefined;
  let encoded = await render(plan, input, times);
  if (plan.output.keepMetadata) encoded = { ...encoded, bytes: withMetadataOf(input.bytes, encoded.bytes) };
  clock.restart();
  const image = found.getinfo ? await storeInfo(found, input, plan, encoded, env, ctx) : await store(found, plan, encoded, env, ctx);
  // The edge copy without this render's timings: a hit renders nothing.
  ctx.waitUntil(cachePut(found.key, image.clone()));
  if (times) {
    times.store = clock.since();
    times.total = clock.total();
    image.headers.set('Server-Timing', serverTiming(times));
  }
  ctx.waitUntil(countUsage(env, found.url.cloud, { derived: 1, transformations: 1 }));
  return answer(image, 'miss');
}

/** The URL, parsed and authorized, with everything its response depends on and the key it is stored under. */
interface Lookup {
  url: DeliveryUrl;
  /** The transformation, client hints resolved. */
  components: Component[];
  canonical: string;
  layerIds: string[];
  /** The copies of the fetch layers (`fetch:<URL>` ids) in R2, fresh, keyed by layer id. */
  fetchedLayers: Map<string, FetchedOriginal>;
  /** Their ETags, as a suffix of the derived key ('' without fetch layers). */
  layersKey: string;
  accept: string | null;
  vary: string[];
  immutable: boolean;
  /** fl_attachment's file name (the public ID's last part by default). */
  attachment?: string;
  /** fl_getinfo: JSON about the input and the output instead of the image. */
  getinfo: boolean;
  key: string;
  /** d_: the public ID of the placeholder served when the original is missing. */
  placeholder?: string;
  /** The f_auto variant of the key (`avif=true`, `webp=…`; '' without f_auto). */
  acceptKey: string;
  /** Strict transformations: a URL made only of named transformations allowed for strict. */
  allowedForStrict: boolean;
  /** Signed, or authorised by a URL token (which signs its exact path). */
  signed: boolean;
}

/** lookup: parse, signature, DPR and layer grammar (400s before any lookup), the cache key. */
async function lookup(request: Request, env: Env, ctx: WaitUntil): Promise<Lookup> {
  const { cloudName } = config(env);
  const url = parseDeliveryPath(new URL(request.url).pathname, cloudName);
  if (url.cloud !== cloudName) throw new CldError(404, `Unknown cloud_name ${url.cloud}`);
  const authorized = await authorize(url, env, request);

  const named = await expandNamed(env, url.cloud, url.components);
  const hints = resolveHints(named.components, request.headers);
  const components = hints.components;
  const canonical = formatTransformation(components);
  const layerIds = layerPublicIds(components); // the l_/u_ grammar checked (400) before any lookup
  authorizeFetchLayers(layerIds, env, authorized === 'signed');
  const fAuto = components.some((c) => c.f === 'auto');
  // f_auto's variants: AVIF, WebP, or JPEG/PNG (the spelling of the last two predates AVIF, so their keys did not change).
  const accepted = fAuto ? acceptedFormat(request.headers.get('Accept')) : null;
  const acceptKey = !fAuto ? '' : accepted === 'avif' ? 'avif=true' : `webp=${accepted === 'webp'}`;
  // Everything the response depends on besides the original itself (whose changes a new version busts).
  const publicId = url.remoteUrl !== undefined ? normaliseFetchUrl(url.remoteUrl) : url.publicId;
  const fetchedLayers = await ensureFetchedLayers(env, url.cloud, layerIds, ctx);
  // A remote layer's new bytes make a new derived image (its URL alone is in the canonical chain).
  const layerEtags = [...fetchedLayers.values()].map((f) => f.object.etag);
  const layersKey = layerEtags.length ? `|fetch-layers=${layerEtags.join(',')}` : '';
  const cacheKey = deliveryCacheKey(url.cloud, url.type, publicId, url.version, url.extension, canonical, acceptKey) + layersKey;
  // A fetched original's derived images live under the hash of its URL (store/fetched.ts drops them when its bytes change).
  const keyId = url.remoteUrl !== undefined ? await fetchedDerivedId(url.remoteUrl) : url.publicId;
  return {
    url,
    components,
    canonical,
    layerIds,
    fetchedLayers,
    layersKey,
    accept: request.headers.get('Accept'),
    vary: [...hints.vary, ...(fAuto ? ['Accept'] : [])],
    immutable: components.some((c) => c.fl?.includes('immutable_cache')),
    ...attachmentName(components, url),
    getinfo: components.some((c) => c.fl?.includes('getinfo')),
    key: await derivedKey(url.cloud, url.type, keyId, cacheKey),
    ...placeholderOf(components),
    acceptKey,
    allowedForStrict: named.allowedForStrict,
    signed: authorized === 'signed',
  };
}

/**
 * Fetch layers (`l_fetch:` / `u_fetch:`) follow fetch delivery's rules, before R2 is touched:
 * FETCH_SIGNED_ONLY wants the URL signed, and each remote URL passes the fetch policy (off, or a
 * host not allowed: 401; an unsafe URL: 400).
 */
function authorizeFetchLayers(layerIds: readonly string[], env: Env, signed: boolean): void {
  const urls = layerIds.map(remoteLayerUrl).filter((u) => u !== undefined);
  if (!urls.length) return;
  const { fetchPolicy, fetchSignedOnly } = config(env);
  if (fetchSignedOnly && !signed) throw new CldError(401, 'Signature required: this deployment allows fetch layers only in signed URLs (FETCH_SIGNED_ONLY)');
  for (const u of urls) assertRemoteUrl(u, fetchPolicy);
}

/** Each fetch layer's copy in R2, fetched or revalidated as a fetch original is (./fetched.ts). */
async function ensureFetchedLayers(env: Env, cloud: string, layerIds: readonly string[], ctx: WaitUntil): Promise<Map<string, FetchedOriginal>> {
  const remote = layerIds.flatMap((id) => {
    const u = remoteLayerUrl(id);
    return u === undefined ? [] : [[id, u] as const];
  });
  return new Map(await Promise.all(remote.map(async ([id, u]) => [id, await ensureFetched(env, cloud, u, ctx)] as const)));
}

/** The last d_ of the chain (a stored original's placeholder). */
function placeholderOf(components: readonly Component[]): { placeholder?: string } {
  let id: string | undefined;
  for (const c of components) if (c.d !== undefined) id = c.d;
  return id === undefined ? {} : { placeholder: id };
}

/** The derived key of a missing original's placeholder: the same chain and variant, on the placeholder. */
function placeholderKey(found: Lookup, placeholderId: string): Promise<string> {
  const { url } = found;
  return derivedKey(
    url.cloud,
    url.type,
    placeholderId,
    deliveryCacheKey(url.cloud, url.type, placeholderId, undefined, url.extension, found.canonical, found.acceptKey) + found.layersKey,
  );
}

/**
 * Strict transformations (STRICT_TRANSFORMATIONS), once no derived copy was found: an unsigned URL
 * may still have the untouched original or a chain of named transformations allowed for strict;
 * anything else would make a new derived image, which only a signature may ask for.
 */
function refuseIfStrict(found: Lookup, env: Env): void {
  if (!config(env).strictTransformations || found.signed) return;
  if (found.canonical === '' || found.allowedForStrict) return;
  throw new CldError(
    401,
    `Transformation ${formatTransformation(found.url.components)} is not allowed: strict transformations are on (sign the URL, create it eagerly, or use a named transformation allowed for strict)`,
  );
}

/** Everything a response depends on besides the original itself (whose changes a new version busts): hashed into its derived key. */
function deliveryCacheKey(
  cloud: string,
  type: string,
  publicId: string,
  version: number | undefined,
  extension: string | undefined,
  canonical: string,
  acceptKey: string,
): string {
  return [cloud, type, publicId, version ?? '', extension ?? '', canonical, acceptKey].join('|');
}

/**
 * The keys under which the untouched original of a stored asset may sit in the edge cache (it is
 * cached only under a version, with its own format's extension or none), for a destroy or a
 * rename to drop them: they have no derived copy in R2 to be found by.
 */
export async function untouchedOriginalKeys(cloud: string, type: string, publicId: string, version: number, format: string): Promise<string[]> {
  return Promise.all([format, undefined].map((ext) => derivedKey(cloud, type, publicId, deliveryCacheKey(cloud, type, publicId, version, ext, '', ''))));
}

/** lookup, continued: the edge cache, then the derived copy in R2 (which then fills the edge cache). */
async function cached(found: Lookup, env: Env, ctx: WaitUntil): Promise<{ image: Response; source: CacheStatus } | null> {
  const edge = await cacheMatch(found.key);
  if (edge) return { image: edge, source: 'hit-edge' };
  const stored = await getDerived(images(env), found.key);
  if (!stored) return null;
  const image = imageResponse(
    await stored.arrayBuffer(),
    stored.httpMetadata?.contentType ?? 'application/octet-stream',
    stored.httpEtag,
    encodingHeaders(stored.customMetadata),
  );
  ctx.waitUntil(cachePut(found.key, image.clone()));
  return { image, source: 'hit-r2' };
}

/** The image a plan starts from, its layers' originals, the chain resolved against it, and the output it is encoded to. */
interface Source {
  original: R2Object;
  bytes: Uint8Array;
  header: ImageHeader;
  layers?: LayerSources;
  /** Variables, expressions and conditions evaluated against the header: the chain as plain components. */
  resolved: readonly Component[];
  output: OutputSpec;
  /** The original is missing and d_ named this placeholder, whose original this is. */
  placeholder?: string;
}

/** source: the original (an upload still being transformed is a 420, none a 404; a fetch URL's from ensureFetched) and the output format it allows. */
async function source(found: Lookup, env: Env, clock: Clock, remote: FetchedOriginal | undefined): Promise<Source> {
  const { url, components } = found;
  let original: R2Object;
  let bytes: Uint8Array;
  let placeholder: string | undefined;
  if (remote) {
    original = remote.object;
    bytes = await fetchedBytes(env, remote, url.publicId);
  } else {
    let stored = await getOriginal(images(env), url.cloud, url.type, url.publicId);
    if (!stored) {
      await throwIfIncoming(env, url.cloud, url.type, url.publicId);
      if (found.placeholder !== undefined) stored = await getOriginal(images(env), url.cloud, url.type, found.placeholder);
      if (!stored) throw new CldError(404, `Resource not found - ${url.publicId}`);
      placeholder = found.placeholder;
    }
    original = stored;
    bytes = new Uint8Array(await stored.arrayBuffer());
  }
  clock.mark('source'); // the R2 read only
  const header = readHeader(bytes);
  const layers = found.layerIds.length ? await loadLayers(env, url.cloud, found.layerIds, found.fetchedLayers) : undefined;
  const resolved = resolveProgram(components, header, layers);
  const output = chooseOutput({
    components: resolved,
    extension: url.extension,
    originalFormat: header.format,
    // AI effects run as jobs, not as steps: the chain around them says whether alpha may appear.
    mayBeTransparent: () => mayBeTransparent({ components: resolved.filter((c) => !isAiEffect(c.e)), header, layers }),
    accept: found.accept,
    animatedOriginal: header.animated && (header.format === 'gif' || header.format === 'webp'),
  });
  return { original, bytes, header, layers, resolved, output, ...(placeholder ? { placeholder } : {}) };
}

/** What the plan runs on: the source (or the AI result) and the components still to apply. */
interface Input extends Source {
  chain: readonly Component[];
  alpha?: Awaited<ReturnType<typeof alphaFromSource>>;
}

/**
 * ai: the job's result (a 423 while it runs) becomes the source of the rest of the chain. A plain
 * upscale to JPEG of an opaque image is the result itself, streamed from R2 as the job wrote it
 * (up to 8192x8192, never decoded here): returned as the response.
 */
async function ai(found: Lookup, src: Source, split: AiSplit, request: Request, env: Env): Promise<Input | Response> {
  const result = await awaitJob(env, await aiJobSpec(found.url, split, src.original, src.header), waitBudget(request));
  let alpha: Input['alpha'];
  if (src.header.hasAlpha) alpha = await alphaFromSource(src.bytes, src.header, split);
  else if (split.post.length === 0 && src.output.format === 'jpg')
    return new Response(result.body, { headers: { 'Content-Type': 'image/jpeg', 'Content-Length': String(result.size), ETag: result.httpEtag } });
  const bytes = new Uint8Array(await result.arrayBuffer());
  return { ...src, bytes, header: readHeader(bytes), chain: split.post, alpha };
}

/** plan: the chain, its layers (sized before anything is decoded) and the output, as steps within the limits. */
async function planRender(input: Input, env: Env): Promise<Plan> {
  const layers = input.layers;
  return buildPlan({
    components: input.chain,
    header: input.header,
    inputBytes: input.bytes.byteLength,
    output: input.output,
    extraBytes: input.alpha?.bytes,
    layers,
    premium: config(env).premiumDownscaling,
  });
}

/** render: the plan, once the isolate's ledger has room for it (a 503 when it stays full). */
function render(plan: Plan, input: Input, times: StepTimes | undefined): ReturnType<typeof renderAndEncode> {
  return withReservation(plan, () => renderAndEncode(input.bytes, input.header, plan, input.alpha?.afterDecode, times), input.bytes.byteLength);
}

/**
 * store: the response, and the derived copy to R2 after it, like a CDN fills its cache. Its ETag is
 * R2's (the MD5 of the bytes), computed here so that a later hit answers the same.
 */
async function store(found: Lookup, plan: Plan, encoded: { bytes: Uint8Array; quality?: number }, env: Env, ctx: WaitUntil): Promise<Response> {
  const type = contentType(plan.output.format);
  const about: Record<string, string> = {};
  if (encoded.quality !== undefined) about.quality = String(encoded.quality);
  if (plan.formatFallback) about.formatFallback = plan.formatFallback;
  if (plan.animation) about.animation = plan.animation;
  const etag = `"${await md5Hex(encoded.bytes)}"`;
  ctx.waitUntil(putDerived(images(env), found.key, encoded.bytes, type, found.canonical, { width: String(plan.width), height: String(plan.height), ...about }));
  return imageResponse(encoded.bytes, type, etag, encodingHeaders(about));
}

/**
 * fl_getinfo: Cloudinary's JSON of the input and the transformed output (the output rendered, so
 * its size is the real one, e_trim's included, and its bytes are counted), stored like an image.
 */
async function storeInfo(found: Lookup, input: Input, plan: Plan, encoded: { bytes: Uint8Array }, env: Env, ctx: WaitUntil): Promise<Response> {
  const out = readHeader(encoded.bytes);
  const info = {
    input: { width: input.header.width, height: input.header.height, bytes: input.bytes.byteLength, format: input.header.format },
    output: { width: out.width, height: out.height, bytes: encoded.bytes.byteLength, format: plan.output.format },
  };
  const bytes = new TextEncoder().encode(JSON.stringify(info));
  const type = 'application/json';
  const etag = `"${await md5Hex(bytes)}"`;
  ctx.waitUntil(putDerived(images(env), found.key, bytes, type, found.canonical, { width: String(out.width), height: String(out.height) }));
  return imageResponse(bytes, type, etag);
}

/** fl_attachment[:name]: the name given, else the last part of the public ID without its extension. */
function attachmentName(components: readonly Component[], url: DeliveryUrl): { attachment?: string } {
  const found = attachmentOf(components);
  if (!found) return {};
  const last = (url.remoteUrl ?? url.publicId).split(/[/?#]/).filter(Boolean).pop() ?? 'image';
  return { attachment: found.name ?? (url.remoteUrl !== undefined ? last.replace(/\.[^.]*$/, '') : last) };
}

/**
 * `authenticated`: every URL must be signed or carry a valid token (`__cld_token__`, a query
 * parameter or a cookie: url/auth-token.ts). `private`: the original needs a signature, derived
 * versions do not. Any signature present must be valid. Says how the URL was authorised.
 */
async function authorize(url: DeliveryUrl, env: Env, request: Request): Promise<'signed' | 'token' | 'open'> {
  if (url.signature !== undefined) {
    if (
      !(await verifyDeliverySignature(
        url.toSign,
        url.signature,
        config(env).apiKeys.map((k) => k.secret),
      ))
    )
      throw new CldError(401, `Invalid signature: it does not match the transformation and ${url.type === 'fetch' ? 'remote URL' : 'public ID'}`);
  } else if (url.type === 'fetch' && config(env).fetchSignedOnly) {
    throw new CldError(401, 'Signature required: this deployment delivers only signed fetch URLs (FETCH_SIGNED_ONLY)');
  }
  // Fetch off, a host not allowed: 401 (Cloudinary's restricted fetch); an unsafe URL: 400. Before R2 is touched.
  if (url.remoteUrl !== undefined) assertRemoteUrl(url.remoteUrl, config(env).fetchPolicy);
  if (url.signature !== undefined) return 'signed';
  if (url.type === 'authenticated') {
    const token = requestToken(new URL(request.url).search, request.headers.get('Cookie'));
    if (token === undefined) throw new CldError(401, 'Signature required: authenticated resources need a signed URL or a token');
    return (await verifyToken(token, url, env, request)) === 'url' ? 'signed' : 'token';
  }
  if (url.type === 'private' && url.components.length === 0)
    throw new CldError(401, 'Signature required: the original of a private resource needs a signed URL');
  return 'open';
}

async function verifyToken(token: string, url: DeliveryUrl, env: Env, request: Request): Promise<'url' | 'acl'> {
  const key = config(env).authTokenKey;
  if (!key) throw new CldError(401, 'Token authentication is not configured (AUTH_TOKEN_KEY): authenticated resources need a signed URL');
  const path = new URL(request.url).pathname;
  // An ACL may be written for the private-CDN form (`/image/authenticated/*`) or with the cloud.
  const cloudPrefix = `/${url.cloud}/image/`;
  const aclPaths = path.startsWith(cloudPrefix) ? [path, path.slice(url.cloud.length + 1)] : [path, `/${url.cloud}${path}`];
  const result = await verifyAuthToken(token, key, { path, aclPaths, now: Math.floor(Date.now() / 1000), ip: request.headers.get('CF-Connecting-IP') });
  if (!result.ok) throw new CldError(401, `Invalid token: ${result.reason}`);
  return result.kind;
}

async function md5Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('MD5', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

function imageResponse(body: ArrayBuffer | Uint8Array, type: string, etag: string, extra: Record<string, string> = {}): Response {
  return new Response(body, {
    headers: { 'Content-Type': type, 'Content-Length': String(body.byteLength), ETag: etag, ...extra },
  });
}

/**
 * How a derived image was encoded, kept in its R2 metadata so every hit answers the same:
 * X-Dprox-Quality (the encoder quality; q_auto's choice), X-Dprox-Format-Fallback (AVIF too
 * large, delivered as WebP) and X-Dprox-Animation (`N frames`, or why only the first frame was served).
 */
function encodingHeaders(meta: Record<string, string> | undefined): Record<string, string> {
  const h: Record<string, string> = {};
  if (meta?.quality) h['X-Dprox-Quality'] = meta.quality;
  if (meta?.formatFallback) h['X-Dprox-Format-Fallback'] = meta.formatFallback;
  if (meta?.animation) h['X-Dprox-Animation'] = meta.animation;
  return h;
}

/**
 * The stages' durations for Server-Timing (DIAGNOSTICS): parse, lookup and source as the steps
 * end, the render's own steps (renderAndEncode fills them in), then store and total.
 */
class Clock {
  private readonly start = performance.now();
  private last = this.start;
  private readonly marks: Record<string, number> = {};

  mark(stage: 'parse' | 'lookup' | 'source'): void {
    const now = performance.now();
    this.marks[stage] = now - this.last;
    this.last = now;
  }

  times(): Record<string, number> {
    return { ...this.marks };
  }

  restart(): void {
    this.last = performance.now();
  }

  since(): number {
    return performance.now() - this.last;
  }

  total(): number {
    return performance.now() - this.start;
  }
}

function serverTiming(times: Record<string, number>): string {
  return Object.entries(times)
    .map(([op, ms]) => `${op};dur=${ms.toFixed(1)}`)
    .join(', ');
}
