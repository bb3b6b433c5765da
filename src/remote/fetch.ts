/**
 * Downloads a remote original for fetch delivery, `file=https://` uploads and `l_fetch:` layers
 * (issue #14), with the checks next/image, ipx and imgproxy each learnt the hard way:
 *   - every URL, the first and each redirect target, passes checkRemoteUrl (policy.ts); redirects
 *     are followed by hand (`redirect: 'manual'`), at most policy.maxRedirects of them;
 *   - Content-Length over limits.maxBytes is refused before the body is read, and the body is
 *     counted as it streams and abandoned the moment it passes the cap (a missing or lying length);
 *   - one deadline (limits.timeoutMs) covers the whole download, redirects included;
 *   - the answer must say image/* (or application/octet-stream, binary/octet-stream, nothing) and its
 *     first bytes must be a JPEG, PNG, WebP, GIF, AVIF, BMP or TIFF signature before more of it is kept; the
 *     whole file then goes through readHeader (which may throw ImageError 400/413/415);
 *   - conditional requests: given the stored ETag / Last-Modified, a 304 answers { notModified: true }.
 *
 * Errors are CldError (RemoteFetchError): 400 refused URL or redirect target, too many redirects, not
 * an image; 404 the origin answered 4xx; 413 too large; 502 origin 5xx, network failure, truncated
 * body, odd answers; 504 the deadline passed. The message goes to X-Cld-Error as
 * `Error in loading <url> - <why>` (Cloudinary's wording for fetch failures).
 */
import { concatBytes } from '../pixels/bytes';
import { type ImageFormat, isBmp, isTiff, readHeader } from '../codecs/header';
import { ImageError } from '../pixels/errors';
import { CldError } from '../url/errors';
import { type FetchPolicy, checkRemoteUrl } from './policy';

export interface FetchLimits {
  /** Largest body kept, in bytes (the upload cap, MAX_UPLOAD_BYTES in routes/upload.ts). */
  maxBytes: number;
  /** Deadline for the whole download, redirects included. */
  timeoutMs: number;
  userAgent: string;
}

export const DEFAULT_FETCH_LIMITS: Readonly<FetchLimits> = Object.freeze({
  maxBytes: 40 * 1024 * 1024,
  timeoutMs: 10_000,
  userAgent: 'Mozilla/5.0 (compatible; dprox/0.1; Cloudinary-compatible image fetch)',
});

/** Validators of a stored copy, sent as If-None-Match / If-Modified-Since. */
export interface Revalidation {
  etag?: string;
  lastModified?: string;
}

export interface FetchedImage {
  notModified: false;
  bytes: Uint8Array;
  /** The MIME type of the format the bytes are (image/jpeg, ...), whatever the origin claimed. */
  contentType: string;
  format: ImageFormat;
  etag?: string;
  lastModified?: string;
  /** The URL the bytes came from, after redirects. */
  finalUrl: string;
}

export interface NotModified {
  notModified: true;
  etag?: string;
  lastModified?: string;
  finalUrl: string;
}

export type RemoteResult = FetchedImage | NotModified;

export type RemoteStatus = 400 | 404 | 413 | 502 | 504;

/** A CldError of the fetcher: the origin's URL and what went wrong, 400/404/413 or 502/504. */
export class RemoteFetchError extends CldError {
  constructor(status: RemoteStatus, message: string) {
    super(status, message);
    this.name = 'RemoteFetchError';
  }
}

const MIME: Record<ImageFormat, string> = {
  svg: 'image/svg+xml',
  jpg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
  bmp: 'image/bmp',
  tiff: 'image/tiff',
};
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Enough for every signature, AVIF's ftyp brands included. */
const SNIFF_BYTES = 32;

