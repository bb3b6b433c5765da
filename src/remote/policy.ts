/**
 * Which remote URLs dprox may fetch (issue #14): pure, no I/O. Every URL the fetcher requests, the
 * first and every redirect target, goes through checkRemoteUrl.
 *
 * The order of the checks, each refusal with a reason for X-Cld-Error (answered 400):
 *   1. the raw text: length, whitespace/control characters/backslashes, `http(s)://` prefix, userinfo;
 *   2. WHATWG URL parsing (IDN to punycode, IPv4 notations to dotted quads, IPv6 compressed), the
 *      scheme (https; http only with allowHttp), userinfo again, one trailing dot of the host dropped;
 *   3. IP literals, in any notation (the raw text is read with inet_aton's rules too, so the reason
 *      names what was written): loopback, private, link-local, metadata, CGNAT, IPv4-mapped/-embedded
 *      IPv6 and other special ranges are refused unless allowPrivate (tests only); any other IP
 *      literal must be named exactly in the allowlist;
 *   4. special-use names (localhost, .local, .internal, metadata hosts, single labels, public names
 *      known to resolve to loopback such as nip.io) are refused whatever the allowlist says;
 *   5. the allowlist, host and port: empty means fetching is disabled. An entry is an exact host
 *      (`img.example.com`), a suffix (`*.example.com`: any subdomain, not the apex) or either with a
 *      port (`img.example.com:8443`); without a port an entry allows only the scheme's default port.
 *
 * There is no DNS lookup in Workers, so a host name cannot be checked for what it resolves to: the
 * allowlist is the defence against names (or rebinding) that point at private addresses. Deployed
 * Workers cannot reach private networks anyway; `wrangler dev` and tests can.
 */
import { CldError } from '../url/errors';

export interface FetchPolicy {
  /** Exact hosts or `*.suffix` entries, optionally with `:port` (FETCH_ALLOWED_HOSTS). Empty: fetch disabled. */
  readonly allowedHosts: readonly string[];
  /** Also allow http:// (FETCH_ALLOW_HTTP). */
  readonly allowHttp: boolean;
  /** Redirects followed before giving up (each target is checked again). */
  readonly maxRedirects: number;
  /** Let allowlisted IP literals be loopback/private/link-local: only for tests against a local origin. */
  readonly allowPrivate?: boolean;
}

/** The safe default: nothing is fetched until hosts are allowed. */
export const DEFAULT_FETCH_POLICY: FetchPolicy = Object.freeze({ allowedHosts: Object.freeze([]), allowHttp: false, maxRedirects: 3, allowPrivate: false });

/** Longer remote URLs are refused (next/image's limit). */
export const MAX_REMOTE_URL_LENGTH = 3072;

/** A refusal is `restricted` when the allowlist decided it (fetch off, host or port not allowed): Cloudinary answers those 401. */
export type UrlVerdict = { ok: true; url: URL } | { ok: false; reason: string; restricted?: true };

/** The policy of a deployment from its variables: FETCH_ALLOWED_HOSTS (comma or space separated), FETCH_ALLOW_HTTP ('true'). */
export function fetchPolicyFromEnv(env: { FETCH_ALLOWED_HOSTS?: string; FETCH_ALLOW_HTTP?: string }): FetchPolicy {
  return { allowedHosts: parseAllowedHosts(env.FETCH_ALLOWED_HOSTS), allowHttp: env.FETCH_ALLOW_HTTP === 'true', maxRedirects: 3, allowPrivate: false };
}

/** Splits and normalises an allowlist; throws an Error naming the first entry that is not a host pattern. */
export function parseAllowedHosts(value: string | undefined): string[] {
  const entries = (value ?? '').split(/[\s,]+/).filter(Boolean);
  return entries.map((entry) => {
    const parsed = parseEntry(entry);
    if (!parsed) throw new Error(`FETCH_ALLOWED_HOSTS: not a host, *.suffix or host:port: ${entry}`);
    return `${parsed.wildcard ? '*.' : ''}${parsed.host}${parsed.port ? `:${parsed.port}` : ''}`;
  });
}

/**
 * checkRemoteUrl, throwing CldError with the reason: 401 for what the allowlist refuses (fetch
 * disabled, a host or port not allowed: Cloudinary's restricted fetch), 400 for anything else.
 */
export function assertRemoteUrl(input: string, policy: FetchPolicy): URL {
  const verdict = checkRemoteUrl(input, policy);
  if (!verdict.ok) throw new CldError(verdict.restricted ? 401 : 400, verdict.reason);
  return verdict.url;
}

