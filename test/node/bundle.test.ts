// The deployable bundle must fit Cloudflare's paid-plan Worker size limit (10 MiB after gzip):
// onnxruntime-web's wasm alone is 3.5 MiB of it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';

it('wrangler deploy --dry-run: the bundle is under 10 MiB gzip', () => {
  const out = mkdtempSync(join(tmpdir(), 'dprox-dry-'));
  try {
    const log = execFileSync('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', out], {
      cwd: join(import.meta.dirname, '../..'),
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_SEND_ERROR_REPORTS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
      encoding: 'utf8',
    });
    const m = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(log);
    expect(m, log).not.toBeNull();
    const gzipMiB = Number(m![2]) / 1024;
    console.log(`bundle: ${(Number(m![1]) / 1024).toFixed(2)} MiB, gzip ${gzipMiB.toFixed(2)} MiB`);
    expect(gzipMiB).toBeLessThan(10);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