/** Fetches `url` under `policy` and `limits` (defaults: DEFAULT_FETCH_LIMITS); see the file comment. */
export async function fetchRemote(url: string, policy: FetchPolicy, limits: Partial<FetchLimits> = {}, revalidate: Revalidation = {}): Promise<RemoteResult> {
  const lim: FetchLimits = { ...DEFAULT_FETCH_LIMITS, ...limits };
  const first = checkRemoteUrl(url, policy);
  if (!first.ok) throw new RemoteFetchError(400, first.reason);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), lim.timeoutMs);
  let current = first.url;
  const fail = (status: RemoteStatus, why: string) => new RemoteFetchError(status, `Error in loading ${current.href} - ${why}`);
  try {
    return await download();
  } catch (e) {
    if (controller.signal.aborted) throw fail(504, `timed out after ${lim.timeoutMs} ms`);
    if (e instanceof CldError || e instanceof ImageError) throw e;
    throw fail(502, e instanceof Error ? e.message : String(e));
  } finally {
    clearTimeout(timer);
  }

  async function download(): Promise<RemoteResult> {
    const headers: Record<string, string> = { 'User-Agent': lim.userAgent, Accept: 'image/avif,image/webp,image/png,image/jpeg,image/gif,image/*;q=0.8' };
    if (revalidate.etag) headers['If-None-Match'] = revalidate.etag;
    if (revalidate.lastModified) headers['If-Modified-Since'] = revalidate.lastModified;
    for (let hop = 0; ; hop++) {
      const res = await fetch(current.href, { method: 'GET', headers, redirect: 'manual', signal: controller.signal });
      if (REDIRECTS.has(res.status)) {
        await res.body?.cancel();
        const location = res.headers.get('Location');
        if (!location) throw fail(502, `redirect ${res.status} without a Location`);
        if (hop >= policy.maxRedirects) throw fail(400, `more than ${policy.maxRedirects} redirects`);
        let next: string;
        try {
          next = new URL(location, current).href;
        } catch {
          throw fail(502, 'redirect to an invalid Location');
        }
        const verdict = checkRemoteUrl(next, policy);
        if (!verdict.ok) throw fail(400, `redirect to ${next} refused: ${verdict.reason}`);
        current = verdict.url;
        continue;
      }
      const validators = { etag: res.headers.get('ETag') ?? undefined, lastModified: res.headers.get('Last-Modified') ?? undefined };
      if (res.status === 304) {
        await res.body?.cancel();
        if (!revalidate.etag && !revalidate.lastModified) throw fail(502, 'origin answered 304 to an unconditional request');
        return {
          notModified: true,
          etag: validators.etag ?? revalidate.etag,
          lastModified: validators.lastModified ?? revalidate.lastModified,
          finalUrl: current.href,
        };
      }
      if (res.status !== 200) {
        await res.body?.cancel();
        throw fail(res.status >= 400 && res.status < 500 ? 404 : 502, `origin answered ${res.status}`); // no status text: HTTP/2 has none
      }
      const type = (res.headers.get('Content-Type') ?? '').split(';')[0].trim().toLowerCase();
      if (type && !type.startsWith('image/') && type !== 'application/octet-stream' && type !== 'binary/octet-stream') {
        await res.body?.cancel();
        throw fail(400, `not an image (Content-Type ${type})`);
      }
      const declared = res.headers.get('Content-Length');
      const length = declared !== null && /^\d+$/.test(declared) ? Number(declared) : undefined;
      if (length !== undefined && length > lim.maxBytes) {
        await res.body?.cancel();
        throw fail(413, `File size too large: ${length} bytes, maximum is ${lim.maxBytes}`);
      }
      const bytes = await readBody(res, lim.maxBytes, controller.signal, fail);
      // Content-Length counts encoded bytes; the runtime has already decoded a gzip/br body.
      const encoding = (res.headers.get('Content-Encoding') ?? 'identity').toLowerCase();
      if (length !== undefined && encoding === 'identity' && bytes.length !== length)
        throw fail(502, `body of ${bytes.length} bytes, Content-Length said ${length}`);
      const format = readHeader(bytes).format;
      return { notModified: false, bytes, contentType: MIME[format], format, ...definedOnly(validators), finalUrl: current.href };
    }
  }
}

/** The body, counted as it arrives: over `maxBytes` or not an image signature in its first bytes, it is abandoned. */
async function readBody(
  res: Response,
  maxBytes: number,
  signal: AbortSignal,
  fail: (status: RemoteStatus, why: string) => RemoteFetchError,
): Promise<Uint8Array> {
  if (!res.body) {
    sniff(new Uint8Array(0), fail);
    return new Uint8Array(0);
  }
  const reader = res.body.getReader();
  // The runtime ends a body on abort too; racing each read makes sure the deadline holds whatever it does.
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => (onAbort = () => reject(new Error('aborted'))));
  aborted.catch(() => {});
  signal.addEventListener('abort', onAbort, { once: true });
  const chunks: Uint8Array[] = [];
  let total = 0;
  let sniffed = false;
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), aborted]);
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) throw fail(413, `File size too large: more than ${maxBytes} bytes`);
      chunks.push(value);
      if (!sniffed && total >= SNIFF_BYTES) {
        sniff(concatBytes(chunks).subarray(0, SNIFF_BYTES), fail);
        sniffed = true;
      }
    }
  } catch (e) {
    reader.cancel().catch(() => {});
    throw e;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  const bytes = chunks.length === 1 ? chunks[0] : concatBytes(chunks);
  if (!sniffed) sniff(bytes, fail);
  return bytes;
}

/** Refuses a body whose first bytes are not a raster format dprox reads (SVG, HTML, video, ... included). */
function sniff(head: Uint8Array, fail: (status: RemoteStatus, why: string) => RemoteFetchError): void {
  if (!imageSignature(head)) throw fail(400, 'not a JPEG, PNG, WebP, GIF, AVIF, BMP or TIFF image');
}

/** The format whose signature `head` starts with; 'heif' for other HEIF brands (readHeader says why they are refused). */
export function imageSignature(head: Uint8Array): ImageFormat | 'heif' | undefined {
  const ascii = (at: number, n: number) => String.fromCharCode(...head.subarray(at, at + n));
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpg';
  if (head.length >= 8 && ascii(0, 8) === '\x89PNG\r\n\x1a\n') return 'png';
  if (head.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 4) === 'WEBP') return 'webp';
  if (head.length >= 6 && (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a')) return 'gif';
  if (isBmp(head)) return 'bmp';
  if (isTiff(head)) return 'tiff';
  if (head.length >= 12 && ascii(4, 4) === 'ftyp') {
    const end = Math.min(head.length, ((head[0] << 24) | (head[1] << 16) | (head[2] << 8) | head[3]) >>> 0);
    const brands: string[] = [];
    for (let i = 8; i + 4 <= end; i += 4) if (i !== 12) brands.push(ascii(i, 4));
    if (brands.includes('avif') || brands.includes('avis')) return 'avif';
    if (brands.some((b) => /^(heic|heix|hevc|hevx|heim|heis|mif1|msf1)$/.test(b))) return 'heif';
  }
  return undefined;
}

function definedOnly<T extends Record<string, string | undefined>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
