import { env, exports } from 'cloudflare:workers';
import { expect, it } from 'vitest';

it('runs inside workerd and reaches the fixtures service', async () => {
  expect(navigator.userAgent).toBe('Cloudflare-Workers');
  const res = await exports.default.fetch('http://x/');
  expect(await res.text()).toContain('dprox');
  expect(await (await env.FIXTURES.fetch('http://f/hello.txt')).text()).toBe('hello\n');
});