/** Decides whether `input` may be fetched; on success the URL to request (normalised, no fragment). */
export function checkRemoteUrl(input: string, policy: FetchPolicy): UrlVerdict {
  const refuse = (reason: string): UrlVerdict => ({ ok: false, reason });
  const restrict = (reason: string): UrlVerdict => ({ ok: false, reason, restricted: true });
  if (input.length > MAX_REMOTE_URL_LENGTH) return refuse(`Remote URL is longer than ${MAX_REMOTE_URL_LENGTH} characters`);
  // WHATWG parsing silently drops tabs/newlines and reads `\` as `/`; other parsers do not, so refuse them.
  if (hasControlOrBackslash(input)) return refuse('Remote URL contains whitespace, control characters or a backslash');
  const prefix = /^([a-zA-Z][a-zA-Z0-9+.-]*):(\/\/)?/.exec(input);
  if (!prefix) return refuse('Remote URL must be absolute (https://...)');
  const scheme = prefix[1].toLowerCase();
  if (scheme !== 'https' && scheme !== 'http') return refuse(`Remote URL scheme ${scheme}: is not allowed (only https)`);
  if (!prefix[2]) return refuse(`Remote URL must start with ${scheme}://`);
  const authority = input.slice(prefix[0].length).split(/[/?#]/, 1)[0];
  if (authority.includes('@')) return refuse('Remote URL must not contain credentials (user@host)');
  const rawHost = authority.startsWith('[') ? authority.slice(0, authority.indexOf(']') + 1) : authority.replace(/:[^:]*$/, '');

  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return refuse('Invalid remote URL');
  }
  if (url.protocol === 'http:' && !policy.allowHttp) return refuse('http:// remote URLs are not allowed (use https, or set FETCH_ALLOW_HTTP)');
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return refuse(`Remote URL scheme ${url.protocol} is not allowed (only https)`);
  if (url.username || url.password) return refuse('Remote URL must not contain credentials (user@host)');
  url.hash = '';

  let host = url.hostname;
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (!host || host.startsWith('.') || host.endsWith('.') || host.includes('..')) return refuse(`Invalid remote host: ${url.hostname}`);
  if (host !== url.hostname) url.hostname = host;
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const portOk = (e: Entry) => (e.port === '' ? url.port === '' : e.port === port);
  const shown = rawHost && rawHost.toLowerCase() !== host ? `${rawHost} (${host})` : host;

  const ip = ipOf(host) ?? ipOf(rawHost);
  if (ip) {
    const category = ip.kind === 4 ? classifyIPv4(ip.value) : classifyIPv6(ip.value);
    if (category && !policy.allowPrivate) return refuse(`Remote host ${shown} is ${article(category)} ${category} address`);
    if (!policy.allowedHosts.length) return restrict(FETCH_DISABLED);
    if (!allowedEntries(policy).some((e) => !e.wildcard && e.host === host && portOk(e)))
      return restrict(`Remote host ${shown} is an IP address literal; only allowlisted IP addresses are fetched`);
    return { ok: true, url };
  }

  const special = specialUseName(host);
  if (special) return refuse(`Remote host ${shown} is ${special}`);
  if (!policy.allowedHosts.length) return restrict(FETCH_DISABLED);
  const matching = allowedEntries(policy).filter((e) => (e.wildcard ? host.endsWith(`.${e.host}`) : host === e.host));
  if (!matching.length) return restrict(`Remote host ${host} is not in the allowed fetch hosts`);
  if (!matching.some(portOk)) return restrict(`Remote URL port ${port} is not allowed for ${host}`);
  return { ok: true, url };
}

/** C0 controls, space, DEL or `\\` anywhere in the text. */
function hasControlOrBackslash(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f || c === 0x5c) return true;
  }
  return false;
}

const FETCH_DISABLED = 'Remote fetch is disabled: no allowed fetch hosts are configured (FETCH_ALLOWED_HOSTS)';

const article = (word: string) => (/^[aeiou]/i.test(word) ? 'an' : 'a');

// ------------------------------------------------------------------------------------ allowlist

interface Entry {
  host: string;
  wildcard: boolean;
  /** '' for the URL scheme's default port only; else the one port allowed. */
  port: string;
}

function allowedEntries(policy: FetchPolicy): Entry[] {
  return policy.allowedHosts.map(parseEntry).filter((e): e is Entry => e !== undefined);
}

