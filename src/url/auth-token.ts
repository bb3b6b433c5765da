/**
 * Cloudinary's token-based access (`__cld_token__=[ip=…~][st=…~]exp=…[~acl=…]~hmac=…`, what the
 * SDKs' generate_auth_token makes): HMAC-SHA256 with the hex-decoded key over the token's parts
 * before `hmac`, joined with `~`, plus `~url=<the escaped path>` for a URL token (one without an
 * ACL). An ACL is one or more path patterns joined with `!`, `*` matching any run of characters,
 * the whole path matched. Pure but for the clock and the client address its caller passes.
 */
import { timingSafeEqual } from './signature';

export const AUTH_TOKEN_NAME = '__cld_token__';
const MAX_TOKEN_LENGTH = 4096;
const MAX_ACLS = 20;

export interface TokenCheck {
  /** The delivery path as received (percent-encoded), which a URL token signs. */
  path: string;
  /** The paths an ACL may be written for: the request's, and its private-CDN form (without the cloud). */
  aclPaths: readonly string[];
  /** Seconds since the epoch. */
  now: number;
  /** The client's address (CF-Connecting-IP), for a token with `ip=`. */
  ip?: string | null;
}

/** Why the token does not authorise the request, or `url`/`acl` for the kind that does. */
export type TokenResult = { ok: true; kind: 'url' | 'acl' } | { ok: false; reason: string };

/** The SDKs' escapeToLower: runs of these characters percent-encoded, the hex in lower case. */
const UNSAFE = /([ "#%&'/:;<=>?@[\]^`{|}~]+)/g;
export function escapeToLower(text: string): string {
  return text.replace(UNSAFE, (run) =>
    run
      .split('')
      .map((c) => `%${c.charCodeAt(0).toString(16)}`)
      .join(''),
  );
}

/** The hex key (AUTH_TOKEN_KEY) as bytes; throws naming the problem (a deployment mistake). */
export function parseTokenKey(hex: string): Uint8Array {
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex)) throw new Error('AUTH_TOKEN_KEY must be an even number of hex digits');
  return Uint8Array.from(hex.match(/../g) as string[], (b) => Number.parseInt(b, 16));
}

export async function verifyAuthToken(token: string, key: Uint8Array, check: TokenCheck): Promise<TokenResult> {
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'token too long' };
  const parts = token.split('~');
  const last = parts.pop() ?? '';
  if (!last.startsWith('hmac=')) return { ok: false, reason: 'malformed token: it must end with hmac=' };
  const fields: Record<string, string> = {};
  for (const part of parts) {
    const eq = part.indexOf('=');
    const name = part.slice(0, eq);
    if (eq <= 0 || !['ip', 'st', 'exp', 'acl'].includes(name) || name in fields) return { ok: false, reason: `malformed token part '${part.slice(0, 32)}'` };
    fields[name] = part.slice(eq + 1);
  }
  if (fields.exp === undefined || !/^\d{1,12}$/.test(fields.exp)) return { ok: false, reason: 'malformed token: exp is required' };
  if (fields.st !== undefined && !/^\d{1,12}$/.test(fields.st)) return { ok: false, reason: 'malformed token: st must be seconds' };
  const toSign = fields.acl === undefined ? [...parts, `url=${escapeToLower(check.path)}`] : parts;
  const expected = await hmacHex(key, toSign.join('~'));
  if (!timingSafeEqual(last.slice(5).toLowerCase(), expected)) return { ok: false, reason: 'token signature does not match' };
  if (fields.st !== undefined && Number(fields.st) > check.now) return { ok: false, reason: 'token not valid yet (st)' };
  if (Number(fields.exp) < check.now) return { ok: false, reason: 'token expired' };
  if (fields.ip !== undefined && fields.ip !== check.ip) return { ok: false, reason: 'token is for another client address' };
  if (fields.acl === undefined) return { ok: true, kind: 'url' };
  let acls: string[];
  try {
    acls = decodeURIComponent(fields.acl).split('!');
  } catch {
    return { ok: false, reason: 'malformed token: acl' };
  }
  if (acls.length > MAX_ACLS) return { ok: false, reason: `token has more than ${MAX_ACLS} ACLs` };
  const decodedPaths = check.aclPaths.map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  return acls.some((acl) => decodedPaths.some((p) => aclMatches(acl, p))) ? { ok: true, kind: 'acl' } : { ok: false, reason: 'deny or ACL failure' };
}

/** `*` is any run of characters (slashes too); the rest literal; the whole path must match. Linear: no backtracking regex. */
export function aclMatches(acl: string, path: string): boolean {
  const pieces = acl.split('*');
  if (pieces.length === 1) return acl === path;
  const first = pieces[0];
  const lastPiece = pieces[pieces.length - 1];
  if (!path.startsWith(first) || path.length < first.length + lastPiece.length || !path.endsWith(lastPiece)) return false;
  let at = first.length;
  const end = path.length - lastPiece.length;
  for (const piece of pieces.slice(1, -1)) {
    const found = path.indexOf(piece, at);
    if (found < 0 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}

async function hmacHex(key: Uint8Array, message: string): Promise<string> {
  const k = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', k, new TextEncoder().encode(message)));
  return Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The token of a request: the `__cld_token__` query parameter, else the cookie of that name. Both
 * as written, not percent-decoded: the ACL in a token is signed escaped (`acl=%2fimage%2f*`).
 */
export function requestToken(search: string, cookieHeader: string | null): string | undefined {
  for (const pair of search.replace(/^\?/, '').split('&')) if (pair.startsWith(`${AUTH_TOKEN_NAME}=`)) return pair.slice(AUTH_TOKEN_NAME.length + 1);
  for (const c of (cookieHeader ?? '').split(';')) {
    const [name, ...rest] = c.trim().split('=');
    if (name === AUTH_TOKEN_NAME && rest.length) return rest.join('=');
  }
  return undefined;
}
