// fetchRemote against a real HTTP origin on 127.0.0.1 (test/remote/origin-server.ts, reached through
// the outboundService in vitest.config.ts). The origin is a loopback IP literal, so it is refused by
// the default policy and needs `allowPrivate` plus an allowlist entry naming its port to be served.
import { describe, expect, inject, it } from 'vitest';
import { type FetchLimits, type FetchedImage, RemoteFetchError, fetchRemote, imageSignature } from '../../src/remote/fetch';
import { DEFAULT_FETCH_POLICY, type FetchPolicy } from '../../src/remote/policy';
import { ImageError } from '../../src/pixels/errors';
import { CldError } from '../../src/url/errors';

const origin = inject('remoteOrigin');
const port = new URL(origin).port;
const host = `127.0.0.1:${port}`;
/** The same origin under a host name (mapped by the outboundService), over "https". */
const alias = `https://origin.test:${port}`;
const local: FetchPolicy = { ...DEFAULT_FETCH_POLICY, allowedHosts: [host], allowHttp: true, allowPrivate: true };

async function fixture(name: string): Promise<Uint8Array> {
  return new Uint8Array(await (await fetch(`${origin}/img/${name}`)).arrayBuffer());
}

/** Byte equality without vitest's element-by-element diffing of 200 kB arrays. */
function expectSameBytes(got: Uint8Array, want: Uint8Array): void {
  expect(got.length).toBe(want.length);
  expect(got.every((b, i) => b === want[i])).toBe(true);
}

/** The error fetchRemote throws (fails the test if it resolves). */
async function refusal(url: string, policy: FetchPolicy = local, limits: Partial<FetchLimits> = {}): Promise<{ status: number; message: string }> {
  try {
    await fetchRemote(url, policy, limits);
  } catch (e) {
    expect(e instanceof CldError || e instanceof ImageError, String(e)).toBe(true);
    return { status: (e as CldError).status, message: (e as Error).message };
  }
  throw new Error(`${url} was fetched`);
}

describe('the test origin under the default policy and when allowlisted', () => {
  it('is refused by default (fetch disabled, http, loopback literal)', async () => {
    expect(await refusal(`${origin}/img/alpha.png`, DEFAULT_FETCH_POLICY)).toEqual({
      status: 400,
      message: 'http:// remote URLs are not allowed (use https, or set FETCH_ALLOW_HTTP)',
    });
    expect(await refusal(`${origin}/img/alpha.png`, { ...DEFAULT_FETCH_POLICY, allowHttp: true })).toEqual({
      status: 400,
      message: `Remote host 127.0.0.1 is a loopback address`,
    });
    // Allowlisted but without allowPrivate: a loopback literal is still refused.
    expect((await refusal(`${origin}/img/alpha.png`, { ...local, allowPrivate: false })).message).toBe('Remote host 127.0.0.1 is a loopback address');
    // allowPrivate without the port in the allowlist.
    expect((await refusal(`${origin}/img/alpha.png`, { ...local, allowedHosts: ['127.0.0.1'] })).message).toMatch(/IP address literal; only allowlisted/);
  });

  it('is served when allowlisted with allowPrivate', async () => {
    const want = await fixture('alpha.png');
    const got = (await fetchRemote(`${origin}/img/alpha.png`, local)) as FetchedImage;
    expect(got.notModified).toBe(false);
    expectSameBytes(got.bytes, want);
    expect(got).toMatchObject({ contentType: 'image/png', format: 'png', lastModified: 'Wed, 01 Jan 2025 00:00:00 GMT', finalUrl: `${origin}/img/alpha.png` });
    expect(got.etag).toMatch(/^"[0-9a-f]{40}"$/);
  });

  it('an allowlisted host name is fetched over https without allowPrivate', async () => {
    const policy: FetchPolicy = { ...DEFAULT_FETCH_POLICY, allowedHosts: [`origin.test:${port}`] };
    const got = (await fetchRemote(`${alias}/img/gray.jpg`, policy)) as FetchedImage;
    expect(got).toMatchObject({ notModified: false, contentType: 'image/jpeg', format: 'jpg', finalUrl: `${alias}/img/gray.jpg` });
    expect((await refusal(`${alias}/img/gray.jpg`, { ...policy, allowedHosts: ['origin.test'] })).message).toBe(
      `Remote URL port ${port} is not allowed for origin.test`,
    );
  });

  it.each(['alpha.webp', 'alpha.gif', 'alpha.avif', 'gray.jpg', 'gray.png'])('every format: %s', async (name) => {
    const got = (await fetchRemote(`${origin}/img/${name}`, local)) as FetchedImage;
    expectSameBytes(got.bytes, await fixture(name));
    expect(got.contentType).toBe({ webp: 'image/webp', gif: 'image/gif', avif: 'image/avif', jpg: 'image/jpeg', png: 'image/png' }[name.split('.')[1]]);
  });
});

