// Shared by the benchmarks: the project's cloud settings and a signed upload to a running Worker.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const root = join(import.meta.dirname, '..');
const toml = readFileSync(join(root, 'wrangler.toml'), 'utf8');
export const CLOUD = /^CLOUD_NAME\s*=\s*"([^"]+)"/m.exec(toml)[1];
export const API_KEY = /^API_KEY\s*=\s*"([^"]+)"/m.exec(toml)[1];
/** The API secret the benchmarks start their Worker with. */
export const SECRET = 'bench-secret';

/** Command-line option `--name value`, or the fallback. */
export function option(name, fallback) {
  const args = process.argv.slice(2);
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
}

/** Uploads bytes through the upload API with a Cloudinary API signature. */
export async function upload(url, publicId, bytes) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = createHash('sha1').update(`public_id=${publicId}&timestamp=${timestamp}${SECRET}`).digest('hex');
  const form = new FormData();
  form.set('file', new Blob([bytes]), `${publicId.split('/').pop()}.bin`);
  for (const [k, v] of Object.entries({ public_id: publicId, timestamp, api_key: API_KEY, signature })) form.set(k, v);
  const res = await fetch(`${url}/v1_1/${CLOUD}/image/upload`, { method: 'POST', body: form });
  if (!res.ok) throw new Error(`upload ${publicId}: ${res.status} ${await res.text()}`);
}

/** A delivery path signed like the SDKs do (SHA-1, 8 characters). */
export function signed(rest) {
  return `s--${createHash('sha1').update(rest + SECRET).digest('base64url').slice(0, 8)}--/${rest}`;
}
