import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:workers';
import { timingSafeEqual } from '../../src/url/signature';
import { CLOUD, get } from '../routes/worker';

describe('timingSafeEqual', () => {
  it('is true only for equal strings', () => {
    expect(timingSafeEqual('614335564976464:test-secret', '614335564976464:test-secret')).toBe(true);
    expect(timingSafeEqual('', '')).toBe(true);
    expect(timingSafeEqual('614335564976464:test-secreT', '614335564976464:test-secret')).toBe(false);
    expect(timingSafeEqual('X14335564976464:test-secret', '614335564976464:test-secret')).toBe(false);
  });

  it('refuses prefixes, extensions and other lengths (it loops over the expected length only)', () => {
    expect(timingSafeEqual('abc', 'abcd')).toBe(false);
    expect(timingSafeEqual('abcd', 'abc')).toBe(false);
    expect(timingSafeEqual('', 'abc')).toBe(false);
    expect(timingSafeEqual('abc', '')).toBe(false);
    // A character whose code differs from the expected one only by a bit that NaN | 0 would hide.
    expect(timingSafeEqual('ab', 'ab\u0000')).toBe(false);
  });

  it('guards the Admin API credentials', async () => {
    const basic = (pair: string) => ({ Authorization: `Basic ${btoa(pair)}` });
    expect((await get(`/v1_1/${CLOUD}/usage`, basic(`${env.API_KEY}:test-secre`))).status).toBe(401);
    expect((await get(`/v1_1/${CLOUD}/usage`, basic(`${env.API_KEY}:test-secretX`))).status).toBe(401);
    expect((await get(`/v1_1/${CLOUD}/usage`, basic(`${env.API_KEY}:test-secret`))).status).toBe(200);
  });
});
