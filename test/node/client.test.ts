// dprox/client against the official cloudinary SDK: the same inputs give the same strings.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { breakpoints, srcset, url, type Transformation, type Transformations, type UrlOptions } from '../../src/client';

const require = createRequire(import.meta.url);
const cloudinary: typeof import('cloudinary').v2 = require('cloudinary').v2;

const sdkUrl = (publicId: string, t: Transformations | undefined, options: UrlOptions) => {
  const tr =
    t == null ? {} : typeof t === 'string' ? { raw_transformation: t } : Array.isArray(t) ? { transformation: structuredClone(t) } : structuredClone(t);
  return cloudinary.url(publicId, { ...tr, ...structuredClone(options), urlAnalytics: false });
};

const TRANSFORMATIONS: Transformation[] = [
  {},
  { width: 100 },
  { width: 100, height: 150, crop: 'fill' },
  { width: 0.5, crop: 'scale' },
  { width: '4.0', crop: 'scale' },
  { size: '10x20', crop: 'crop' },
  { width: 100, height: 100, crop: 'fill', gravity: 'auto', dpr: 'auto' },
  { width: 100, crop: 'scale', dpr: 2 },
  { width: 100, crop: 'scale', dpr: '2.0' },
  { width: 'auto', crop: 'limit' },
  { width: 'auto:100:400', crop: 'limit' },
  { quality: 'auto:good', fetch_format: 'auto' },
  { quality: 80, fetch_format: 'webp' },
  { effect: 'sharpen' },
  { effect: 'sharpen:200', width: 300, crop: 'scale' },
  { effect: ['blur', 300] },
  { effect: { art: 'zorro' } },
  { effect: 'upscale' },
  { effect: 'gen_restore', width: 300, crop: 'scale' },
  { radius: 'max', background: '#ff0000', crop: 'pad', width: 300, height: 200 },
  { radius: [10, 20, 30] },
  { radius: 0 },
  { angle: 90 },
  { angle: ['hflip', 'vflip'] },
  { opacity: 50, border: { width: 3, color: '#00ff00' } },
  { border: '4px_solid_black' },
  { flags: ['progressive', 'immutable_cache'] },
  { flags: 'ignore_aspect_ratio', width: 10, height: 50, crop: 'scale' },
  { x: 10, y: 20, crop: 'crop', gravity: 'north_west', width: 50, height: 50 },
  { x: 0.25, y: 0.5, crop: 'crop', width: 0.5, height: 0.5 },
  { aspect_ratio: '16:9', crop: 'fill', width: 400 },
  { aspect_ratio: 1.5, crop: 'lfill', height: 200 },
  { width: 'iw / 2', height: 'initial_height * 0.5', crop: 'scale' },
  { width: 'iw_div_2', crop: 'scale' },
  { zoom: 1.5, default_image: 'avatar.png', density: 300, page: 2, prefix: 'a' },
  { transformation: 'named' },
  { transformation: ['one', 'two'], width: 10 },
  { transformation: [{ width: 100, crop: 'scale' }, { effect: 'grayscale' }], width: 50, crop: 'fill', raw_transformation: 'q_90' },
  { raw_transformation: 'c_scale,w_10' },
  { color: '#123456', background: 'lightblue' },
];

const CHAINS: Transformation[][] = [
  [{ height: 150, crop: 'scale' }, { dpr: '2.0' }],
  [{ width: 100, crop: 'scale' }, { effect: 'upscale' }, { width: 300, height: 300, crop: 'fill', gravity: 'auto' }, { effect: 'grayscale' }],
  [{ width: 300, crop: 'scale' }, { effect: 'sharpen' }],
  [{}, { width: 5 }, {}],
];

const OPTIONS: UrlOptions[] = [
  { cloud_name: 'demo' },
  { cloud_name: 'demo', secure: false },
  { cloud_name: 'demo', secure: false, cname: '127.0.0.1:8787' },
  { cloud_name: 'demo', secure: true, secure_distribution: 'img.example.com' },
  { cloud_name: 'demo', private_cdn: true },
  { cloud_name: 'demo', private_cdn: true, secure_distribution: 'img.example.com' },
  { cloud_name: 'demo', version: 1234567890, format: 'webp' },
  { cloud_name: 'demo', type: 'authenticated', force_version: false },
  { cloud_name: 'demo', type: 'private', format: 'png' },
  { cloud_name: 'test123', sign_url: true, api_secret: 'b' },
  { cloud_name: 'test123', sign_url: true, api_secret: 'b', version: 17, format: 'jpg' },
  { cloud_name: 'test123', sign_url: true, api_secret: 'b', long_url_signature: true },
  { cloud_name: 'test123', sign_url: true, api_secret: 'b', signature_algorithm: 'sha256' },
  {
    cloud_name: 'test123',
    sign_url: true,
    api_secret: 'a much longer secret, with spaces and ünïcödé, long enough to take the hash past a block',
    type: 'authenticated',
  },
];

const PUBLIC_IDS = ['sample', 'sample.jpg', 'folder/sub/cat', 'v123/cat', 'with space', 'ünïcode/ñ', 'a%20b', 'colon:id'];

