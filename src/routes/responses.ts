/** Response headers shared by delivery and errors. */
import { CldError } from '../url/errors';
import { ImageError } from '../pixels/errors';

/** Long cache for derived images (30 days, as Cloudinary's CDN), short for errors (Cloudinary starts at 1 minute). */
export const DERIVED_CACHE_CONTROL = 'public, max-age=2592000';
export const ERROR_CACHE_CONTROL = 'public, max-age=60';
export const ACCEPT_CH = 'Sec-CH-DPR, Sec-CH-Width, Sec-CH-Viewport-Width';

export function errorResponse(status: number, message: string): Response {
  // Header values must be ByteStrings: non-Latin-1 characters (from user input) are escaped.
  const safe = message.replace(/[^\x20-\x7e]/g, (ch) => encodeURIComponent(ch)).slice(0, 1024);
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
  if (err instanceof CldError || err instanceof ImageError) return errorResponse(err.status, err.message);
  console.error('dprox internal error', err);
  return errorResponse(500, 'Internal error');
}
