/**
 * GET/HEAD delivery: URL → (Cache API | R2 derived | original → plan → pixels) → image.
 */
import { readHeader } from '../codecs/header';
import { renderAndEncode, type StepTimes } from '../pixels/run';
import { resolveHints, validateDpr } from '../plan/hints';
import { acceptedFormat, chooseOutput, contentType } from '../plan/output';
import { layerPublicIds } from '../plan/layers';
import { hasProgram } from '../plan/evaluate';
import { buildPlan, resolveProgram } from '../plan/plan';
import { componentMayAddAlpha } from '../plan/transparency';
import { withReservation } from '../plan/ledger';
import { cacheMatch, cachePut } from '../store/edge-cache';
import { derivedKey, putDerived } from '../store/derived';
import { getOriginal } from '../store/originals';
import { formatTransformation } from '../url/component';
import { parseDeliveryPath, type DeliveryUrl } from '../url/delivery-url';
import { CldError } from '../url/errors';
import { verifyDeliverySignature } from '../url/signature';
import { countUsage } from '../jobs/usage';
import { pendingIncoming } from './incoming';
import { loadLayers } from './layer-sources';
import { aiJobSpec, alphaFromSource, authorizeAi, awaitJob, splitAtAiEffect, waitBudget } from './ai';
import { ACCEPT_CH, DERIVED_CACHE_CONTROL } from './responses';

export async function deliver(request: Request, env: Env, ctx: Pick<ExecutionContext, 'waitUntil'>): Promise<Response> {
  const tStart = performance.now();
  const url = parseDeliveryPath(new URL(request.url).pathname, env.CLOUD_NAME);
  if (url.cloud !== env.CLOUD_NAME) throw new CldError(404, `Unknown cloud_name ${url.cloud}`);
  await authorize(url, env);
  validateDpr(url.components);

  const hints = resolveHints(url.components, request.headers);
  const components = hints.components;
  const canonical = formatTransformation(components);
  const layerIds = layerPublicIds(components); // the l_/u_ grammar checked (400) before any lookup
  const fAuto = components.some((c) => c.f === 'auto');
  // f_auto's variants: AVIF, WebP, or JPEG/PNG (the spelling of the last two predates AVIF, so their keys did not change).
  const accepted = fAuto ? acceptedFormat(request.headers.get('Accept')) : null;
  const acceptKey = !fAuto ? '' : accepted === 'avif' ? 'avif=true' : `webp=${accepted === 'webp'}`;
  const vary = [...hints.vary, ...(fAuto ? ['Accept'] : [])];
  // Everything the response depends on besides the original itself (whose changes a new version busts).
  const cacheKey = [url.cloud, url.type, url.publicId, url.version ?? '', url.extension ?? '', canonical, acceptKey].join('|');
  const key = await derivedKey(url.cloud, url.type, url.publicId, cacheKey);
  const immutable = components.some((c) => c.fl?.includes('immutable_cache'));
  const finish = (res: Response, source: CacheStatus) => withDeliveryHeaders(res, request, vary, immutable, source);

  const tLookup = performance.now();
  const cached = await cacheMatch(key);
  if (cached) return finish(cached, 'hit-edge');

  const stored = await env.IMAGES.get(key);
  if (stored) {
    const res = imageResponse(
      await stored.arrayBuffer(),
      stored.httpMetadata?.contentType ?? 'application/octet-stream',
      stored.httpEtag,
      encodingHeaders(stored.customMetadata),
    );
    ctx.waitUntil(cachePut(key, res.clone()));
    return finish(res, 'hit-r2');
  }

  const split = splitAtAiEffect(components);
  if (split && layerIds.length) throw new CldError(400, 'Layers and AI effects cannot be combined in one URL: deliver the AI result, then layer it');
  if (split && components.some(hasProgram))
    throw new CldError(400, 'Variables and conditions cannot be combined with AI effects in one URL: deliver the AI result, then transform it');
  if (split) authorizeAi(url, env, split);
  const lookupMs = performance.now() - tLookup;
  const tFetch = performance.now();
  const original = await getOriginal(env.IMAGES, url.cloud, url.type, url.publicId);
  if (!original) {
    const pending = await pendingIncoming(env, url.cloud, url.type, url.publicId);
    if (pending) return pending;
    throw new CldError(404, `Resource not found - ${url.publicId}`);
  }
  let bytes = new Uint8Array(await original.arrayBuffer());
  const fetchMs = performance.now() - tFetch;
  let header = readHeader(bytes);
  const layers = layerIds.length ? await loadLayers(env.IMAGES, url.cloud, layerIds) : undefined;
  // Variables, expressions and conditions resolved against the header: the chain as plain components.
  const resolved = resolveProgram(components, header, layers);
  const output = chooseOutput({
    components: resolved,
    extension: url.extension,
    originalFormat: header.format,
    mayBeTransparent: header.hasAlpha || resolved.some(componentMayAddAlpha),
    accept: request.headers.get('Accept'),
  });

  // The original itself, untouched: no decode, no re-encode.
  if (canonical === '' && output.format === header.format) {
    const res = imageResponse(bytes, contentType(header.format), original.httpEtag);
    // Edge-cached only under a version: an overwrite drops the derived copies (R2 and cache) by
    // listing them in R2, and the untouched original has no derived copy there to be found by.
    if (url.version !== undefined) ctx.waitUntil(cachePut(key, res.clone()));
    return finish(res, 'original');
  }

  // An AI effect: its job's result (or a 423) becomes the source of the rest of the chain.
  let chain = resolved;
  let alpha: Awaited<ReturnType<typeof alphaFromSource>> | undefined;
  if (split) {
    const result = await awaitJob(env, await aiJobSpec(url, split, original, header), waitBudget(request));
    if (result instanceof Response) return result;
    if (header.hasAlpha) alpha = await alphaFromSource(bytes, header, split);
    else if (split.post.length === 0 && output.format === 'jpg') {
      // Up to 8192x8192: streamed from R2 as the job wrote it, never decoded here.
      const res = new Response(result.body, { headers: { 'Content-Type': 'image/jpeg', 'Content-Length': String(result.size), ETag: result.httpEtag } });
      ctx.waitUntil(cachePut(key, res.clone()));
      return finish(res, 'miss');
    }
    bytes = new Uint8Array(await result.arrayBuffer());
    header = readHeader(bytes);
    chain = split.post;
  }
  const plan = buildPlan({
    components: chain,
    header,
    inputBytes: bytes.byteLength,
    output,
    extraBytes: alpha?.bytes,
    layers,
    premium: env.PREMIUM_DOWNSCALING === 'true',
  });
  const times: Record<string, number> | undefined = env.DIAGNOSTICS === 'true' ? { parse: tLookup - tStart, lookup: lookupMs, source: fetchMs } : undefined;
  const encoded = await withReservation(plan, () => renderAndEncode(bytes, header, plan, alpha?.afterDecode, times as StepTimes), bytes.byteLength);
  const type = contentType(plan.output.format);
  const about: Record<string, string> = {};
  if (encoded.quality !== undefined) about.quality = String(encoded.quality);
  if (plan.formatFallback) about.formatFallback = plan.formatFallback;
  const tStore = performance.now();
  // The derived copy is stored after the response, like a CDN fills its cache; its ETag is R2's
  // (the MD5 of the bytes), computed here so that a later hit answers the same.
  const etag = `"${await md5Hex(encoded.bytes)}"`;
  ctx.waitUntil(putDerived(env.IMAGES, key, encoded.bytes, type, canonical, { width: String(plan.width), height: String(plan.height), ...about }));
  const res = imageResponse(encoded.bytes, type, etag, encodingHeaders(about));
  if (times) times.store = performance.now() - tStore;
  if (times) times.total = performance.now() - tStart;
  if (times)
    res.headers.set(
      'Server-Timing',
      Object.entries(times)
        .map(([op, ms]) => `${op};dur=${ms.toFixed(1)}`)
        .join(', '),
    );
  ctx.waitUntil(cachePut(key, res.clone()));
  ctx.waitUntil(countUsage(env, url.cloud, { derived: 1, transformations: 1 }));
  return finish(res, 'miss');
}

