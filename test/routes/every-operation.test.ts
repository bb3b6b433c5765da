// One case per row of the operation tables, through the Worker: every parameter of PARAMS, every
// flag and every effect of EFFECTS answers 200 with the size it should and an output that differs
// from the same URL without it (no silent no-op), and a bad value answers 400 with X-Cld-Error.
// The case tables are typed by the tables' keys: a new row without its case does not compile.
import { beforeAll, describe, expect, it } from 'vitest';
import { decode } from '../../src/codecs/decode';
import type { ImageHeader } from '../../src/codecs/header';
import type { Raster } from '../../src/pixels/raster';
import { deliverySignature } from '../../src/url/signature';
import { EFFECTS, type EffectName } from '../../src/url/effects';
import { EXPR_KEYS, FLAGS, PARAMS, type ExprKey, type Flag, type ParamKey } from '../../src/url/params';
import { psnr, px } from '../pixels/util';
import { metadataSegments } from '../../src/codecs/jpeg/metadata';
import { addMetadata } from '../codecs/metadata-fixture';
import { readHeader } from '../../src/codecs/header';
import { CLOUD, fixture, get, upload } from './worker';

const base = `/${CLOUD}/image/upload`;
const SOURCE = 'ops/base'; // 600x400 photo, 4:4:4
/** The source untransformed (a resize to its own size). */
const NONE = 'c_scale,w_600';
const LAYER = 'ops:mark'; // 40x20 solid blue
const ANIM = 'ops/anim'; // 160x120 GIF, 6 frames of a pan

interface Case {
  /** The transformation with the row's parameter, and the same without it (or with another value). */
  url: string;
  reference: string;
  /** Expected output size; the reference's size when absent. */
  size?: [number, number];
  /** Extension of the delivery URL (default png: lossless, so pixel differences are the transformation's). */
  ext?: string;
  /** How the output must differ from the reference when not by its pixels. */
  differs?: (out: Output, ref: Output) => void | Promise<void>;
  /** A bad value of the row: answered 400 with a reason. */
  bad: string;
  /** The public ID it is delivered from, when not SOURCE. */
  source?: string;
}

interface Output {
  res: Response;
  bytes: Uint8Array;
  header: ImageHeader;
}