/** `host`, `*.suffix`, `[v6]`, each optionally `:port`, normalised the way URL normalises hosts. */
function parseEntry(entry: string): Entry | undefined {
  let text = entry.trim().toLowerCase();
  const wildcard = text.startsWith('*.');
  if (wildcard) text = text.slice(2);
  if (!text || /[/?#@\\*\s]/.test(text)) return undefined;
  let url: URL;
  try {
    url = new URL(`https://${text}`);
  } catch {
    return undefined;
  }
  if (url.pathname !== '/' || url.search || url.username || url.password) return undefined;
  const host = url.hostname.replace(/\.$/, '');
  if (!host || host.includes('..') || (wildcard && ipOf(host))) return undefined;
  return { host, wildcard, port: url.port };
}

// ------------------------------------------------------------------------------ special names

/** Suffixes (and the names themselves) that never belong to a public image origin. */
const SPECIAL_SUFFIXES: Record<string, string> = {
  localhost: 'a localhost name',
  local: 'a multicast-DNS (.local) name',
  internal: 'an internal (.internal) name',
  localdomain: 'a .localdomain name',
  'home.arpa': 'a home network (.home.arpa) name',
  arpa: 'an .arpa name',
  invalid: 'an .invalid name',
  onion: 'an .onion name',
  lan: 'a private network (.lan) name',
  intranet: 'a private network (.intranet) name',
  corp: 'a private network (.corp) name',
  home: 'a private network (.home) name',
  private: 'a private network (.private) name',
  svc: 'a Kubernetes service (.svc) name',
};
/** Cloud instance metadata services by name (their addresses are classified below). */
const METADATA_NAMES = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.azure.internal',
]);
/** Public wildcard DNS names that answer with the address written in them, or with 127.0.0.1. */
const LOOPBACK_DNS = ['nip.io', 'sslip.io', 'xip.io', 'localtest.me', 'lvh.me', 'vcap.me', 'lacolhost.com', 'localh.st', 'fbi.com'];

/** Why a (non-IP) host name is refused whatever the allowlist says, or undefined. */
export function specialUseName(host: string): string | undefined {
  const name = host.toLowerCase().replace(/\.$/, '');
  if (METADATA_NAMES.has(name)) return 'a cloud metadata host';
  for (const [suffix, what] of Object.entries(SPECIAL_SUFFIXES)) if (name === suffix || name.endsWith(`.${suffix}`)) return what;
  if (!name.includes('.')) return 'a single-label host name (only resolvable inside a private network)';
  for (const d of LOOPBACK_DNS) if (name === d || name.endsWith(`.${d}`)) return 'a public DNS name that resolves to loopback or private addresses';
  return undefined;
}

// --------------------------------------------------------------------------------------- IPv4

type Ip = { kind: 4; value: number } | { kind: 6; value: number[] };

/** The IP address a host denotes, bracketed IPv6 or IPv4 in any inet_aton notation; undefined for names. */
export function ipOf(host: string): Ip | undefined {
  if (!host) return undefined;
  if (host.startsWith('[') && host.endsWith(']')) {
    const v6 = parseIPv6(host.slice(1, -1));
    return v6 ? { kind: 6, value: v6 } : undefined;
  }
  const v4 = parseIPv4(host);
  return v4 === undefined ? undefined : { kind: 4, value: v4 };
}

/**
 * inet_aton / WHATWG IPv4 parsing: 1 to 4 parts, each decimal, octal (leading 0) or hex (0x), the
 * last one filling the remaining bytes (`127.1`, `2130706433`, `0177.0.0.1`, `0x7f.1`); one
 * trailing dot allowed. Undefined when the text is not an IPv4 address.
 */
export function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  if (parts.length < 1 || parts.length > 4) return undefined;
  const nums: number[] = [];
  for (const p of parts) {
    let n: number;
    if (/^0x[0-9a-f]*$/i.test(p)) n = p.length === 2 ? 0 : Number.parseInt(p.slice(2), 16);
    else if (/^0[0-7]+$/.test(p)) n = Number.parseInt(p.slice(1), 8);
    else if (/^(0|[1-9][0-9]*)$/.test(p)) n = Number(p);
    else return undefined;
    if (!Number.isFinite(n)) return undefined;
    nums.push(n);
  }
  const last = nums.pop()!;
  if (nums.some((n) => n > 255) || last >= 256 ** (4 - nums.length)) return undefined;
  let value = last;
  for (let i = 0; i < nums.length; i++) value += nums[i] * 256 ** (3 - i);
  return value >>> 0;
}

export const formatIPv4 = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

const inV4 = (n: number, base: string, bits: number) => bits === 0 || n >>> (32 - bits) === parseIPv4(base)! >>> (32 - bits);