describe('content type and signature', () => {
  it('application/octet-stream or no Content-Type is kept when the bytes are an image', async () => {
    for (const type of ['application/octet-stream', 'binary/octet-stream', 'none']) {
      const got = (await fetchRemote(`${origin}/img/alpha.png?type=${encodeURIComponent(type)}`, local)) as FetchedImage;
      expect(got.contentType, type).toBe('image/png');
    }
    // The bytes decide the type: a PNG sent as image/jpeg is reported as image/png.
    expect(((await fetchRemote(`${origin}/img/alpha.png?type=image/jpeg`, local)) as FetchedImage).contentType).toBe('image/png');
  });

  it('refuses what is not a raster image', async () => {
    expect(await refusal(`${origin}/html`)).toEqual({ status: 400, message: `Error in loading ${origin}/html - not an image (Content-Type text/html)` });
    expect(await refusal(`${origin}/img/hello.txt`)).toEqual({
      status: 400,
      message: `Error in loading ${origin}/img/hello.txt - not an image (Content-Type text/plain)`,
    });
    expect(await refusal(`${origin}/img/hello.txt?type=application/octet-stream`)).toEqual({
      status: 400,
      message: `Error in loading ${origin}/img/hello.txt?type=application/octet-stream - not a JPEG, PNG, WebP, GIF, AVIF, BMP or TIFF image`,
    });
    expect((await refusal(`${origin}/text-as-image`)).message).toMatch(/not a JPEG, PNG, WebP, GIF, AVIF, BMP or TIFF image$/);
    expect((await refusal(`${origin}/svg`)).message).toMatch(/not a JPEG, PNG, WebP, GIF, AVIF, BMP or TIFF image$/);
  });

  it("hands on readHeader's verdict on the whole file (a corrupt or unsupported image)", async () => {
    // CMYK JPEG was the example here until it was supported (codecs/jpeg/decode.ts): HEIC is refused now.
    const heic = await refusal(`${origin}/img/heic-stub.heic`);
    expect(heic).toEqual({ status: 415, message: 'HEIF originals (heic) are not supported; upload JPEG, PNG, WebP, AVIF, GIF, BMP or TIFF' });
    expect(((await fetchRemote(`${origin}/img/cmyk.jpg`, local)) as FetchedImage).contentType).toBe('image/jpeg');
  });

  it('recognises the signatures', () => {
    const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
    expect(imageSignature(bytes('\xff\xd8\xff\xe0'))).toBe('jpg');
    expect(imageSignature(bytes('\x89PNG\r\n\x1a\n'))).toBe('png');
    expect(imageSignature(bytes('RIFF\0\0\0\0WEBPVP8 '))).toBe('webp');
    expect(imageSignature(bytes('GIF89a'))).toBe('gif');
    expect(imageSignature(bytes('\0\0\0\x1cftypavif\0\0\0\0avifmif1'))).toBe('avif');
    expect(imageSignature(bytes('\0\0\0\x18ftypheic\0\0\0\0mif1heic'))).toBe('heif');
    expect(imageSignature(bytes('\0\0\0\x18ftypisom\0\0\0\0isomiso2'))).toBeUndefined(); // MP4
    expect(imageSignature(bytes('<svg xmlns='))).toBeUndefined();
    expect(imageSignature(bytes('RIFF\0\0\0\0WAVE'))).toBeUndefined();
  });
});

