// Shared by the benchmarks: settings and signed calls (scripts/lib/api.mjs) with the benchmarks' secret.
import * as api from '../scripts/lib/api.mjs';

export const { root, CLOUD } = api;
/** The API secret the benchmarks start their Worker with. */
export const SECRET = 'bench-secret';

/** Command-line option `--name value`, or the fallback. */
export function option(name, fallback) {
  const args = process.argv.slice(2);
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
}

export const upload = (origin, publicId, bytes) => api.upload(origin, SECRET, publicId, bytes);
export const signed = (rest) => api.signed(SECRET, rest);
