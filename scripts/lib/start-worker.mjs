// Starts the Worker in local workerd through wrangler's API (offline, no persistence) for Node-side
// tests and benchmarks. Returns { url, dispose }.
import { join } from 'node:path';

Object.assign(process.env, {
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_SEND_ERROR_REPORTS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  WRANGLER_HIDE_BANNER: 'true',
});

export async function startWorker({ secret = 'node-test-secret', vars = {} } = {}) {
  const { unstable_startWorker } = await import('wrangler');
  const root = join(import.meta.dirname, '../..');
  const bindings = { API_SECRET: { type: 'plain_text', value: secret } };
  for (const [k, v] of Object.entries(vars)) bindings[k] = { type: 'plain_text', value: String(v) };
  const worker = await unstable_startWorker({
    config: join(root, 'wrangler.toml'),
    bindings,
    dev: { persist: false, watch: false, logLevel: 'warn', inspector: false, server: { hostname: '127.0.0.1', port: 0 } },
  });
  const url = (await worker.url).toString().replace(/\/$/, '');
  return { url, dispose: () => worker.dispose() };
}
