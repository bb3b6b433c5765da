import { describe, expect, it } from 'vitest';
import { formatComponent, formatTransformation, parseComponent } from '../../src/url/component';
import { parseDeliveryPath } from '../../src/url/delivery-url';
import { errorOf } from './error-of';

const parse = (path: string) => parseDeliveryPath(path, 'demo');
const canonical = (path: string) => formatTransformation(parse(path).components);

describe('delivery URL grammar', () => {
  it('splits cloud, type, components, version, public id and extension', () => {
    const u = parse('/demo/image/upload/c_fill,w_100,h_100/e_sharpen/v1234/folder/sub/sample.jpg');
    expect(u).toMatchObject({ cloud: 'demo', type: 'upload', version: 1234, publicId: 'folder/sub/sample', extension: 'jpg' });
    expect(u.components).toHaveLength(2);
    expect(u.toSign).toBe('c_fill,w_100,h_100/e_sharpen/folder/sub/sample.jpg');
  });
  it('accepts the private-CDN form with the configured cloud', () => {
    expect(parse('/image/upload/w_100/sample.png')).toMatchObject({ cloud: 'demo', publicId: 'sample', extension: 'png' });
  });
  it('decodes %2C separators and percent-escaped public ids', () => {
    expect(canonical('/demo/image/upload/c_limit%2Cw_880/sample.jpg')).toBe('c_limit,w_880');
    expect(parse('/demo/image/upload/v1/a%20b%3F%3F.jpg').publicId).toBe('a b??');
  });
  it('lets the last duplicate win and sorts keys canonically', () => {
    expect(canonical('/demo/image/upload/w_200,c_fill,w_400,c_crop,h_10/s.jpg')).toBe('c_crop,h_10,w_400');
    expect(canonical('/demo/image/upload/e_grayscale,e_blur/s.jpg')).toBe('e_blur:100');
    expect(canonical('/demo/image/upload/h_100,w_100,c_fill/e_sharpen:100/s.jpg')).toBe('c_fill,h_100,w_100/e_sharpen:100');
    expect(canonical('/demo/image/upload/e_sharpen/s.jpg')).toBe(canonical('/demo/image/upload/e_sharpen:100/s.jpg'));
    expect(canonical('/demo/image/upload/w_4.0,dpr_2/s.jpg')).toBe('dpr_2.0,w_4.0');
  });
  it('keeps folders that do not look like transformations in the public id', () => {
    expect(parse('/demo/image/upload/c_fill,w_10/my_photos/cat.jpg')).toMatchObject({ publicId: 'my_photos/cat' });
    expect(parse('/demo/image/upload/docs/v2/img.jpg').publicId).toBe('docs/v2/img');
    expect(parse('/demo/image/upload/sample').extension).toBeUndefined();
    expect(parse('/demo/image/upload/archive.tar').publicId).toBe('archive.tar');
  });
  it('reads signatures of 8 and 32 characters', () => {
    expect(parse('/demo/image/upload/s--Ai4Znfl3--/c_crop,h_20,w_10/image.jpg').signature).toBe('Ai4Znfl3');
    expect(parse('/demo/image/upload/s--2hbrSMPOjj5BJ4xV7SgFbRDevFaQNUFf--/sample.jpg').signature).toHaveLength(32);
  });
  it('parses parameter values', () => {
    expect(parseComponent('w_auto:50:300,h_0.5,x_-10,y_0.25,ar_16:9')).toEqual({
      w: { kind: 'auto', step: 50, fallback: 300 },
      h: { kind: 'ratio', value: 0.5 },
      x: { kind: 'px', value: -10 },
      y: { kind: 'ratio', value: 0.25 },
      ar: 16 / 9,
    });
    expect(parseComponent('b_rgb:FEB61FC2').b).toEqual([0xfe, 0xb6, 0x1f, 0xc2]);
    expect(parseComponent('b_lightblue').b).toEqual([0xad, 0xd8, 0xe6, 255]);
    expect(parseComponent('r_10:20:30').r).toEqual({ kind: 'px', corners: [10, 20, 30, 20] });
    expect(parseComponent('a_hflip.90').a).toEqual({ degrees: 90, hflip: true, vflip: false, ignore: false });
    expect(parseComponent('q_auto:eco').q).toEqual({ kind: 'auto', level: 'eco' });
    expect(parseComponent('f_jpeg').f).toBe('jpg');
  });
});

