/** The Cache API in front of R2: keyed by a synthetic URL of the derived key, so hints and Accept are part of it. */
const CACHE_ORIGIN = 'https://dprox-cache.internal/';

function cacheRequest(key: string): Request {
  return new Request(CACHE_ORIGIN + key);
}

export async function cacheMatch(key: string): Promise<Response | undefined> {
  return caches.default.match(cacheRequest(key));
}

export async function cachePut(key: string, response: Response): Promise<void> {
  await caches.default.put(cacheRequest(key), response);
}
