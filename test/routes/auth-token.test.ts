// Token-based access to authenticated images through the Worker (AUTH_TOKEN_KEY in vitest.config.ts).
import { describe, expect, it } from 'vitest';
import { escapeToLower } from '../../src/url/auth-token';
import { CLOUD, dims, fixture, get, image, upload } from './worker';

const KEY = '00112233FF99';

async function hmac(message: string): Promise<string> {
  const raw = Uint8Array.from(KEY.match(/../g) as string[], (b) => Number.parseInt(b, 16));
  const k = await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return Array.from(new Uint8Array(await crypto.subtle.sign('HMAC', k, new TextEncoder().encode(message))), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** generate_auth_token's algorithm, written out. */
async function token(o: { st?: number; exp: number; acl?: string; url?: string; ip?: string }): Promise<string> {
  const parts = [
    ...(o.ip ? [`ip=${o.ip}`] : []),
    ...(o.st !== undefined ? [`st=${o.st}`] : []),
    `exp=${o.exp}`,
    ...(o.acl ? [`acl=${escapeToLower(o.acl)}`] : []),
  ];
  const toSign = o.acl ? parts : [...parts, `url=${escapeToLower(o.url ?? '')}`];
  return `${[...parts, `hmac=${await hmac(toSign.join('~'))}`].join('~')}`;
}

const now = () => Math.floor(Date.now() / 1000);

describe('authenticated delivery with __cld_token__', () => {
  it('a URL token, an ACL token (query or cookie) and their refusals', async () => {
    await upload('tok/cat', await fixture('medium.jpg'), { type: 'authenticated' });
    const path = `/${CLOUD}/image/authenticated/c_scale,w_64/tok/cat.jpg`;
    expect((await get(path)).status).toBe(401);
    const urlToken = await token({ exp: now() + 300, url: path });
    expect(dims((await image(`${path}?__cld_token__=${urlToken}`)).header)).toBe('64x43');
    const other = await get(`/${CLOUD}/image/authenticated/c_scale,w_65/tok/cat.jpg?__cld_token__=${urlToken}`);
    expect(other.status).toBe(401);
    expect(other.headers.get('X-Cld-Error')).toMatch(/token signature does not match/);

    const acl = await token({ st: now() - 10, exp: now() + 300, acl: '/image/authenticated/*' });
    expect((await get(`${path}?__cld_token__=${acl}`)).status).toBe(200);
    expect((await get(path, { Cookie: `other=1; __cld_token__=${acl}` })).status).toBe(200);
    expect((await get(`/image/authenticated/c_scale,w_66/tok/cat.jpg`, { Cookie: `__cld_token__=${acl}` })).status).toBe(200);

    const narrow = await token({ exp: now() + 300, acl: '/image/authenticated/*/other/*' });
    expect((await get(`${path}?__cld_token__=${narrow}`)).headers.get('X-Cld-Error')).toMatch(/ACL failure/);
    const expired = await token({ exp: now() - 1, acl: '/image/*' });
    expect((await get(`${path}?__cld_token__=${expired}`)).headers.get('X-Cld-Error')).toMatch(/expired/);
    const early = await token({ st: now() + 600, exp: now() + 900, acl: '/image/*' });
    expect((await get(`${path}?__cld_token__=${early}`)).headers.get('X-Cld-Error')).toMatch(/not valid yet/);
    const ip = await token({ ip: '203.0.113.9', exp: now() + 300, acl: '/image/*' });
    expect((await get(`${path}?__cld_token__=${ip}`, { 'CF-Connecting-IP': '203.0.113.9' })).status).toBe(200);
    expect((await get(`${path}?__cld_token__=${ip}`, { 'CF-Connecting-IP': '203.0.113.10' })).status).toBe(401);
  });
});
