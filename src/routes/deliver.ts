/**
 * GET/HEAD delivery: the request → the delivery pipeline (src/delivery/delivery.ts) → the image
 * with its delivery headers, or a 304 for a matching If-None-Match.
 */
import { type Delivered, deliver as deliverImage } from '../delivery/delivery';
import { ERROR_CACHE_CONTROL } from '../errors';
import { ACCEPT_CH, DERIVED_CACHE_CONTROL } from './responses';

export async function deliver(request: Request, env: Env, ctx: Pick<ExecutionContext, 'waitUntil'>): Promise<Response> {
  const delivered = await deliverImage(request, env, ctx);
  const res = withDeliveryHeaders(delivered, request);
  if (delivered.attachment !== undefined)
    res.headers.set('Content-Disposition', contentDisposition(delivered.attachment, delivered.image.headers.get('Content-Type')));
  return res;
}

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/avif': 'avif',
  'image/gif': 'gif',
  'application/json': 'json',
};

/** `attachment; filename="<name>.<ext>"`, the extension the delivered format's (f_auto decides it); RFC 6266 filename* for other than ASCII. */
function contentDisposition(name: string, type: string | null): string {
  const ext = EXTENSIONS[type ?? ''];
  const file = ext ? `${name}.${ext}` : name;
  const ascii = file.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return ascii === file ? `attachment; filename="${file}"` : `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file)}`;
}

/** A placeholder (d_) stands in for a missing original only until it is uploaded: browsers keep it a minute, shared caches not at all (Cloudinary's short `private` caching). */
const PLACEHOLDER_CACHE_CONTROL = 'private, max-age=60';

function withDeliveryHeaders({ image: res, source, vary, immutable, stale, placeholder }: Delivered, request: Request): Response {
  const headers = new Headers(res.headers);
  headers.set('X-Dprox-Cache', source);
  // A fetch URL served from its stale copy (the origin failed): briefly, so that the next try asks the origin again.
  headers.set(
    'Cache-Control',
    placeholder ? PLACEHOLDER_CACHE_CONTROL : stale ? ERROR_CACHE_CONTROL : immutable ? `${DERIVED_CACHE_CONTROL}, immutable` : DERIVED_CACHE_CONTROL,
  );
  if (placeholder) headers.set('X-Cld-Error', placeholder);
  if (stale) headers.set('X-Dprox-Fetch', 'stale');
  headers.set('Accept-CH', ACCEPT_CH);
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
