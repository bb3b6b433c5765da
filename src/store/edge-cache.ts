/** The Cache API in front of R2: keyed by a synthetic URL of the derived key (src/store/derived.ts), so hints and Accept are part of it. */

/** Long cache for derived images (30 days, as Cloudinary's CDN): their responses and the cache's copies. */
export const DERIVED_CACHE_CONTROL = 'public, max-age=2592000';

const CACHE_ORIGIN = 'https://dprox-cache.internal/';

/**
 * By the derived key's last segment, the SHA-256 of everything the image depends on: the rest
 * holds the public ID, whose `#` or `?` would turn part of it into a fragment or a query (and
 * `a#1`, `a#2` into one entry).
 */
function cacheRequest(key: string): Request {
  return new Request(CACHE_ORIGIN + key.slice(key.lastIndexOf('/') + 1));
}

export async function cacheMatch(key: string): Promise<Response | undefined> {
  return caches.default.match(cacheRequest(key));
}

/**
 * Stores a delivered image (only a 200: never an error or a pending job's answer). The Cache API
 * keeps only what the response's own Cache-Control allows, and the bare image response has none,
 * so it is given the derived images' one. Runs in waitUntil: a failure is logged, never thrown.
 */
export async function cachePut(key: string, response: Response): Promise<void> {
  try {
    if (response.status !== 200) {
      await response.body?.cancel();
      return;
    }
    const headers = new Headers(response.headers);
    headers.set('Cache-Control', DERIVED_CACHE_CONTROL);
    headers.delete('Set-Cookie');
    await caches.default.put(cacheRequest(key), new Response(response.body, { status: 200, headers }));
  } catch (e) {
    console.error('dprox: edge cache put failed', key, e);
  }
}

/** Drops one derived image from this location's cache (after its original was overwritten). */
export async function cacheDelete(key: string): Promise<void> {
  try {
    await caches.default.delete(cacheRequest(key));
  } catch (e) {
    console.error('dprox: edge cache delete failed', key, e);
  }
}
