/**
 * @module The Worker's configuration: `config(env)` parses the `[vars]` and secrets of
 * wrangler.toml (README "Configuration") once per env object and returns them typed. A flag is on
 * only when it is exactly "true"; anything else (unset, "false", "1") is off.
 */
import { type FetchPolicy, fetchPolicyFromEnv } from './remote/policy';
import { parseFetchTtl } from './remote/cache';
import { parseTokenKey } from './url/auth-token';

/** The env entries config() reads; all optional, so tests can pass a few. */
export type ConfigEnv = Partial<
  Pick<
    Env,
    | 'CLOUD_NAME'
    | 'API_KEY'
    | 'API_SECRET'
    | 'DEMO'
    | 'DIAGNOSTICS'
    | 'AI_UNSIGNED'
    | 'AI_ROWS_PER_ALARM'
    | 'PREMIUM_DOWNSCALING'
    | 'UNSIGNED_UPLOAD_PRESET'
    | 'UNSIGNED_UPLOAD_FOLDER'
    | 'FETCH_ALLOWED_HOSTS'
    | 'FETCH_ALLOW_HTTP'
    | 'FETCH_TTL'
    | 'FETCH_SIGNED_ONLY'
    | 'STRICT_TRANSFORMATIONS'
    | 'AUTH_TOKEN_KEY'
    | 'API_KEYS'
  >
>;

export interface Config {
  /** The cloud served at /<cloud>/image/... and by the private-CDN form /image/... */
  cloudName: string;
  /** The primary API key: what dprox's own answers name. */
  apiKey: string;
  /** The primary secret: what dprox signs with itself (eager URLs, notifications, upload answers). */
  apiSecret: string;
  /**
   * Every key and secret the API and delivery signatures accept: API_KEY/API_SECRET first, then
   * API_KEYS ("key1:secret1,key2:secret2", a secret), so a key can be rotated without downtime.
   */
  apiKeys: readonly ApiKey[];
  /** DEMO: the demo page at / and its endpoints under /_dprox/demo/. */
  demo: boolean;
  /** DIAGNOSTICS: GET /_dprox/memory and Server-Timing on transformed deliveries. */
  diagnostics: boolean;
  /** AI_UNSIGNED: unsigned URLs may start AI jobs. */
  aiUnsigned: boolean;
  /** AI_ROWS_PER_ALARM: tile rows an AI job runs per alarm; "0", unset or not a number: Infinity (as many as fit in the slice). */
  aiRowsPerAlarm: number;
  /** PREMIUM_DOWNSCALING: premium downscaling for every downscale. */
  premiumDownscaling: boolean;
  /** UNSIGNED_UPLOAD_PRESET: the unsigned upload preset's name; "" (or unset): none. */
  unsignedUploadPreset: string;
  /** UNSIGNED_UPLOAD_FOLDER: the folder of unsigned uploads; unset: "unsigned", "": the root. */
  unsignedUploadFolder: string;
  /** FETCH_ALLOWED_HOSTS, FETCH_ALLOW_HTTP: which remote URLs may be fetched (no hosts: fetch is off). */
  fetchPolicy: FetchPolicy;
  /** FETCH_TTL: seconds a fetched original is fresh for; unset or "": 604800 (7 days). */
  fetchTtl: number;
  /** FETCH_SIGNED_ONLY: fetch URLs must be signed. */
  fetchSignedOnly: boolean;
  /** STRICT_TRANSFORMATIONS: unsigned URLs get only existing derived images, the original and named transformations allowed for strict. */
  strictTransformations: boolean;
  /** AUTH_TOKEN_KEY (a secret, hex): the key of `__cld_token__` tokens for authenticated delivery; unset or "": tokens are refused. */
  authTokenKey?: Uint8Array;
}

export interface ApiKey {
  key: string;
  secret: string;
}

const parsed = new WeakMap<object, Config>();

/** API_KEYS: comma-separated `key:secret` pairs (the secret is what follows the first colon); throws naming a malformed entry. */
export function parseApiKeys(raw: string | undefined): ApiKey[] {
  return (raw ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const colon = entry.indexOf(':');
      if (colon <= 0 || colon === entry.length - 1) throw new Error(`API_KEYS: entry ${colon > 0 ? entry.slice(0, colon) : '#'} is not key:secret`);
      return { key: entry.slice(0, colon), secret: entry.slice(colon + 1) };
    });
}

/** The configuration of `env`, parsed on first use (env objects are long-lived: one per isolate, or per test). */
export function config(env: ConfigEnv): Config {
  let c = parsed.get(env);
  if (!c) parsed.set(env, (c = parse(env)));
  return c;
}

function parse(env: ConfigEnv): Config {
  const on = (value: string | undefined) => value === 'true';
  return {
    // Required (wrangler.toml [vars], the API_SECRET secret): passed on as they are, never defaulted.
    cloudName: env.CLOUD_NAME as string,
    apiKey: env.API_KEY as string,
    apiSecret: env.API_SECRET as string,
    apiKeys: [...(env.API_KEY && env.API_SECRET ? [{ key: env.API_KEY, secret: env.API_SECRET }] : []), ...parseApiKeys(env.API_KEYS)],
    demo: on(env.DEMO),
    diagnostics: on(env.DIAGNOSTICS),
    aiUnsigned: on(env.AI_UNSIGNED),
    aiRowsPerAlarm: Number(env.AI_ROWS_PER_ALARM) || Infinity,
    premiumDownscaling: on(env.PREMIUM_DOWNSCALING),
    unsignedUploadPreset: env.UNSIGNED_UPLOAD_PRESET ?? '',
    unsignedUploadFolder: env.UNSIGNED_UPLOAD_FOLDER ?? 'unsigned',
    // A malformed FETCH_ALLOWED_HOSTS or FETCH_TTL throws, naming the entry: a deployment mistake, not a request's.
    fetchPolicy: fetchPolicyFromEnv(env),
    fetchTtl: parseFetchTtl(env.FETCH_TTL),
    fetchSignedOnly: on(env.FETCH_SIGNED_ONLY),
    strictTransformations: on(env.STRICT_TRANSFORMATIONS),
    ...(env.AUTH_TOKEN_KEY ? { authTokenKey: parseTokenKey(env.AUTH_TOKEN_KEY) } : {}),
  };
}