describe('redirects', () => {
  it('follows up to 3 hops through allowed URLs', async () => {
    const got = (await fetchRemote(`${origin}/redirect/3/img/alpha.png`, local)) as FetchedImage;
    expect(got.finalUrl).toBe(`${origin}/img/alpha.png`);
    expectSameBytes(got.bytes, await fixture('alpha.png'));
  });

  it('refuses a 4th hop', async () => {
    expect(await refusal(`${origin}/redirect/4/img/alpha.png`)).toEqual({
      status: 400,
      message: `Error in loading ${origin}/redirect/1/img/alpha.png - more than 3 redirects`,
    });
    expect((await refusal(`${origin}/redirect/2/img/alpha.png`, { ...local, maxRedirects: 1 })).message).toMatch(/more than 1 redirects$/);
  });

  it('re-validates every Location', async () => {
    const to = (location: string, status = 302) => `${origin}/to?l=${encodeURIComponent(location)}&status=${status}`;
    const cases: [string, string][] = [
      // from the allowlisted name to the loopback literal behind it
      ['http://127.0.0.1/latest/meta-data/', 'Remote host 127.0.0.1 is a loopback address'],
      [`http://127.0.0.1:${port}/img/alpha.png`, 'Remote host 127.0.0.1 is a loopback address'],
      ['http://169.254.169.254/latest/meta-data/', 'is a cloud metadata address'],
      ['http://2852039166/latest/meta-data/', 'Remote host 169.254.169.254 is a cloud metadata address'],
      ['http://[::ffff:169.254.169.254]/', 'IPv4-mapped (embedding 169.254.169.254, cloud metadata)'],
      ['http://metadata.google.internal/computeMetadata/v1/', 'is a cloud metadata host'],
      [`http://localhost:${port}/img/alpha.png`, 'is a localhost name'],
      ['https://evil.example/a.png', 'Remote host evil.example is not in the allowed fetch hosts'],
      ['file:///etc/passwd', 'scheme file: is not allowed'],
      [`http://user:pw@127.0.0.1:${port}/img/alpha.png`, 'must not contain credentials'],
    ];
    // The origin under its name; the same server's literal address is not allowed.
    const named: FetchPolicy = { ...DEFAULT_FETCH_POLICY, allowedHosts: [`origin.test:${port}`], allowHttp: true };
    for (const [location, why] of cases) {
      for (const status of [301, 302, 303, 307, 308]) {
        const r = await refusal(to(location, status).replace(origin, alias), named);
        expect(r.status, location).toBe(400);
        expect(r.message, location).toContain(' refused: ');
        expect(r.message, location).toContain(why);
      }
    }
    // https to http is a downgrade the policy refuses unless allowHttp.
    const httpsOnly: FetchPolicy = { ...DEFAULT_FETCH_POLICY, allowedHosts: [`origin.test:${port}`] };
    expect((await refusal(`${alias}/to?l=${encodeURIComponent(`http://origin.test:${port}/img/alpha.png`)}`, httpsOnly)).message).toMatch(
      /refused: http:\/\/ remote URLs are not allowed/,
    );
    // Relative and allowed targets are followed.
    expect(((await fetchRemote(to('/img/alpha.png'), local)) as FetchedImage).finalUrl).toBe(`${origin}/img/alpha.png`);
    expect(((await fetchRemote(to('img/gray.png'), local)) as FetchedImage).finalUrl).toBe(`${origin}/img/gray.png`);
    const both: FetchPolicy = { ...local, allowedHosts: [host, `origin.test:${port}`] };
    expect(((await fetchRemote(`${alias}/to?l=${encodeURIComponent(`${origin}/img/alpha.png`)}`, both)) as FetchedImage).finalUrl).toBe(
      `${origin}/img/alpha.png`,
    );
  });

  it('a redirect without Location is a bad gateway', async () => {
    expect(await refusal(`${origin}/status/302`)).toEqual({ status: 502, message: `Error in loading ${origin}/status/302 - redirect 302 without a Location` });
  });
});

describe('origin errors', () => {
  it('maps 4xx to 404 and 5xx to 502', async () => {
    expect(await refusal(`${origin}/img/missing.png`)).toEqual({ status: 404, message: `Error in loading ${origin}/img/missing.png - origin answered 404` });
    expect((await refusal(`${origin}/status/403`)).status).toBe(404);
    expect((await refusal(`${origin}/status/410`)).status).toBe(404);
    expect(await refusal(`${origin}/status/500`)).toEqual({ status: 502, message: `Error in loading ${origin}/status/500 - origin answered 500` });
    expect((await refusal(`${origin}/status/503`)).status).toBe(502);
    expect((await refusal(`${origin}/status/204`)).status).toBe(502);
  });

  it('a body shorter than its Content-Length is a bad gateway', async () => {
    const r = await refusal(`${origin}/short-body`);
    expect(r.status).toBe(502);
    expect(r.message).toMatch(/^Error in loading .*\/short-body - /);
  });

  it('the error is a RemoteFetchError, a CldError', async () => {
    await expect(fetchRemote(`${origin}/status/500`, local)).rejects.toBeInstanceOf(RemoteFetchError);
    await expect(fetchRemote(`${origin}/status/500`, local)).rejects.toBeInstanceOf(CldError);
  });
});

describe('size caps', () => {
  it('refuses a Content-Length over the cap before reading the body', async () => {
    const t0 = Date.now();
    expect(await refusal(`${origin}/huge-length`, local, {})).toEqual({
      status: 413,
      message: `Error in loading ${origin}/huge-length - File size too large: ${10 * 1024 ** 3} bytes, maximum is ${40 * 1024 * 1024}`,
    });
    expect(Date.now() - t0).toBeLessThan(2_500); // the origin never finishes that body
    const small = await refusal(`${origin}/img/alpha.png`, local, { maxBytes: 1000 });
    expect(small.status).toBe(413);
    expect(small.message).toMatch(/File size too large: \d+ bytes, maximum is 1000$/);
  });

  it('aborts a body without Content-Length once it passes the cap', async () => {
    expect(await refusal(`${origin}/endless`, local, { maxBytes: 1024 * 1024 })).toEqual({
      status: 413,
      message: `Error in loading ${origin}/endless - File size too large: more than ${1024 * 1024} bytes`,
    });
  });
});

describe('deadline', () => {
  it('gives up on an origin that does not answer (504)', async () => {
    const t0 = Date.now();
    expect(await refusal(`${origin}/slow-headers`, local, { timeoutMs: 300 })).toEqual({
      status: 504,
      message: `Error in loading ${origin}/slow-headers - timed out after 300 ms`,
    });
    expect(Date.now() - t0).toBeLessThan(2_500);
  });

  it('gives up on a body that stalls (504)', async () => {
    const t0 = Date.now();
    expect(await refusal(`${origin}/slow-body`, local, { timeoutMs: 300 })).toEqual({
      status: 504,
      message: `Error in loading ${origin}/slow-body - timed out after 300 ms`,
    });
    expect(Date.now() - t0).toBeLessThan(2_500);
  });
});

describe('revalidation', () => {
  it('answers notModified for a matching ETag or a Last-Modified not older', async () => {
    const full = (await fetchRemote(`${origin}/img/alpha.png`, local)) as FetchedImage;
    expect(await fetchRemote(`${origin}/img/alpha.png`, local, {}, { etag: full.etag })).toEqual({
      notModified: true,
      etag: full.etag,
      lastModified: full.lastModified,
      finalUrl: `${origin}/img/alpha.png`,
    });
    expect((await fetchRemote(`${origin}/img/alpha.png`, local, {}, { lastModified: full.lastModified })).notModified).toBe(true);
    // Through redirects too.
    expect((await fetchRemote(`${origin}/redirect/2/img/alpha.png`, local, {}, { etag: full.etag })).notModified).toBe(true);
  });

  it('fetches again when the validators no longer match', async () => {
    const got = await fetchRemote(`${origin}/img/alpha.png`, local, {}, { etag: '"stale"', lastModified: 'Mon, 01 Jan 2024 00:00:00 GMT' });
    expect(got.notModified).toBe(false);
    const older = await fetchRemote(`${origin}/img/alpha.png`, local, {}, { lastModified: 'Mon, 01 Jan 2024 00:00:00 GMT' });
    expect(older.notModified).toBe(false);
  });
});
