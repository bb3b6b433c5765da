/** Helpers for tests that go through the Worker (workerd, real local R2). */
import { env, exports } from 'cloudflare:workers';
import { readHeader, type ImageHeader } from '../../src/codecs/header';
import { apiSignature } from '../../src/url/signature';

export const CLOUD = 'demo';
export const SECRET = 'test-secret';

export async function fixture(name: string): Promise<Uint8Array> {
  const res = await env.FIXTURES.fetch(`http://f/${name}`);
  if (!res.ok) throw new Error(`fixture ${name}: ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

export function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Response> {
  return exports.default.fetch(new Request(`http://localhost${path}`, { method, headers }));
}

export async function signedForm(params: Record<string, string>, file?: Uint8Array | string, secret = SECRET): Promise<FormData> {
  const all: Record<string, string> = { timestamp: String(Math.floor(Date.now() / 1000)), ...params };
  const form = new FormData();
  for (const [k, v] of Object.entries(all)) form.set(k, v);
  form.set('api_key', env.API_KEY);
  form.set('signature', await apiSignature(all, secret));
  if (typeof file === 'string') form.set('file', file);
  else if (file !== undefined) form.set('file', new Blob([file]), 'upload.bin');
  return form;
}

export async function upload(publicId: string, file: Uint8Array, params: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const res = await postForm(`/v1_1/${CLOUD}/image/upload`, await signedForm({ public_id: publicId, ...params }, file));
  if (!res.ok) throw new Error(`upload ${publicId}: ${res.status} ${await res.text()}`);
  return res.json();
}

export function postForm(path: string, form: FormData): Promise<Response> {
  return exports.default.fetch(new Request(`http://localhost${path}`, { method: 'POST', body: form }));
}

/** Fetches an image URL and reads its real format and size from the bytes. */
export async function image(path: string, headers: Record<string, string> = {}): Promise<{ res: Response; bytes: Uint8Array; header: ImageHeader }> {
  const res = await get(path, headers);
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${res.headers.get('X-Cld-Error')}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { res, bytes, header: readHeader(bytes) };
}

export const dims = (h: ImageHeader) => `${h.width}x${h.height}`;

/** WASM memory of every codec module instantiated in this isolate (/_dprox/memory, DIAGNOSTICS): never shrinks, so it is the high-water mark. */
export async function wasmMemory(): Promise<{ total: number; modules: Record<string, number> }> {
  const res = await get('/_dprox/memory');
  if (res.status !== 200) throw new Error(`/_dprox/memory answered ${res.status}`);
  return res.json();
}
