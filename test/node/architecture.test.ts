// Which room may import which (README "Architecture"): the URL grammar imports nothing else, the
// planner only the grammar (so it stays pure and testable without pixels), the pixel rooms never
// reach back into HTTP, storage or jobs. madge (npm run cycles) checks that there are no cycles.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { expect, it } from 'vitest';

const src = resolve(import.meta.dirname, '../../src');
const files = (readdirSync(src, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => join(src, f));
const room = (file: string) => relative(src, file).split('/')[0].replace(/\.ts$/, '');

const PIXEL_ROOMS = ['pixels', 'ops', 'codecs', 'kernels'];
// errors.ts (the one error type) is a leaf every room may use.
const ALLOWED: Record<string, (to: string) => boolean> = {
  errors: () => false,
  url: (to) => to === 'url' || to === 'errors',
  plan: (to) => to === 'plan' || to === 'url' || to === 'errors',
  ...Object.fromEntries(PIXEL_ROOMS.map((r) => [r, (to: string) => [...PIXEL_ROOMS, 'plan', 'url', 'errors'].includes(to)])),
};

it('the grammar, the planner and the pixel rooms import only the rooms below them', () => {
  const bad: string[] = [];
  for (const file of files) {
    const from = room(file);
    const allowed = ALLOWED[from];
    if (!allowed) continue;
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
      const to = room(resolve(dirname(file), m[1]));
      if (!allowed(to)) bad.push(`${relative(src, file)} imports ${m[1]} (${to})`);
    }
  }
  expect(bad).toEqual([]);
});
