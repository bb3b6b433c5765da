/**
 * The parameters of an Admin API request: the query string, and for POST/PUT/DELETE a form
 * (`application/x-www-form-urlencoded`, as the Node SDK sends) or a JSON object (as pycloudinary
 * does), read up to MAX_ADMIN_BODY_BYTES. `name[]` repeated gives a list under `name`.
 */
import { CldError } from '../errors';

export type AdminParams = Record<string, string | string[]>;

/** Admin calls carry names, definitions and at most a few hundred public IDs: far below this. */
export const MAX_ADMIN_BODY_BYTES = 256 * 1024;
const MAX_ADMIN_PARAMS = 1100;

export async function adminParams(request: Request): Promise<AdminParams> {
  const params: AdminParams = {};
  let count = 0;
  const add = (key: string, value: string) => {
    if (++count > MAX_ADMIN_PARAMS) throw new CldError(400, `Too many parameters: at most ${MAX_ADMIN_PARAMS}`);
    if (key.endsWith('[]')) {
      const name = key.slice(0, -2);
      const list = params[name];
      params[name] = Array.isArray(list) ? [...list, value] : [value];
    } else params[key] = value;
  };
  for (const [k, v] of new URL(request.url).searchParams) add(k, v);
  if (request.method === 'GET' || request.method === 'HEAD' || !request.body) return params;
  const text = await readCapped(request.body, MAX_ADMIN_BODY_BYTES);
  if (/^application\/json/i.test(request.headers.get('Content-Type') ?? '')) {
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      throw new CldError(400, 'Invalid JSON body');
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new CldError(400, 'Invalid JSON body: expected an object');
    for (const [k, v] of Object.entries(json)) {
      if (Array.isArray(v)) for (const item of v) add(`${k}[]`, String(item));
      else if (v !== null && v !== undefined) add(k, typeof v === 'object' ? JSON.stringify(v) : String(v));
    }
  } else for (const [k, v] of new URLSearchParams(text)) add(k, v);
  return params;
}

/** One parameter as text (a list's last item), or undefined. */
export function one(params: AdminParams, key: string): string | undefined {
  const v = params[key];
  return Array.isArray(v) ? v[v.length - 1] : v;
}

/** A list parameter (`key[]=a&key[]=b`, or `key=a,b`), or []. */
export function list(params: AdminParams, key: string): string[] {
  const v = params[key];
  if (Array.isArray(v)) return v;
  return v === undefined || v === '' ? [] : v.split(',');
}

/** Cloudinary's booleans: true, "true" or "1". */
export function flag(params: AdminParams, key: string): boolean | undefined {
  const v = one(params, key);
  return v === undefined ? undefined : v === 'true' || v === '1';
}

/** max_results: 1 to `max` (Cloudinary's default 10). */
export function maxResults(params: AdminParams, max: number, fallback = 10): number {
  const raw = one(params, 'max_results');
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new CldError(400, `Invalid max_results ${raw}: an integer from 1 to ${max}`);
  return n;
}

async function readCapped(body: ReadableStream<Uint8Array>, cap: number): Promise<string> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > cap) {
      await reader.cancel();
      throw new CldError(413, `Request body too large: more than ${cap} bytes`);
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return new TextDecoder().decode(all);
}

/**
 * next_cursor: opaque to clients (base64url of where the page ended), so that dprox never hands
 * a client's text to the store as a cursor of its own; a cursor that does not decode is a 400.
 */
export function encodeCursor(position: string): string {
  const bytes = new TextEncoder().encode(position);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function decodeCursor(params: AdminParams): string | undefined {
  const raw = one(params, 'next_cursor');
  if (raw === undefined || raw === '') return undefined;
  try {
    if (raw.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(raw)) throw new Error('shape');
    const binary = atob(raw.replace(/-/g, '+').replace(/_/g, '/'));
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    throw new CldError(400, `Invalid next_cursor ${raw.slice(0, 64)}`);
  }
}