describe('errors name the parameter and the value', () => {
  const cases: [string, RegExp][] = [
    ['w_-1', /Invalid width in transformation: -1/],
    ['w_abc', /Invalid width in transformation: abc/],
    ['w_0', /Invalid width/],
    ['h_99999', /Invalid height in transformation: 99999/],
    ['c_squash', /Invalid crop in transformation: squash \(expected one of scale, fit/],
    ['g_up', /Invalid gravity in transformation: up/],
    ['e_sharpen:0', /Invalid e_sharpen in transformation: sharpen:0 \(expected a strength from 1 to 2000\)/],
    ['e_blur:2001', /Invalid e_blur/],
    ['e_vectorize', /Invalid effect in transformation: vectorize/],
    ['q_101', /Invalid quality in transformation: 101/],
    ['dpr_0', /Invalid dpr in transformation: 0/],
    ['dpr_9.0', /Invalid dpr/],
    ['a_45deg', /Invalid angle in transformation: 45deg/],
    ['b_rgb:zzz', /Invalid background in transformation: rgb:zzz/],
    ['o_150', /Invalid opacity/],
    ['fl_bogus', /Invalid flag in transformation: bogus/],
    ['f_tiff', /Invalid format in transformation: tiff/],
    ['ar_0', /Invalid aspect_ratio/],
    ['w_', /Invalid width in transformation: empty value/],
    ['dn_150', /Unsupported transformation parameter 'dn'/],
    ['l_text:Arial_20_stroke:Hi', /Unsupported text style 'stroke'/],
    ['zz_1', /Invalid transformation parameter 'zz'/],
    ['sharpen', /expected key_value/],
  ];
  for (const [component, message] of cases) {
    it(component, () => {
      const err = errorOf(() => parseComponent(component));
      expect(err.status).toBe(400);
      expect(err.message).toMatch(message);
    });
  }
  it('unknown keys in a component answer 400, and before a version too', () => {
    expect(errorOf(() => parse('/demo/image/upload/w_100,zz_1/sample.jpg')).message).toMatch(/'zz'/);
    expect(errorOf(() => parse('/demo/image/upload/zz_1/v1/sample.jpg')).status).toBe(400);
  });
  it('rejects malformed paths', () => {
    expect(errorOf(() => parse('/demo/video/upload/a.mp4')).status).toBe(400);
    expect(errorOf(() => parse('/demo/image/fetch/')).message).toMatch(/Missing remote URL/);
    expect(errorOf(() => parse('/demo/image/upload/')).message).toMatch(/Missing public ID/);
    expect(errorOf(() => parse('/demo/image/upload/%E0%A4%A.jpg')).message).toMatch(/Malformed percent-encoding/);
    expect(errorOf(() => parse('/demo/image/upload/a/%2E%2E/b.jpg')).message).toMatch(/'\.\.'/);
    expect(errorOf(() => parse(`/demo/image/upload/${'x'.repeat(300)}.jpg`)).message).toBe('public_id is too long');
    expect(errorOf(() => parse('/demo/image/bogus/a.jpg')).status).toBe(400);
  });
});

describe('fetch URLs', () => {
  it('the remote URL plain or encoded, components and version before it, signed as written', async () => {
    const { verifyDeliverySignature } = await import('../../src/url/signature');
    const signed = parse('/test123/image/fetch/s--hH_YcbiS--/v1234/http://google.com/path/to/image.png');
    expect(signed).toMatchObject({ type: 'fetch', signature: 'hH_YcbiS', version: 1234, remoteUrl: 'http://google.com/path/to/image.png', components: [] });
    expect(await verifyDeliverySignature(signed.toSign, 'hH_YcbiS', 'b')).toBe(true); // the SDKs' test vector (secret "b")
    expect(parse('/demo/image/fetch/f_jpg/http://blah.com/hello%3Fa%3Db').remoteUrl).toBe('http://blah.com/hello?a=b');
    expect(parse('/demo/image/fetch/w_100,c_scale/https%3A%2F%2Fa.com%2Fb%2Fc.png').remoteUrl).toBe('https://a.com/b/c.png');
    const twoSlashes = parse('/demo/image/fetch/w_100/https://a.com/x//v2/y.jpg');
    expect(twoSlashes.remoteUrl).toBe('https://a.com/x//v2/y.jpg');
    expect(twoSlashes.components.length).toBe(1);
    expect(twoSlashes.extension).toBeUndefined();
  });
});

describe('b_auto gradient grammar', () => {
  it('reads and writes the mode, colour count, direction and palette', () => {
    const c = parseComponent('b_auto:predominant_gradient_contrast:4:vertical:palette_red_blue,c_pad,w_10');
    expect(c.b).toMatchObject({ kind: 'auto', from: 'predominant', contrast: true, gradient: { colors: 4, direction: 'vertical' } });
    expect(formatComponent(parseComponent(formatComponent(c)))).toBe(formatComponent(c));
    expect(parseComponent('b_auto:border_gradient,c_pad,w_10').b).toMatchObject({ gradient: { colors: 2, direction: 'horizontal' } });
    expect(() => parseComponent('b_auto:border_gradient:3,c_pad,w_10')).toThrow(/background/);
    expect(() => parseComponent('b_auto:border:4,c_pad,w_10')).toThrow(/gradient forms/);
  });
});