const PARAM_CASES: { [K in ParamKey]: Case } = {
  // The placeholder of a missing original (test/routes/placeholder.test.ts): an existing one is untouched.
  d: {
    url: 'd_ops:mark,c_scale,w_600',
    reference: NONE,
    differs: async (out, ref) => {
      expect(out.bytes).toEqual(ref.bytes);
      const res = await get(`${base}/d_ops:mark,c_scale,w_600/ops/missing.png`);
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect(res.status).toBe(200);
      expect([readHeader(bytes).width, readHeader(bytes).height]).toEqual([600, 300]);
    },
    bad: 'd_ops::mark',
  },
  w: { url: 'c_scale,w_200', reference: 'c_scale,w_100', size: [200, 133], bad: 'c_scale,w_abc' },
  h: { url: 'c_scale,h_100', reference: 'c_scale,h_150', size: [150, 100], bad: 'c_scale,h_-3' },
  c: { url: 'c_fill,w_100,h_100', reference: 'c_scale,w_100,h_100', size: [100, 100], bad: 'c_bogus,w_100' },
  ar: { url: 'c_fill,ar_1.0,w_100', reference: 'c_fill,w_100', size: [100, 100], bad: 'c_fill,ar_abc,w_100' },
  g: { url: 'c_crop,g_north_west,w_100,h_100', reference: 'c_crop,w_100,h_100', size: [100, 100], bad: 'c_crop,g_up,w_100,h_100' },
  x: { url: 'c_crop,g_north_west,x_50,w_100,h_100', reference: 'c_crop,g_north_west,w_100,h_100', size: [100, 100], bad: 'c_crop,x_abc,w_100' },
  y: { url: 'c_crop,g_north_west,y_50,w_100,h_100', reference: 'c_crop,g_north_west,w_100,h_100', size: [100, 100], bad: 'c_crop,y_abc,w_100' },
  z: { url: 'c_thumb,g_center,w_100,h_100,z_2', reference: 'c_thumb,g_center,w_100,h_100', size: [100, 100], bad: 'c_thumb,w_100,h_100,z_abc' },
  bo: {
    url: 'bo_5px_solid_red',
    reference: NONE,
    size: [610, 410],
    differs: async (out) => {
      const r = await pixels(out);
      for (const [x, y] of [
        [0, 0],
        [609, 409],
        [4, 200],
        [300, 405],
      ])
        expect(px(r, x, y), `${x},${y}`).toEqual([255, 0, 0, 255]);
    },
    bad: 'bo_5px_dashed_red',
  },
  dpr: { url: 'c_scale,w_100,dpr_2.0', reference: 'c_scale,w_100', size: [200, 133], bad: 'c_scale,w_100,dpr_9' },
  e: { url: 'e_grayscale', reference: NONE, bad: 'e_nope' },
  a: { url: 'a_90', reference: NONE, size: [400, 600], bad: 'a_abc' },
  r: { url: 'r_40', reference: NONE, bad: 'r_x' },
  b: { url: 'c_pad,w_400,h_400,b_red', reference: 'c_pad,w_400,h_400,b_blue', size: [400, 400], bad: 'c_pad,w_400,h_400,b_notacolour' },
  co: { url: 'e_colorize:50,co_red', reference: 'e_colorize:50,co_blue', bad: 'e_colorize,co_notacolour' },
  o: { url: 'o_50', reference: NONE, bad: 'o_200' },
  q: {
    url: 'q_10',
    reference: 'q_90',
    ext: 'jpg',
    differs: (out, ref) => expect(out.bytes.length).toBeLessThan(ref.bytes.length / 2),
    bad: 'q_0',
  },
  f: { url: 'f_webp', reference: NONE, differs: (out) => expect(out.header.format).toBe('webp'), bad: 'f_bmp' },
  l: { url: `l_${LAYER}`, reference: NONE, bad: 'l_ops:missing' },
  u: { url: `o_50/u_${LAYER}`, reference: 'o_50', bad: 'u_ops:missing' },
  fl: { url: 'fl_progressive', reference: NONE, ext: 'jpg', differs: (out) => expect(out.header.progressive).toBe(true), bad: 'fl_nope' },
  pg: { url: 'pg_4', reference: 'pg_1', source: ANIM, bad: 'pg_0' },
};

