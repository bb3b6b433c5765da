/**
 * @module The original of a fetch URL (issue #14): the copy in R2 while it is fresh (FETCH_TTL),
 * else the origin asked again with the copy's validators (If-None-Match / If-Modified-Since):
 * a 304 keeps the bytes (their metadata is rewritten), new bytes replace them and drop the derived
 * images made from the old ones, and an origin error while a copy exists serves that copy
 * (stale-if-error, logged; the response is then cached briefly). No copy: the origin is fetched
 * and the bytes stored. The URL has passed the policy already (delivery.ts authorize); fetchRemote
 * checks it again, and every redirect target.
 */
import { config } from '../config';
import { CldError, HttpError } from '../errors';
import { fetchRemote, fromCustomMetadata, fetchedMeta, isFresh, refreshed, revalidationOf } from '../remote';
import { images } from '../store/bucket';
import { deleteFetchedDerived, headFetched, putFetched, readFetched, refreshFetched } from '../store/fetched';

export interface FetchedOriginal {
  /** The stored copy (its etag is the delivered original's). */
  object: R2Object;
  /** Its bytes when they were just fetched; else read with bytes(). */
  fresh?: Uint8Array;
  /** The origin failed and a stale copy is served. */
  stale: boolean;
}

/** Makes sure R2 holds a usable copy of `url` (see the module comment), before any derived image is looked up. */
export async function ensureFetched(env: Env, cloud: string, url: string, ctx: Pick<ExecutionContext, 'waitUntil'>): Promise<FetchedOriginal> {
  const { fetchPolicy, fetchTtl } = config(env);
  const bucket = images(env);
  const now = Date.now();
  const head = await headFetched(bucket, cloud, url);
  const meta = head ? fromCustomMetadata(head.customMetadata) : undefined;
  if (head && meta && isFresh(meta, now, fetchTtl)) return { object: head, stale: false };

  let result: Awaited<ReturnType<typeof fetchRemote>>;
  try {
    result = await fetchRemote(url, fetchPolicy, {}, meta ? revalidationOf(meta) : {});
  } catch (e) {
    if (head && meta && e instanceof HttpError) {
      console.warn('dprox: fetch origin failed, serving the stale copy', url, e.status, e.message);
      return { object: head, stale: true };
    }
    throw e;
  }
  if (result.notModified) {
    // fetchRemote answers 304 only to a conditional request: there is a copy.
    const stored = head as R2Object;
    const next = refreshed(meta as NonNullable<typeof meta>, result, now, fetchTtl);
    ctx.waitUntil(refreshFetched(bucket, stored, next).catch((e) => console.error('dprox: fetched refresh failed', url, e)));
    return { object: stored, stale: false };
  }
  const object = await putFetched(bucket, cloud, url, result.bytes, result.contentType, fetchedMeta(url, result, now, fetchTtl));
  // R2's etag of a single put is the MD5 of the bytes: the same bytes again keep their derived images.
  if (head && head.etag !== object.etag) await deleteFetchedDerived(bucket, cloud, url);
  return { object, fresh: result.bytes, stale: false };
}

/** The bytes of a fetched original as ensureFetched left it. */
export async function fetchedBytes(env: Env, fetched: FetchedOriginal, url: string): Promise<Uint8Array> {
  if (fetched.fresh) return fetched.fresh;
  const bytes = await readFetched(images(env), fetched.object);
  if (!bytes) throw new CldError(503, `The fetched copy of ${url} changed while it was read: try again`, { 'Retry-After': '1' });
  return bytes;
}
