// The project's cloud settings (wrangler.toml) and the two signed calls a client makes, for the
// dev script and the benchmarks: an upload through the upload API and a signed delivery path.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const root = join(import.meta.dirname, '../..');
const toml = readFileSync(join(root, 'wrangler.toml'), 'utf8');
export const CLOUD = /^CLOUD_NAME\s*=\s*"([^"]+)"/m.exec(toml)[1];
export const API_KEY = /^API_KEY\s*=\s*"([^"]+)"/m.exec(toml)[1];
/** The unsigned upload preset `npm start` and the browser test give the demo page. */
export const DEMO_UPLOAD_PRESET = 'dprox_demo';

/** Uploads bytes under publicId with a Cloudinary API signature (SHA-1 of the sorted parameters + secret). */
export async function upload(origin, secret, publicId, bytes, filename = `${publicId.split('/').pop()}.bin`) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = createHash('sha1').update(`public_id=${publicId}&timestamp=${timestamp}${secret}`).digest('hex');
  const form = new FormData();
  form.set('file', new Blob([bytes]), filename);
  for (const [k, v] of Object.entries({ public_id: publicId, timestamp, api_key: API_KEY, signature })) form.set(k, v);
  const res = await fetch(`${origin}/v1_1/${CLOUD}/image/upload`, { method: 'POST', body: form });
  if (!res.ok) throw new Error(`upload ${publicId}: ${res.status} ${await res.text()}`);
}

/** A delivery path signed like the SDKs do (SHA-1, 8 characters, version excluded). */
export function signed(secret, rest) {
  return `s--${createHash('sha1')
    .update(rest + secret)
    .digest('base64url')
    .slice(0, 8)}--/${rest}`;
}
