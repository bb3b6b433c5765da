/**
 * Cloudinary signatures.
 * Delivery: `s--` + first 8 (SHA-1 or SHA-256) or 32 (SHA-256) chars of base64url(digest(toSign + secret)) + `--`,
 * where toSign is the raw transformation and source, version excluded.
 * API: hex digest of the sorted `key=value` pairs joined with `&`, plus the secret (v2 escapes `&` in values).
 */
export type HashAlgorithm = 'sha1' | 'sha256';

const SUBTLE_NAME: Record<HashAlgorithm, string> = { sha1: 'SHA-1', sha256: 'SHA-256' };
const encoder = new TextEncoder();

async function digest(algorithm: HashAlgorithm, text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest(SUBTLE_NAME[algorithm], encoder.encode(text)));
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export async function deliverySignature(toSign: string, secret: string, algorithm: HashAlgorithm, length: 8 | 32): Promise<string> {
  return base64url(await digest(algorithm, toSign + secret)).slice(0, length);
}

/**
 * Accepts SHA-1 or SHA-256 for 8-character signatures and SHA-256 for 32-character ones, under any
 * of the secrets (key rotation): every candidate is computed and compared, whichever matches.
 */
export async function verifyDeliverySignature(toSign: string, signature: string, secrets: string | readonly string[]): Promise<boolean> {
  const candidates: HashAlgorithm[] = signature.length === 32 ? ['sha256'] : ['sha1', 'sha256'];
  let matched = false;
  for (const secret of typeof secrets === 'string' ? [secrets] : secrets)
    for (const algorithm of candidates) {
      const expected = await deliverySignature(toSign, secret, algorithm, signature.length as 8 | 32);
      if (timingSafeEqual(signature, expected)) matched = true;
    }
  return matched;
}

export type ApiParams = Record<string, string | number | boolean | readonly (string | number)[] | undefined | null>;

/** Parameters never signed: the file itself and the authentication fields. */
const UNSIGNED = new Set(['file', 'api_key', 'signature', 'resource_type']);

export function apiStringToSign(params: ApiParams, version: 1 | 2): string {
  return Object.keys(params)
    .filter((k) => !UNSIGNED.has(k))
    .map((k) => [k, params[k]] as const)
    .filter(([, v]) => v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`)
    .map((pair) => (version === 2 ? pair.replace(/&/g, '%26') : pair))
    .join('&');
}

export async function apiSignature(params: ApiParams, secret: string, algorithm: HashAlgorithm = 'sha1', version: 1 | 2 = 2): Promise<string> {
  return hex(await digest(algorithm, apiStringToSign(params, version) + secret));
}

/**
 * Accepts SHA-1 (40 hex) or SHA-256 (64 hex) over the version 2 string. Version 1 differs only when a
 * value contains `&`, which is exactly the parameter smuggling version 2 exists to stop, so it is refused.
 */
export async function verifyApiSignature(params: ApiParams, signature: string, secret: string): Promise<boolean> {
  const algorithm: HashAlgorithm | undefined = signature.length === 40 ? 'sha1' : signature.length === 64 ? 'sha256' : undefined;
  if (!algorithm) return false;
  return timingSafeEqual(signature.toLowerCase(), await apiSignature(params, secret, algorithm, 2));
}

/**
 * Compares a secret (or a digest of one) with what a client sent, through the runtime's
 * constant-time comparison: its time depends only on the expected value's length, never on where
 * the first difference is (a given value of another length is compared as the expected one itself).
 */
export function timingSafeEqual(given: string, expected: string): boolean {
  const encoder = new TextEncoder();
  const want = encoder.encode(expected);
  const got = encoder.encode(given);
  const sameLength = got.byteLength === want.byteLength;
  return crypto.subtle.timingSafeEqual(sameLength ? got : want, want) && sameLength;
}

/** Webhook (notification) signature: hex digest of body + timestamp + secret, sent as X-Cld-Signature. */
export async function notificationSignature(body: string, timestamp: number, secret: string, algorithm: HashAlgorithm = 'sha1'): Promise<string> {
  return hex(await digest(algorithm, `${body}${timestamp}${secret}`));
}

/** Hex digest of a text: cache keys, job ids, asset ids. */
export async function hexDigest(text: string, algorithm: HashAlgorithm = 'sha256'): Promise<string> {
  return hex(await digest(algorithm, text));
}
