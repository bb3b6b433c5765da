// Several API key/secret pairs (API_KEYS, for rotation): each works for uploads, the Admin API and delivery signatures.
import { env } from 'cloudflare:workers';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { parseApiKeys } from '../../src/config';
import worker from '../../src/index';
import { apiSignature, deliverySignature } from '../../src/url/signature';
import { CLOUD, fixture, SECRET } from './worker';

const rotated: Env = { ...env, API_KEYS: 'next-key:next-secret, third-key:third:secret' };

async function send(request: Request, e = rotated): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(request, e, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

async function uploadWith(key: string, secret: string, publicId: string, e = rotated): Promise<Response> {
  const params = { public_id: publicId, timestamp: String(Math.floor(Date.now() / 1000)) };
  const form = new FormData();
  for (const [k, v] of Object.entries(params)) form.set(k, v);
  form.set('api_key', key);
  form.set('signature', await apiSignature(params, secret));
  form.set('file', new Blob([await fixture('small.jpg')]), 'a.jpg');
  return send(new Request(`http://localhost/v1_1/${CLOUD}/image/upload`, { method: 'POST', body: form }), e);
}

const basic = (key: string, secret: string) => ({ Authorization: `Basic ${btoa(`${key}:${secret}`)}` });

describe('API_KEYS', () => {
  it('every pair signs uploads, opens the Admin API and signs delivery URLs; a key with another pair’s secret does not', async () => {
    for (const [key, secret] of [
      [env.API_KEY, SECRET],
      ['next-key', 'next-secret'],
      ['third-key', 'third:secret'],
    ]) {
      expect((await uploadWith(key, secret, `keys/${key}`)).status).toBe(200);
      expect((await send(new Request(`http://localhost/v1_1/${CLOUD}/transformations`, { headers: basic(key, secret) }))).status).toBe(200);
      const sig = await deliverySignature(`c_scale,w_20/keys/${key}.jpg`, secret, 'sha1', 8);
      expect((await send(new Request(`http://localhost/${CLOUD}/image/upload/s--${sig}--/c_scale,w_20/keys/${key}.jpg`))).status).toBe(200);
      const forged = await deliverySignature(`c_scale,w_20/keys/${key}.jpg`, 'not-a-secret', 'sha1', 8);
      expect((await send(new Request(`http://localhost/${CLOUD}/image/upload/s--${forged}--/c_scale,w_20/keys/${key}.jpg`))).status).toBe(401);
    }
    expect((await uploadWith('next-key', SECRET, 'keys/mixed')).status).toBe(401);
    expect((await send(new Request(`http://localhost/v1_1/${CLOUD}/transformations`, { headers: basic('next-key', SECRET) }))).status).toBe(401);
    // Without API_KEYS, the rotated pair is unknown.
    expect((await uploadWith('next-key', 'next-secret', 'keys/old', env)).status).toBe(401);
  });

  it('parses key:secret pairs (the secret may hold colons) and names a malformed entry', () => {
    expect(parseApiKeys(' a:b , c:d:e ')).toEqual([
      { key: 'a', secret: 'b' },
      { key: 'c', secret: 'd:e' },
    ]);
    expect(parseApiKeys(undefined)).toEqual([]);
    expect(() => parseApiKeys('lonely')).toThrow(/API_KEYS/);
    expect(() => parseApiKeys('k:')).toThrow(/entry k is not key:secret/);
  });
});