describe('url() matches cloudinary.url()', () => {
  for (const t of TRANSFORMATIONS)
    it(`transformation ${JSON.stringify(t)}`, () => {
      for (const options of OPTIONS.slice(0, 4)) expect(url('folder/cat', t, options)).toBe(sdkUrl('folder/cat', t, options));
      expect(url('sample.jpg', t, OPTIONS[9])).toBe(sdkUrl('sample.jpg', t, OPTIONS[9]));
    });

  for (const chain of CHAINS)
    it(`chain ${JSON.stringify(chain)}`, () => {
      for (const options of OPTIONS) expect(url('sample', chain, options)).toBe(sdkUrl('sample', chain, options));
    });

  for (const options of OPTIONS)
    it(`options ${JSON.stringify(options)}`, () => {
      for (const id of PUBLIC_IDS)
        for (const t of [{}, { width: 90, crop: 'scale' }, { width: 100, height: 100, crop: 'fill', dpr: '3.0', effect: 'sharpen' }])
          expect(url(id, t, options)).toBe(sdkUrl(id, t, options));
    });

  it('a string transformation is used as is', () => {
    const options = { cloud_name: 'test123', sign_url: true, api_secret: 'b' };
    expect(url('sample.jpg', 'c_scale,w_100/e_sharpen', options)).toBe(sdkUrl('sample.jpg', 'c_scale,w_100/e_sharpen', options));
  });

  it('reproduces the spec signature vector', () => {
    // cloud test123, api_secret "b": the SDKs' own test vector (docs/cloudinary-url-api.md, test vectors A).
    expect(url('image.jpg', { width: 10, height: 20, crop: 'crop' }, { cloud_name: 'test123', sign_url: true, api_secret: 'b', secure: false })).toBe(
      sdkUrl('image.jpg', { width: 10, height: 20, crop: 'crop' }, { cloud_name: 'test123', sign_url: true, api_secret: 'b', secure: false }),
    );
  });
});

/** srcset and sizes of the SDK's <img> tag; its srcset URLs carry `?_a=` whatever the options say. */
function sdkImage(publicId: string, options: Record<string, unknown>) {
  const tag = cloudinary.image(publicId, { ...options, urlAnalytics: false });
  const attr = (name: string) => new RegExp(`\\s${name}='([^']*)'`).exec(tag)?.[1]?.replace(/\?_a=[\w-]+/g, '');
  return { srcset: attr('srcset'), sizes: attr('sizes') };
}

describe('srcset() matches the SDK', () => {
  const specs = [
    { min_width: 100, max_width: 399, max_images: 4 },
    { min_width: 200, max_width: 1000, max_images: 5 },
    { min_width: 375, max_width: 3840, max_images: 7 },
    { min_width: 100, max_width: 100, max_images: 1 },
    { min_width: 50, max_width: 500, max_images: 1 },
    { breakpoints: [320, 640, 1280] },
  ];
  const bases: (Transformation | undefined)[] = [undefined, { crop: 'fill', aspect_ratio: '16:9', gravity: 'auto' }, { effect: 'sharpen', quality: 'auto' }];
  const options: UrlOptions[] = [
    { cloud_name: 'demo' },
    { cloud_name: 'demo', secure: false, cname: 'localhost:8787', version: 5 },
    { cloud_name: 'test123', sign_url: true, api_secret: 'b' },
  ];

  for (const spec of specs)
    it(`breakpoints and sizes for ${JSON.stringify(spec)}`, () => {
      for (const base of bases)
        for (const o of options) {
          const ours = srcset('folder/cat.jpg', base, { ...spec, sizes: true }, o);
          const theirs = sdkImage('folder/cat.jpg', {
            ...structuredClone(o),
            srcset: { ...spec, sizes: true, ...(base ? { transformation: structuredClone(base) } : {}) },
          });
          expect(ours.srcset).toBe(theirs.srcset);
          expect(ours.sizes).toBe(theirs.sizes);
        }
    });

  it('the spec vector: 100..399 in 4 images', () => {
    expect(breakpoints({ min_width: 100, max_width: 399, max_images: 4 })).toEqual([100, 200, 300, 399]);
    expect(srcset('sample.jpg', undefined, { min_width: 100, max_width: 399, max_images: 4, sizes: true }, { cloud_name: 'demo' })).toEqual({
      srcset: [100, 200, 300, 399].map((w) => `https://res.cloudinary.com/demo/image/upload/c_scale,w_${w}/sample.jpg ${w}w`).join(', '),
      sizes: '(max-width: 100px) 100px, (max-width: 200px) 200px, (max-width: 300px) 300px, (max-width: 399px) 399px',
    });
  });

  it('refuses what the SDK refuses', () => {
    expect(() => breakpoints({ min_width: 100 })).toThrow(/must be provided/);
    expect(() => breakpoints({ min_width: 500, max_width: 100, max_images: 3 })).toThrow(/less than/);
    expect(() => breakpoints({ min_width: 100, max_width: 500, max_images: 0 })).toThrow(/positive/);
  });

  it('density descriptors: each URL is the SDK URL with dpr_N.0', () => {
    const o: UrlOptions = { cloud_name: 'demo', secure: false, cname: 'localhost:8787' };
    const cases: [Transformations | undefined, (d: string) => Transformations][] = [
      [{ width: 100, height: 100, crop: 'fill' }, (d) => ({ width: 100, height: 100, crop: 'fill', dpr: d })],
      [
        [{ width: 300, crop: 'scale' }, { effect: 'sharpen' }],
        (d) => [
          { width: 300, crop: 'scale' },
          { effect: 'sharpen', dpr: d },
        ],
      ],
    ];
    for (const [t, expected] of cases) {
      const got = srcset('cat', t, { dprs: [1, 1.5, 2, 3] }, o).srcset;
      expect(got).toBe(['1.0', '1.5', '2.0', '3.0'].map((d) => `${sdkUrl('cat', expected(d), o)} ${Number(d)}x`).join(', '));
    }
  });
});
