/**
 * @module The one error type of dprox and the one mapping from anything thrown to a response.
 *
 * `HttpError(status, publicMessage, { cause, headers })` is what a client is told: the status, the
 * message (in X-Cld-Error and the body) and any headers the answer needs besides the defaults (a
 * 503's Retry-After, a pending job's link). Its subclasses keep the names the rest of the code
 * throws: `CldError` (request and API errors, src/url/errors.ts re-exports it), `ParamError` (a
 * transformation parameter that does not match its grammar) and `ImageError` (the image itself is
 * corrupt, unsupported or too large; src/pixels/errors.ts re-exports it). Anything else thrown
 * while serving is a bug: `errorResponse` logs it and answers 500 without its message.
 */

/** The statuses dprox answers with an error (420 and 423: an asset or a derived image being generated; 502 and 504: a remote origin failed or timed out). */
export type HttpStatus = 400 | 401 | 403 | 404 | 405 | 409 | 413 | 414 | 415 | 420 | 423 | 429 | 500 | 502 | 503 | 504;

/** Errors are cached briefly (Cloudinary starts at 1 minute); derived images for 30 days (store/edge-cache.ts). */
export const ERROR_CACHE_CONTROL = 'public, max-age=60';

export interface HttpErrorOptions {
  /** What went wrong underneath (kept for logs, never sent). */
  cause?: unknown;
  /** Headers the error response carries besides the defaults; they replace a default of the same name. */
  headers?: Readonly<Record<string, string>>;
}

/** An error whose status and message are for the client. */
export class HttpError extends Error {
  readonly headers?: Readonly<Record<string, string>>;

  constructor(
    readonly status: HttpStatus,
    publicMessage: string,
    options: HttpErrorOptions = {},
  ) {
    super(publicMessage, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HttpError';
    if (options.headers) this.headers = options.headers;
  }
}

/** A request or API error: the message goes to X-Cld-Error, the status to the response. */
export class CldError extends HttpError {
  constructor(status: HttpStatus, message: string, headers?: Readonly<Record<string, string>>) {
    super(status, message, { headers });
    this.name = 'CldError';
  }
}

/** A parameter whose value does not match its grammar; names the parameter, the value and what was expected. */
export class ParamError extends CldError {
  constructor(name: string, value: string, expected: string) {
    super(400, `Invalid ${name} in transformation: ${value} (expected ${expected})`);
  }
}

/** A problem with the image itself (corrupt, unsupported, too large): answered 400 with the message in X-Cld-Error. */
export class ImageError extends HttpError {
  declare readonly status: 400 | 413 | 415;

  constructor(message: string, status: 400 | 413 | 415 = 400) {
    super(status, message);
    this.name = 'ImageError';
  }
}

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

/** The status and message a client is told about `err`: an HttpError's own, else 500 "Internal error". */
export function publicError(err: unknown): { status: HttpStatus; message: string } {
  return err instanceof HttpError ? { status: err.status, message: err.message } : { status: 500, message: 'Internal error' };
}

/**
 * The response for anything thrown while serving (or for a status and message): client mistakes
 * are 4xx with the reason in X-Cld-Error and the body, bugs are logged and answered 500. Errors
 * are cached briefly (ERROR_CACHE_CONTROL) unless their own headers say otherwise.
 */
export function errorResponse(err: unknown): Response;
export function errorResponse(status: HttpStatus, message: string): Response;
export function errorResponse(errOrStatus: unknown, message?: string): Response {
  const err = typeof errOrStatus === 'number' && message !== undefined ? new HttpError(errOrStatus as HttpStatus, message) : errOrStatus;
  if (!(err instanceof HttpError)) console.error('dprox internal error', err);
  const { status, message: text } = publicError(err);
  const safe = headerSafe(text);
  const headers = new Headers({
    'X-Cld-Error': safe,
    'Cache-Control': ERROR_CACHE_CONTROL,
    'Content-Type': 'text/plain; charset=utf-8',
  });
  if (err instanceof HttpError && err.headers) for (const [name, value] of Object.entries(err.headers)) headers.set(name, value);
  return new Response(`${status} ${safe}\n`, { status, headers });
}

/** The upload and admin API's error shape: `{"error": {"message", "http_code"}}` with errorResponse's headers. */
export function errorJsonResponse(err: unknown): Response {
  const res = errorResponse(err);
  // The JSON body keeps the message as it is (JSON escapes any code unit); the headers are errorResponse's, already safe.
  const headers = new Headers(res.headers);
  headers.set('Content-Type', 'application/json; charset=utf-8');
  return new Response(JSON.stringify({ error: { message: publicError(err).message, http_code: res.status } }), { status: res.status, headers });
}
