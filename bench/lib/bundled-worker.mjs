// The Worker as deployed (`wrangler deploy --dry-run --outdir`: index.js plus its .wasm, .onnx and
// .ttf modules), run by Miniflare in local workerd with nothing in front of it: no wrangler proxy in
// the benchmark's own process (scripts/lib/start-worker.mjs has one), so a load run measures workerd
// and a start measures workerd loading this bundle. Local storage (R2, Cache API, Durable Objects)
// persists under `persist` when given, so that a second process starts with the first one's derived
// copies. Used by bench/throughput.mjs and bench/cold-start.mjs.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { Miniflare } from 'miniflare'; // wrangler's own (it pins the version), not a dependency of ours
import { root } from './../lib.mjs';

Object.assign(process.env, { WRANGLER_SEND_METRICS: 'false', WRANGLER_SEND_ERROR_REPORTS: 'false', WRANGLER_HIDE_BANNER: 'true' });

const OUT = join(root, 'bench/.out/bundle');

/** Bundles the Worker once per run (about 3 s); returns the folder and the bundle's size. */
export function bundle() {
  execFileSync(join(root, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--outdir', OUT], { cwd: root, stdio: 'ignore' });
  let bytes = 0;
  let wasm = 0;
  for (const f of readdirSync(OUT)) {
    if (f.endsWith('.map') || f === 'README.md') continue;
    const size = statSync(join(OUT, f)).size;
    bytes += size;
    if (f.endsWith('.wasm')) wasm += size;
  }
  return { dir: OUT, bytes, wasm };
}

const TYPES = { '.js': 'ESModule', '.wasm': 'CompiledWasm', '.onnx': 'Data', '.ttf': 'Data' };
function modules(dir) {
  const files = readdirSync(dir).filter((f) => TYPES[extname(f)]);
  files.sort((a, b) => (a === 'index.js' ? -1 : b === 'index.js' ? 1 : a.localeCompare(b))); // the main module first
  return files.map((f) => ({ type: TYPES[extname(f)], path: join(dir, f) }));
}

async function vars() {
  const { unstable_readConfig } = await import('wrangler');
  const config = unstable_readConfig({ config: join(root, 'wrangler.toml') });
  return { vars: config.vars, compatibilityDate: config.compatibility_date, compatibilityFlags: config.compatibility_flags ?? [] };
}

const persistence = (persist, cache) =>
  persist
    ? { r2Persist: join(persist, 'r2'), cachePersist: cache ? join(persist, 'cache') : false, durableObjectsPersist: join(persist, 'do') }
    : { r2Persist: false, cachePersist: false, durableObjectsPersist: false };

/**
 * Starts workerd on the bundle. Returns { url, dispose, startMs }: startMs is new Miniflare() to
 * ready (workerd spawned, its config and this script loaded: every module compiled, the main module
 * evaluated, the socket listening). `cache: false` keeps the Cache API in memory while R2 persists
 * (a new colo's empty edge cache in front of the same bucket).
 */
export async function startBundled({ dir = OUT, secret, vars: extra = {}, persist, cache = true } = {}) {
  const config = await vars();
  const t0 = performance.now();
  const mf = new Miniflare({
    host: '127.0.0.1',
    port: 0,
    // Listed, not discovered: the bundle has dynamic imports (onnxruntime's) that Miniflare cannot follow.
    modulesRoot: dir,
    modules: modules(dir),
    compatibilityDate: config.compatibilityDate,
    compatibilityFlags: config.compatibilityFlags,
    bindings: { ...config.vars, API_SECRET: secret, ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, String(v)])) },
    r2Buckets: ['IMAGES'],
    durableObjects: { AI_JOBS: { className: 'AiJobs', useSQLite: true }, USAGE: { className: 'Usage', useSQLite: true } },
    ...persistence(persist, cache),
  });
  const url = (await mf.ready).toString().replace(/\/$/, '');
  const startMs = performance.now() - t0;
  return { url, startMs, dispose: () => mf.dispose() };
}

/**
 * The reference for startMs: the same Miniflare configuration (bindings, R2, both Durable Object
 * classes, persistence) on a script of a few lines, so that the difference is this bundle's load.
 */
export async function startEmpty({ persist } = {}) {
  const dir = join(root, 'bench/.out/empty-worker');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'index.js'),
    `import { DurableObject } from 'cloudflare:workers';
export class AiJobs extends DurableObject {}
export class Usage extends DurableObject {}
export default { fetch: () => new Response('ok') };
`,
  );
  return startBundled({ dir, secret: 'x', persist });
}