/** What kind of non-public IPv4 address `n` is ('loopback', 'private', ...), or undefined for a public one. */
export function classifyIPv4(n: number): string | undefined {
  const ranges: [string, number, string][] = [
    ['169.254.169.254', 32, 'cloud metadata'], // AWS, GCP, Azure, Oracle, DigitalOcean, ...
    ['169.254.170.2', 32, 'cloud metadata'], // AWS ECS task metadata
    ['100.100.100.200', 32, 'cloud metadata'], // Alibaba Cloud
    ['0.0.0.0', 8, 'unspecified (this network)'],
    ['10.0.0.0', 8, 'private'],
    ['100.64.0.0', 10, 'carrier-grade NAT'],
    ['127.0.0.0', 8, 'loopback'],
    ['169.254.0.0', 16, 'link-local'],
    ['172.16.0.0', 12, 'private'],
    ['192.0.0.0', 24, 'IETF protocol assignment'],
    ['192.0.2.0', 24, 'documentation'],
    ['192.88.99.0', 24, '6to4 relay'],
    ['192.168.0.0', 16, 'private'],
    ['198.18.0.0', 15, 'benchmarking'],
    ['198.51.100.0', 24, 'documentation'],
    ['203.0.113.0', 24, 'documentation'],
    ['224.0.0.0', 4, 'multicast'],
    ['240.0.0.0', 4, 'reserved'],
  ];
  for (const [base, bits, what] of ranges) if (inV4(n, base, bits)) return what;
  return undefined;
}

// --------------------------------------------------------------------------------------- IPv6

/** Eight 16-bit groups of an IPv6 address (without brackets; `::` and a dotted IPv4 tail allowed), or undefined. */
export function parseIPv6(text: string): number[] | undefined {
  let s = text.toLowerCase();
  if (s.includes('.')) {
    const at = s.lastIndexOf(':');
    const v4 = /^\d+\.\d+\.\d+\.\d+$/.test(s.slice(at + 1)) ? parseIPv4(s.slice(at + 1)) : undefined;
    if (v4 === undefined || at < 0) return undefined;
    s = `${s.slice(0, at + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? Number.parseInt(g, 16) : Number.NaN)));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if ([...head, ...tail].some(Number.isNaN)) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const fill = 8 - head.length - tail.length;
  if (fill < 1) return undefined;
  return [...head, ...new Array<number>(fill).fill(0), ...tail];
}

/** What kind of non-public IPv6 address `g` (eight groups) is, or undefined for a public one. */
export function classifyIPv6(g: number[]): string | undefined {
  const zero = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  const v4 = (hi: number, lo: number) => ((g[hi] << 16) | g[lo]) >>> 0;
  const embedded = (what: string, n: number) => `${what} (embedding ${formatIPv4(n)}${classifyIPv4(n) ? `, ${classifyIPv4(n)}` : ''})`;
  if (zero(0, 8)) return 'unspecified';
  if (zero(0, 7) && g[7] === 1) return 'loopback';
  if (zero(0, 5) && g[5] === 0xffff) return embedded('IPv4-mapped', v4(6, 7));
  if (zero(0, 4) && g[4] === 0xffff && g[5] === 0) return embedded('IPv4-translated', v4(6, 7));
  if (zero(0, 6)) return embedded('IPv4-compatible', v4(6, 7));
  if (g[0] === 0x64 && g[1] === 0xff9b && zero(2, 6)) return embedded('NAT64', v4(6, 7));
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1) return 'local-use NAT64';
  if (g[0] === 0x2002) return embedded('6to4', v4(1, 2));
  if ((g[4] === 0 || g[4] === 0x200) && g[5] === 0x5efe) return embedded('ISATAP', v4(6, 7));
  if (g[0] === 0x2001 && g[1] === 0) return 'Teredo';
  if (g[0] === 0xfd00 && g[1] === 0x0ec2 && zero(2, 7) && g[7] === 0x254) return 'cloud metadata'; // AWS IMDS over IPv6
  if ((g[0] & 0xfe00) === 0xfc00) return 'unique local (private)';
  if ((g[0] & 0xffc0) === 0xfe80) return 'link-local';
  if ((g[0] & 0xffc0) === 0xfec0) return 'site-local';
  if ((g[0] & 0xff00) === 0xff00) return 'multicast';
  if (g[0] === 0x2001 && g[1] === 0x0db8) return 'documentation';
  if (g[0] === 0x3fff && g[1] < 0x1000) return 'documentation'; // 3fff::/20
  if (g[0] === 0x2001 && g[1] < 0x0200) return 'IETF protocol assignment';
  if (g[0] === 0x0100 && zero(1, 4)) return 'discard-only';
  if (g[0] === 0) return 'reserved';
  return undefined;
}
