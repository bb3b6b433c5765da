// The committed WebAssembly binaries are the ones their build scripts recorded: scripts/build-wasm.sh
// in BUILD.lock, scripts/build-avif.sh in avif-encode.lock (the .wasm and its emscripten glue).
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const dir = join(import.meta.dirname, '../../src/kernels');
const LOCKS = ['BUILD.lock', 'avif-encode.lock'];

it('every .wasm in src/kernels (and the AVIF glue) matches its sha256 in a lock file, and the locks list no other', () => {
  const recorded = Object.fromEntries(
    LOCKS.flatMap((lock) => [...readFileSync(join(dir, lock), 'utf8').matchAll(/^([0-9a-f]{64}) {2}(\S+\.(?:wasm|mjs))$/gm)].map((m) => [m[2], m[1]])),
  );
  const actual = Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith('.wasm') || f.endsWith('.mjs'))
      .map((f) => [
        f,
        createHash('sha256')
          .update(readFileSync(join(dir, f)))
          .digest('hex'),
      ]),
  );
  expect(actual).toEqual(recorded);
});
