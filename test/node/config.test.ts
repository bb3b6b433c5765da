// What `wrangler deploy` ships: the demo (which signs AI URLs), diagnostics and unsigned AI stay off.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

it('wrangler.toml keeps DEMO, DIAGNOSTICS and AI_UNSIGNED off for production', () => {
  const toml = readFileSync(join(import.meta.dirname, '../../wrangler.toml'), 'utf8');
  const vars = toml.slice(toml.indexOf('[vars]'), toml.indexOf('\n[', toml.indexOf('[vars]') + 1));
  const value = (name: string) => new RegExp(`^${name}\\s*=\\s*"([^"]*)"`, 'm').exec(vars)?.[1];
  expect(value('DEMO')).toBe('false');
  expect(value('DIAGNOSTICS')).toBe('false');
  expect(value('AI_UNSIGNED')).toBe('false');
});