/**
 * `authenticated`: every URL must be signed. `private`: the original needs a signature, derived
 * versions do not. Any signature present must be valid.
 */
async function authorize(url: DeliveryUrl, env: Env): Promise<void> {
  if (url.signature !== undefined) {
    if (!(await verifyDeliverySignature(url.toSign, url.signature, env.API_SECRET)))
      throw new CldError(401, 'Invalid signature: it does not match the transformation and public ID');
    return;
  }
  if (url.type === 'authenticated') throw new CldError(401, 'Signature required: authenticated resources need a signed URL');
  if (url.type === 'private' && url.components.length === 0)
    throw new CldError(401, 'Signature required: the original of a private resource needs a signed URL');
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
 * X-Dprox-Quality (the encoder quality; q_auto's choice) and X-Dprox-Format-Fallback (AVIF too
 * large, delivered as WebP).
 */
function encodingHeaders(meta: Record<string, string> | undefined): Record<string, string> {
  const h: Record<string, string> = {};
  if (meta?.quality) h['X-Dprox-Quality'] = meta.quality;
  if (meta?.formatFallback) h['X-Dprox-Format-Fallback'] = meta.formatFallback;
  return h;
}

/** Where the bytes came from: the edge cache, the derived copy in R2, the stored original, or a fresh transformation. */
type CacheStatus = 'hit-edge' | 'hit-r2' | 'original' | 'miss';

function withDeliveryHeaders(res: Response, request: Request, vary: string[], immutable: boolean, source: CacheStatus): Response {
  const headers = new Headers(res.headers);
  headers.set('X-Dprox-Cache', source);
  headers.set('Cache-Control', immutable ? `${DERIVED_CACHE_CONTROL}, immutable` : DERIVED_CACHE_CONTROL);
  headers.set('Accept-CH', ACCEPT_CH);
  headers.set('Access-Control-Allow-Origin', '*');
  if (vary.length) headers.set('Vary', vary.join(', '));
  else headers.delete('Vary');
  const etag = headers.get('ETag');
  if (etag && ifNoneMatch(request.headers.get('If-None-Match'), etag)) {
    headers.delete('Content-Length');
    headers.delete('Content-Type');
    return new Response(null, { status: 304, headers });
  }
  return new Response(request.method === 'HEAD' ? null : res.body, { status: 200, headers });
}

function ifNoneMatch(header: string | null, etag: string): boolean {
  if (!header) return false;
  const bare = (t: string) => t.trim().replace(/^W\//, '');
  return header.trim() === '*' || header.split(',').some((t) => bare(t) === bare(etag));
}
