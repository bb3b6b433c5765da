// Cloudinary's token format against the SDKs' own test vectors (pycloudinary test_auth_token.py, key 00112233FF99).
import { describe, expect, it } from 'vitest';
import { aclMatches, escapeToLower, parseTokenKey, verifyAuthToken } from '../../src/url/auth-token';

const key = parseTokenKey('00112233FF99');
const check = (path: string, now: number, aclPaths = [path]) => ({ path, aclPaths, now });

describe('auth tokens', () => {
  it('accepts the SDK vectors inside their window, and nothing outside it', async () => {
    const acl = 'st=1111111111~exp=1111111411~acl=%2fimage%2f*~hmac=1751370bcc6cfe9e03f30dd1a9722ba0f2cdca283fa3e6df3342a00a7528cc51';
    expect(await verifyAuthToken(acl, key, check('/image/upload/x.jpg', 1111111200))).toEqual({ ok: true, kind: 'acl' });
    expect(await verifyAuthToken(acl, key, check('/image/upload/x.jpg', 1111111000))).toEqual({ ok: false, reason: 'token not valid yet (st)' });
    expect(await verifyAuthToken(acl, key, check('/image/upload/x.jpg', 1111111412))).toEqual({ ok: false, reason: 'token expired' });
    expect(await verifyAuthToken(acl, key, check('/video/upload/x.jpg', 1111111200))).toEqual({ ok: false, reason: 'deny or ACL failure' });
    const url = 'st=11111111~exp=11111411~hmac=8db0d753ee7bbb9e2eaf8698ca3797436ba4c20e31f44527e43b6a6e995cfdb3';
    expect(await verifyAuthToken(url, key, check('/image/authenticated/v1486020273/sample.jpg', 11111200))).toEqual({ ok: true, kind: 'url' });
    expect((await verifyAuthToken(url, key, check('/image/authenticated/v1486020273/other.jpg', 11111200))).ok).toBe(false);
    expect((await verifyAuthToken(acl.replace('acl=%2fimage%2f*', 'acl=%2f*'), key, check('/image/upload/x.jpg', 1111111200))).ok).toBe(false);
  });

  it('refuses malformed tokens with a reason', async () => {
    for (const bad of ['', 'exp=1', 'exp=x~hmac=00', 'foo=1~exp=1~hmac=00', 'exp=1~exp=2~hmac=00', 'x'.repeat(5000)])
      expect((await verifyAuthToken(bad, key, check('/image/a', 0))).ok).toBe(false);
  });

  it('escapes as the SDKs do and matches ACL wildcards across slashes, the whole path', () => {
    expect(escapeToLower('/image/authenticated/v1/sample.jpg')).toBe('%2fimage%2fauthenticated%2fv1%2fsample.jpg');
    expect(escapeToLower('a b*!c')).toBe('a%20b*!c');
    expect(aclMatches('/image/*', '/image/upload/a/b.jpg')).toBe(true);
    expect(aclMatches('/*/t_foobar/*', '/image/authenticated/t_foobar/x.jpg')).toBe(true);
    expect(aclMatches('/*/t_foobar/*', '/image/authenticated/t_other/x.jpg')).toBe(false);
    expect(aclMatches('/image/a.jpg', '/image/a.jpg.png')).toBe(false);
    expect(aclMatches('/a*a', '/a')).toBe(false);
    expect(aclMatches('*', '')).toBe(true);
  });
});
