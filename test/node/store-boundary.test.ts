// src/store/ owns R2: no other file names the bucket binding or spells an R2 key (src/store/keys.ts).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const src = join(root, 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return /\.ts$/.test(e.name) ? [path] : [];
  });
}

const outsideStore = sources(src).filter((f) => !relative(src, f).startsWith('store/'));

it('scans the sources', () => {
  expect(outsideStore.length).toBeGreaterThan(50);
});

it('no file outside src/store/ references the R2 binding', () => {
  const offenders = outsideStore.flatMap((f) =>
    readFileSync(f, 'utf8')
      .split('\n')
      .flatMap((line, i) => (/\bIMAGES\b/.test(line) ? [`${relative(root, f)}:${i + 1}: ${line.trim()}`] : [])),
  );
  expect(offenders).toEqual([]);
});

it('no file outside src/store/ spells an R2 key', () => {
  const key = /[`'"](original|incoming|derived|ai|jobs|fetch)\//;
  const offenders = outsideStore.flatMap((f) =>
    readFileSync(f, 'utf8')
      .split('\n')
      .flatMap((line, i) => (key.test(line) ? [`${relative(root, f)}:${i + 1}: ${line.trim()}`] : [])),
  );
  expect(offenders).toEqual([]);
});