const FLAG_CASES: { [F in Flag]: Omit<Case, 'bad'> } = {
  ignore_aspect_ratio: { url: 'c_scale,w_100,fl_ignore_aspect_ratio', reference: 'c_scale,w_100', size: [100, 400] },
  progressive: PARAM_CASES.fl,
  immutable_cache: {
    url: 'c_scale,w_100,fl_immutable_cache',
    reference: 'c_scale,w_100',
    size: [100, 67],
    differs: (out, ref) => {
      expect(out.res.headers.get('Cache-Control')).toMatch(/immutable/);
      expect(ref.res.headers.get('Cache-Control')).not.toMatch(/immutable/);
    },
  },
  layer_apply: { url: `l_${LAYER}/e_grayscale,fl_layer_apply`, reference: `l_${LAYER}/fl_layer_apply` },
  relative: { url: `l_${LAYER},w_0.5,fl_relative`, reference: `l_${LAYER},w_0.5` },
  no_overflow: { url: `l_${LAYER},g_north_west,x_-10,y_-10,fl_no_overflow`, reference: `l_${LAYER},g_north_west,x_-10,y_-10`, size: [600, 400] },
  tiled: { url: `l_${LAYER},fl_tiled`, reference: `l_${LAYER}` },
  premium_downscaling: { url: 'c_scale,w_100,fl_premium_downscaling', reference: 'c_scale,w_100', size: [100, 67] },
  attachment: {
    url: 'c_scale,w_100,fl_attachment:my_photo',
    reference: 'c_scale,w_100',
    size: [100, 67],
    differs: (out, ref) => {
      expect(out.res.headers.get('Content-Disposition')).toBe('attachment; filename="my_photo.png"');
      expect(ref.res.headers.get('Content-Disposition')).toBeNull();
    },
  },
  cutter: {
    url: `l_${LAYER}/fl_layer_apply,fl_cutter`,
    reference: `l_${LAYER}/fl_layer_apply`,
    differs: async (out, ref) => {
      const [a, b] = [await pixels(out), await pixels(ref)];
      expect(px(a, 0, 0)[3]).toBe(0); // outside the layer: cut away
      expect(px(b, 0, 0)[3]).toBe(255);
      expect(px(a, 300, 200)).toEqual(px(await pixels(await fetchOutput(NONE)), 300, 200)); // inside: the image, not the blue layer
    },
  },
  // Transparency is never flattened: f_auto keeps it (as the reference's JPEG does not), and JPEG with it is a 400 (test/routes/flags.test.ts).
  preserve_transparency: {
    url: 'e_make_transparent:30,co_white/f_auto,fl_preserve_transparency',
    reference: 'e_make_transparent:30,co_white/f_jpg',
    differs: (out, ref) => expect([out.header.format, out.header.hasAlpha, ref.header.format]).toEqual(['png', true, 'jpg']),
  },
  keep_iptc: {
    url: 'c_scale,w_100,fl_keep_iptc',
    reference: 'c_scale,w_100',
    ext: 'jpg',
    size: [100, 67],
    differs: (out, ref) => {
      expect(metadataSegments(out.bytes).map((seg) => seg[1])).toEqual([0xe1, 0xed]);
      expect(metadataSegments(ref.bytes)).toEqual([]);
    },
  },
  getinfo: {
    url: 'c_scale,w_100,fl_getinfo',
    reference: 'c_scale,w_100',
    size: [100, 67],
    differs: (out, ref) => {
      expect(out.res.headers.get('Content-Type')).toBe('application/json');
      expect(JSON.parse(new TextDecoder().decode(out.bytes))).toEqual({
        input: { width: 600, height: 400, bytes: expect.any(Number), format: 'jpg' },
        output: { width: 100, height: 67, bytes: ref.bytes.byteLength, format: 'png' },
      });
    },
  },
  animated: {
    url: 'f_webp,fl_animated',
    reference: 'f_webp',
    source: ANIM,
    differs: (out, ref) => expect([out.header.frames, ref.header.animated]).toEqual([6, false]),
  },
  png8: { url: 'fl_png8', reference: NONE, differs: (out) => expect(out.bytes[25]).toBe(3) },
  lossy: { url: 'fl_lossy', reference: NONE, differs: (out) => expect(out.res.headers.get('Content-Type')).toBe('image/jpeg') },
};

