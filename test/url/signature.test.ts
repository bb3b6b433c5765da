import { describe, expect, it } from 'vitest';
import { apiSignature, apiStringToSign, deliverySignature, verifyApiSignature, verifyDeliverySignature } from '../../src/url/signature';
import { parseDeliveryPath } from '../../src/url/delivery-url';

// Vectors from ../shared/docs/cloudinary-url-api.md, "Test vectors" A and B (SDK tests, api_secret "b").
describe('delivery signatures (vectors A)', () => {
  const cases: [string, 'sha1' | 'sha256', 8 | 32, string][] = [
    ['c_crop,h_20,w_10/image.jpg', 'sha1', 8, 'Ai4Znfl3'],
    ['image.jpg', 'sha1', 8, '---SjmNDA'.slice(1)],
    ['sample.jpg', 'sha1', 8, 'v2fTPYTu'],
    ['sample.jpg', 'sha256', 8, '2hbrSMPO'],
    ['sample.jpg', 'sha256', 32, '2hbrSMPOjj5BJ4xV7SgFbRDevFaQNUFf'],
    ['http://google.com/path/to/image.png', 'sha1', 8, 'hH_YcbiS'],
    ['co_red,l_text:Times_70_bold:Cool%25F0%259F%2598%258D/image.jpg', 'sha1', 8, 'Uqk1a-5W'],
  ];
  for (const [toSign, algo, len, expected] of cases) {
    it(`${algo}/${len} of ${toSign}`, async () => {
      expect(await deliverySignature(toSign, 'b', algo, len)).toBe(expected);
      expect(await verifyDeliverySignature(toSign, expected, 'b')).toBe(true);
      expect(await verifyDeliverySignature(toSign, expected, 'c')).toBe(false);
    });
  }

  it('excludes the version from what is signed', async () => {
    const withVersion = parseDeliveryPath('/test123/image/upload/s--Ai4Znfl3--/c_crop,h_20,w_10/v1234/image.jpg', 'x');
    const without = parseDeliveryPath('/test123/image/upload/s--Ai4Znfl3--/c_crop,h_20,w_10/image.jpg', 'x');
    const authenticated = parseDeliveryPath('/test123/image/authenticated/s--Ai4Znfl3--/c_crop,h_20,w_10/v1234/image.jpg', 'x');
    for (const url of [withVersion, without, authenticated]) {
      expect(url.toSign).toBe('c_crop,h_20,w_10/image.jpg');
      expect(await verifyDeliverySignature(url.toSign, url.signature!, 'b')).toBe(true);
    }
    expect(await deliverySignature('v1234/image.jpg', 'b', 'sha1', 8)).toBe('ZlgFLQcO');
    const bare = parseDeliveryPath('/test123/image/upload/s----SjmNDA--/v1234/image.jpg', 'x');
    expect(bare.signature).toBe('--SjmNDA');
    expect(await verifyDeliverySignature(bare.toSign, bare.signature!, 'b')).toBe(true);
  });

  it('signs the private-CDN authenticated form', async () => {
    const url = parseDeliveryPath('/image/authenticated/s--v2fTPYTu--/v1486020273/sample.jpg', 'test123');
    expect(url.cloud).toBe('test123');
    expect(await verifyDeliverySignature(url.toSign, url.signature!, 'b')).toBe(true);
  });
});

describe('API signatures (vectors B)', () => {
  it('signs sorted parameters with SHA-1 and SHA-256', async () => {
    const params = { cloud_name: 'dn6ot3ged', timestamp: 1568810420, username: 'user@cloudinary.com' };
    const secret = 'hdcixPpR2iKERPwqvH6sHdK9cyac';
    expect(apiStringToSign(params, 2)).toBe('cloud_name=dn6ot3ged&timestamp=1568810420&username=user@cloudinary.com');
    expect(await apiSignature(params, secret, 'sha1')).toBe('14c00ba6d0dfdedbc86b316847d95b9e6cd46d94');
    expect(await apiSignature(params, secret, 'sha256')).toBe('45ddaa4fa01f0c2826f32f669d2e4514faf275fe6df053f1a150e7beae58a3bd');
  });

  it('escapes & inside values in signature version 2 only', async () => {
    const secret = 'hdcixPpR2iKERPwqvH6sHdK9cyac';
    const smuggled = { cloud_name: 'dn6ot3ged', timestamp: 1568810420, notification_url: 'https://fake.com/callback?a=1&tags=hello,world' };
    expect(apiStringToSign(smuggled, 2)).toBe('cloud_name=dn6ot3ged&notification_url=https://fake.com/callback?a=1%26tags=hello,world&timestamp=1568810420');
    expect(await apiSignature(smuggled, secret, 'sha1', 2)).toBe('4fdf465dd89451cc1ed8ec5b3e314e8a51695704');
    const split = { cloud_name: 'dn6ot3ged', timestamp: 1568810420, notification_url: 'https://fake.com/callback?a=1', tags: 'hello,world' };
    expect(await apiSignature(split, secret, 'sha1', 1)).toBe('7b4e3a539ff1fa6e6700c41b3a2ee77586a025f9');
    // A signature of the split form must not authorise the smuggled one.
    expect(await verifyApiSignature(split, '7b4e3a539ff1fa6e6700c41b3a2ee77586a025f9', secret)).toBe(true);
    expect(await verifyApiSignature(smuggled, '7b4e3a539ff1fa6e6700c41b3a2ee77586a025f9', secret)).toBe(false);
    expect(await verifyApiSignature(smuggled, '4fdf465dd89451cc1ed8ec5b3e314e8a51695704', secret)).toBe(true);
  });

  it('matches the remaining vectors', async () => {
    expect(await apiSignature({ public_id: 'folder/file', version: 1234 }, 'b')).toBe('7a3349cbb373e4812118d625047ede50b90e7b67');
    const response = { public_id: 'tests/logo.png', version: 1 };
    expect(await apiSignature(response, 'X7qLTrsES31MzxxkxPPA-pAGGfU', 'sha1', 1)).toBe('08d3107a5b2ad82e7d82c0b972218fbf20b5b1e0');
    expect(await apiSignature(response, 'X7qLTrsES31MzxxkxPPA-pAGGfU', 'sha256', 1)).toBe('cc69ae4ed73303fbf4a55f2ae5fc7e34ad3a5c387724bfcde447a2957cacdfea');
  });
});

describe('notification signatures (vectors B)', () => {
  it('body + timestamp + secret', async () => {
    const { notificationSignature } = await import('../../src/url/signature');
    expect(await notificationSignature('{}', 0, 'someApiSecret', 'sha256')).toBe('d5497e1a206ad0ba29ad09a7c0c5f22e939682d15009c15ab3199f62fefbd14b');
  });
});
