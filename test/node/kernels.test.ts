// The committed WebAssembly binaries are the ones scripts/build-wasm.sh recorded in BUILD.lock.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const dir = join(import.meta.dirname, '../../src/kernels');

it('every .wasm in src/kernels matches its sha256 in BUILD.lock, and BUILD.lock lists no other', () => {
  const recorded = Object.fromEntries(
    [...readFileSync(join(dir, 'BUILD.lock'), 'utf8').matchAll(/^([0-9a-f]{64}) {2}(\S+\.wasm)$/gm)].map((m) => [m[2], m[1]]),
  );
  const actual = Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith('.wasm'))
      .map((f) => [
        f,
        createHash('sha256')
          .update(readFileSync(join(dir, f)))
          .digest('hex'),
      ]),
  );
  expect(actual).toEqual(recorded);
});