/** Effects that run as queued AI jobs are accepted with a job (423); their pixels are test/routes/ai.test.ts's. */
const EFFECT_CASES: { [E in EffectName]: { url: string; bad: string } & Partial<Omit<Case, 'url' | 'bad'>> } = {
  grayscale: { url: 'e_grayscale', bad: 'e_grayscale:5' },
  sepia: { url: 'e_sepia', bad: 'e_sepia:101' },
  colorize: { url: 'e_colorize:60,co_rgb:20a020', bad: 'e_colorize:101' },
  brightness: { url: 'e_brightness:30', bad: 'e_brightness:-100' },
  brightness_hsb: { url: 'e_brightness_hsb:30', bad: 'e_brightness_hsb:101' },
  contrast: { url: 'e_contrast:level_150;type_linear', bad: 'e_contrast:level_0;type_linear' },
  saturation: { url: 'e_saturation:-70', bad: 'e_saturation:101' },
  vibrance: { url: 'e_vibrance:80', bad: 'e_vibrance:x' },
  hue: { url: 'e_hue:40', bad: 'e_hue:-101' },
  gamma: { url: 'e_gamma:100', bad: 'e_gamma:-51' },
  red: { url: 'e_red:60', bad: 'e_red:101' },
  green: { url: 'e_green:60', bad: 'e_green:1.5' },
  blue: { url: 'e_blue:-60', bad: 'e_blue:200' },
  negate: { url: 'e_negate', bad: 'e_negate:1' },
  blackwhite: { url: 'e_blackwhite:40', bad: 'e_blackwhite:101' },
  tint: { url: 'e_tint:equalize:80:blue:20p:yellow:80p', reference: 'e_tint:80:blue:20p:yellow:80p', bad: 'e_tint:80:notacolour' },
  recolor: { url: 'e_recolor:0.3:0.6:0.1:0.3:0.6:0.1:0.3:0.6:0.1', bad: 'e_recolor:1:2:3' },
  simulate_colorblind: { url: 'e_simulate_colorblind:protanopia', bad: 'e_simulate_colorblind:cats' },
  art: { url: 'e_art:zorro', bad: 'e_art:picasso' },
  opacity_threshold: { url: 'o_40/e_opacity_threshold:50', reference: 'o_40', bad: 'e_opacity_threshold:0' },
  replace_color: { url: 'e_replace_color:blue:60', bad: 'e_replace_color:blue:101' },
  // Blend modes of a layer (test/ops/composite-blend.test.ts has their formulas); alone they are refused.
  multiply: { url: `l_${LAYER}/fl_layer_apply,e_multiply`, reference: `l_${LAYER}/fl_layer_apply`, bad: 'e_multiply' },
  screen: { url: `l_${LAYER}/fl_layer_apply,e_screen`, reference: `l_${LAYER}/fl_layer_apply`, bad: 'e_screen' },
  overlay: { url: `l_${LAYER}/fl_layer_apply,e_overlay`, reference: `l_${LAYER}/fl_layer_apply`, bad: 'e_overlay:5' },
  mask: { url: `l_${LAYER}/fl_layer_apply,e_mask`, reference: `l_${LAYER}/fl_layer_apply`, bad: 'e_mask' },
  cut_out: { url: `l_${LAYER}/fl_layer_apply,e_cut_out`, reference: `l_${LAYER}/fl_layer_apply`, bad: `u_${LAYER}/fl_layer_apply,e_cut_out` },
  // The loop count of an animated output (NETSCAPE2.0's repeats: 2 more plays after the first).
  loop: {
    url: 'e_loop:2',
    reference: 'e_loop',
    source: ANIM,
    ext: 'gif',
    differs: (out, ref) => expect([netscapeRepeats(out.bytes), netscapeRepeats(ref.bytes)]).toEqual([2, 0]),
    bad: 'e_loop:2',
  },
  anti_removal: {
    url: `l_${LAYER},w_300/fl_layer_apply,e_anti_removal:80`,
    reference: `l_${LAYER},w_300/fl_layer_apply`,
    bad: `l_${LAYER}/fl_layer_apply,e_anti_removal:101`,
  },
  pixelate: { url: 'e_pixelate:12', bad: 'e_pixelate:201' },
  pixelate_region: { url: 'e_pixelate_region:10,x_100,y_50,w_200,h_100', bad: 'e_pixelate_region:0' },
  blur_region: { url: 'e_blur_region:400,y_0.5', bad: 'e_blur_region:2001' },
  oil_paint: { url: 'e_oil_paint:40', bad: 'e_oil_paint:101' },
  vignette: { url: 'e_vignette:60', bad: 'e_vignette:-1' },
  noise: { url: 'e_noise:40', bad: 'e_noise:101' },
  make_transparent: { url: 'e_make_transparent:30,co_white', bad: 'e_make_transparent:200' },
  auto_brightness: { url: 'e_brightness:-60/e_auto_brightness', reference: 'e_brightness:-60', bad: 'e_auto_brightness:101' },
  auto_contrast: { url: 'e_contrast:level_40;type_linear/e_auto_contrast', reference: 'e_contrast:level_40;type_linear', bad: 'e_auto_contrast:x' },
  auto_color: { url: 'e_blue:-60/e_auto_color', reference: 'e_blue:-60', bad: 'e_auto_color:-1' },
  improve: { url: 'e_brightness:-40/e_improve:indoor:80', reference: 'e_brightness:-40', bad: 'e_improve:sideways' },
  fill_light: { url: 'e_fill_light:100:50', bad: 'e_fill_light:100:101' },
  // The canvas grows by the offset and the blur's reach (3 sigma, sigma 5 px).
  shadow: { url: 'e_shadow:50,x_20,y_20,co_black', size: [635, 435], bad: 'e_shadow:101' },
  // An outer band of 5 px grows the canvas by 5 on each side.
  outline: { url: 'e_outline:outer:5,co_red', size: [610, 410], bad: 'e_outline:outer:0' },
  cartoonify: { url: 'e_cartoonify:60:bw', bad: 'e_cartoonify:60:sideways' },
  gradient_fade: { url: 'e_gradient_fade,y_-0.4', bad: 'e_gradient_fade:symmetric_pad' },
  sharpen: { url: 'e_sharpen:200', bad: 'e_sharpen:5000' },
  unsharp_mask: { url: 'e_unsharp_mask:200', bad: 'e_unsharp_mask:0' },
  blur: { url: 'e_blur:300', bad: 'e_blur:abc' },
  upscale: { url: 'e_upscale', bad: 'e_upscale:2' },
  gen_restore: { url: 'e_gen_restore', bad: 'e_gen_restore:x' },
  trim: { url: 'bo_20px_solid_white/e_trim', reference: 'bo_20px_solid_white', size: [600, 400], bad: 'e_trim:101' },
  ordered_dither: { url: 'e_ordered_dither:3', bad: 'e_ordered_dither:19' },
  assist_colorblind: { url: 'e_assist_colorblind:50', bad: 'e_assist_colorblind:0' },
};

