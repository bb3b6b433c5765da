/** Response headers shared by delivery and errors. */
import { CldError } from '../url/errors';
import { ImageError } from '../pixels/errors';

export { DERIVED_CACHE_CONTROL } from '../store/edge-cache';
/** Short cache for errors (Cloudinary starts at 1 minute). */
export const ERROR_CACHE_CONTROL = 'public, max-age=60';
export const ACCEPT_CH = 'Sec-CH-DPR, Sec-CH-Width, Sec-CH-Viewport-Width';

/**
 * A message as a header value (a ByteString): printable ASCII kept, everything else as the
 * percent-encoded UTF-8 of its code point. Matching whole code points keeps surrogate pairs
 * together (encodeURIComponent throws on half of one); a lone surrogate becomes U+FFFD.
 */
export function headerSafe(message: string, max = 1024): string {
  let out = '';
  for (const ch of String(message)) {
    const cp = ch.codePointAt(0) ?? 0;
    const piece = cp >= 0x20 && cp <= 0x7e ? ch : cp >= 0xd800 && cp <= 0xdfff ? '%EF%BF%BD' : encodeURIComponent(ch);
    if (out.length + piece.length > max) break; // whole characters only
    out += piece;
  }
  return out;
}

export function errorResponse(status: number, message: string): Response {
  const safe = headerSafe(message);
  return new Response(`${status} ${safe}\n`, {
    status,
    headers: {
      'X-Cld-Error': safe,
      'Cache-Control': ERROR_CACHE_CONTROL,
      'Content-Type': 'text/plain; charset=utf-8',
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Expose-Headers': 'X-Cld-Error',
    },
  });
}

/** Maps anything thrown while serving to a response: client mistakes are 4xx with the reason, bugs are 500. */
export function toErrorResponse(err: unknown): Response {
  if (err instanceof CldError || err instanceof ImageError) {
    const res = errorResponse(err.status, err.message);
    if (err instanceof CldError && err.headers) for (const [name, value] of Object.entries(err.headers)) res.headers.set(name, value);
    return res;
  }
  console.error('dprox internal error', err);
  return errorResponse(500, 'Internal error');
}