/**
 * Every parameter that takes a variable or an expression (EXPR_KEYS): the computed value gives the
 * same bytes as the literal it computes to, and a computed value out of the parameter's range is a 400.
 */
const EXPR_CASES: { [K in ExprKey]: { url: string; literal: string; bad: string } } = {
  w: { url: '$a_100/c_scale,w_$a_mul_2', literal: 'c_scale,w_200', bad: 'c_scale,w_iw_mul_100' },
  h: { url: 'c_scale,h_ih_div_4', literal: 'c_scale,h_100', bad: 'c_scale,h_ih_sub_ih' },
  x: { url: 'c_crop,g_north_west,x_w_div_6,w_100,h_100', literal: 'c_crop,g_north_west,x_100,w_100,h_100', bad: 'c_crop,x_$nope,w_100' },
  y: { url: '$y_50/c_crop,g_north_west,y_$y,w_100,h_100', literal: 'c_crop,g_north_west,y_50,w_100,h_100', bad: 'c_crop,y_iw_mul_1000,w_100' },
  z: { url: '$z_2/c_crop,z_$z', literal: 'c_crop,z_2.0', bad: 'c_crop,z_iw' },
  q: { url: '$q_10/q_$q', literal: 'q_10', bad: '$q_0/q_$q' },
  ar: { url: '$r_2/c_fill,ar_$r,w_100', literal: 'c_fill,ar_2.0,w_100', bad: 'c_fill,ar_iar_sub_iar,w_100' },
  a: { url: '$t_45/a_$t_mul_2', literal: 'a_90', bad: 'a_iw_mul_10' },
  o: { url: 'o_iw_div_12', literal: 'o_50', bad: 'o_iw' },
  r: { url: '$c_40/r_$c', literal: 'r_40', bad: 'r_0_sub_iw' },
  dpr: { url: '$d_2/c_scale,w_100,dpr_$d', literal: 'c_scale,w_100,dpr_2.0', bad: 'c_scale,w_100,dpr_w_div_10' },
  e: { url: '$s_300/e_blur:$s', literal: 'e_blur:300', bad: 'e_blur:$s_mul_100,$s_300' },
  b: { url: '$bg_!red!/c_pad,w_400,h_400,b_$bg', literal: 'c_pad,w_400,h_400,b_red', bad: '$bg_!nocolour!/c_pad,w_400,h_400,b_$bg' },
  co: { url: '$c_!red!/e_colorize:50,co_$c', literal: 'e_colorize:50,co_red', bad: 'e_colorize:50,co_$c_add_1,$c_!red!' },
};

async function fetchOutput(transformation: string, ext = 'png', source = SOURCE): Promise<Output> {
  const res = await get(`${base}/${transformation}/${source}.${ext}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  expect(res.status, `${transformation}: ${res.headers.get('X-Cld-Error')}`).toBe(200);
  return { res, bytes, header: res.headers.get('Content-Type') === 'application/json' ? infoHeader(bytes) : readHeader(bytes) };
}

/** fl_getinfo's JSON read as the output's header (its size and format). */
function infoHeader(bytes: Uint8Array): ImageHeader {
  const { output } = JSON.parse(new TextDecoder().decode(bytes));
  return { width: output.width, height: output.height, format: output.format } as ImageHeader;
}

async function pixels(o: Output): Promise<Raster> {
  return decode(o.bytes, o.header);
}

/** A GIF's NETSCAPE2.0 repeat count (0: forever), or undefined without the block. */
function netscapeRepeats(gif: Uint8Array): number | undefined {
  const at = new TextDecoder('latin1').decode(gif).indexOf('NETSCAPE2.0');
  return at < 0 ? undefined : gif[at + 13] | (gif[at + 14] << 8);
}

async function expectDiffers(c: Omit<Case, 'bad'>) {
  const out = await fetchOutput(c.url, c.ext, c.source);
  const ref = await fetchOutput(c.reference, c.ext, c.source);
  const size = c.size ?? [ref.header.width, ref.header.height];
  expect([out.header.width, out.header.height], c.url).toEqual(size);
  if (c.differs) return c.differs(out, ref);
  const [a, b] = [await pixels(out), await pixels(ref)];
  if (a.width !== b.width || a.height !== b.height) return;
  expect(psnr(a, b, 4), `${c.url} vs ${c.reference}`).toBeLessThan(45);
}

async function expectRefused(transformation: string, source = SOURCE) {
  const res = await get(`${base}/${transformation}/${source}.png`);
  await res.arrayBuffer();
  expect(res.status, transformation).toBe(400);
  expect(res.headers.get('X-Cld-Error'), transformation).toBeTruthy();
}

beforeAll(async () => {
  await upload(SOURCE, addMetadata(await fixture('medium-444.jpg'))); // XMP and IPTC for fl_keep_iptc
  await upload('ops/mark', await fixture('blue-40x20.png'));
  await upload(ANIM, await fixture('anim-photo.gif'));
});

describe('every parameter of PARAMS', () => {
  it('has a case for every key', () => expect(Object.keys(PARAM_CASES).sort()).toEqual(Object.keys(PARAMS).sort()));
  for (const [key, c] of Object.entries(PARAM_CASES)) {
    it(`${key}: ${c.url} changes the output; ${c.bad} is refused`, async () => {
      await expectDiffers(c);
      await expectRefused(c.bad, c.source);
    });
  }
});

describe('every parameter that takes an expression', () => {
  it('has a case for every key', () => expect(Object.keys(EXPR_CASES).sort()).toEqual([...EXPR_KEYS].sort()));
  for (const [key, c] of Object.entries(EXPR_CASES)) {
    it(`${key}: ${c.url} is ${c.literal}; ${c.bad} is refused`, async () => {
      const ext = key === 'q' ? 'jpg' : 'png';
      const [out, ref] = [await fetchOutput(c.url, ext), await fetchOutput(c.literal, ext)];
      expect(out.bytes, c.url).toEqual(ref.bytes);
      await expectRefused(c.bad);
    });
  }
});

describe('every flag', () => {
  it('has a case for every flag', () => expect(Object.keys(FLAG_CASES).sort()).toEqual([...FLAGS].sort()));
  for (const [flag, c] of Object.entries(FLAG_CASES)) it(`fl_${flag}: ${c.url} changes the output`, () => expectDiffers(c));
});

describe('every effect of EFFECTS', () => {
  it('has a case for every effect', () => expect(Object.keys(EFFECT_CASES).sort()).toEqual(Object.keys(EFFECTS).sort()));
  for (const [name, c] of Object.entries(EFFECT_CASES)) {
    const ai = (EFFECTS as Record<string, { ai?: true }>)[name].ai === true;
    it(`e_${name}: ${c.url} ${ai ? 'is queued' : 'changes the output'}; ${c.bad} is refused`, async () => {
      if (ai) {
        const path = `${c.url}/${SOURCE}.png`;
        const res = await get(`${base}/s--${await deliverySignature(path, 'test-secret', 'sha1', 8)}--/${path}`);
        await res.arrayBuffer();
        expect([200, 423], `${c.url}: ${res.headers.get('X-Cld-Error')}`).toContain(res.status);
      } else await expectDiffers({ ...c, reference: c.reference ?? NONE });
      await expectRefused(c.bad);
    });
  }
});
