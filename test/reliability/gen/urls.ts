/**
 * Seeded delivery-URL fuzzer generated from the parameter table (src/url/params.ts).
 *
 * The table's grammars are functions (`PARAMS[key].parse`), not data, so the valid values of each
 * parameter are found by probing: every candidate of a corpus built from the exported vocabularies
 * (crop modes, gravities, flags, formats, the effects table and its ranges, the size limits) is
 * run through `parse`, and the ones it accepts form the parameter's valid pool. A parameter added
 * to PARAMS is fuzzed automatically: it gets every hostile value class, and a valid pool as far
 * as the corpus covers its grammar (`uncoveredKeys()` lists the keys the corpus cannot satisfy).
 *
 * Pure (no Workers APIs): imported by test/reliability/fuzz-urls.test.ts and, bundled by esbuild,
 * by bench/fuzz.mjs.
 */
import { AI_VISION } from '../../../src/url/ai-vision';
import { CLOUDINARY_KEYS, COMPASS, CROP_MODES, FLAGS, MAX_DPR, OUTPUT_FORMATS, PARAMS, type ParamKey } from '../../../src/url/params';
import { EFFECTS } from '../../../src/url/effects';
import { formatComponent, parseComponent } from '../../../src/url/component';
import { MAX_PIXELS_PER_SIDE } from '../../../src/url/values';
import { DELIVERY_TYPES, EXTENSIONS } from '../../../src/url/delivery-url';
import { mulberry32, caseSeed, nameHash, type Rng } from './prng';

export const KEYS = Object.keys(PARAMS) as ParamKey[];

export interface FuzzTarget {
  cloud: string;
  /** Public IDs of small stored originals (type upload) to deliver. */
  images: readonly string[];
  /** Public IDs usable as layers (stored, type upload). */
  layers: readonly string[];
}

export interface FuzzCase {
  cls: UrlClass;
  index: number;
  seed: number;
  path: string;
}

const effectCandidates = (): string[] =>
  Object.entries(EFFECTS).flatMap(([name, spec]) => {
    const range = (spec as { range?: readonly [number, number] }).range;
    return range ? [name, `${name}:${range[0]}`, `${name}:${range[1]}`, `${name}:${Math.round((range[0] + range[1]) / 2)}`] : [name];
  });

/** Values that some grammar of the table may accept: the exported vocabularies and number shapes. */
function corpus(layers: readonly string[]): string[] {
  const n = MAX_PIXELS_PER_SIDE;
  return [
    ...CROP_MODES,
    ...COMPASS,
    ...Object.keys(AI_VISION.g),
    'auto',
    ...OUTPUT_FORMATS,
    'jpeg',
    ...FLAGS,
    ...effectCandidates(),
    `${FLAGS[0]}.${FLAGS[1]}`,
    'layer_apply.relative',
    '1',
    '2',
    '7',
    '10',
    '32',
    '50',
    '64',
    '80',
    '90',
    '99',
    '100',
    '101',
    '180',
    '270',
    '-90',
    '360',
    '640',
    '1000',
    '2000',
    String(n),
    '0.1',
    '0.25',
    '0.5',
    '1.0',
    '1.5',
    '2.0',
    '4.0',
    '0.75',
    '-0.5',
    '-1.0',
    '-20',
    String(MAX_DPR),
    `${MAX_DPR}.0`,
    '16:9',
    '4:3',
    '1:1',
    '1.78',
    'iw',
    'ih',
    'ow',
    'oh',
    'auto:50',
    'auto:100:400',
    'auto:best',
    'auto:good',
    'auto:eco',
    'auto:low',
    'max',
    '10:20',
    '5:10:15',
    '5:10:15:20',
    'hflip',
    'vflip',
    'ignore',
    '90.hflip',
    'hflip.vflip.90',
    'red',
    'white',
    'black',
    'transparent',
    'none',
    'rgb:f00',
    'rgb:ff000080',
    'rgb:336699',
    '#abc',
    '5px_solid_red',
    '2px_solid_rgb:336699',
    'text:Arial_40:Hello',
    'text:Times_20_bold:Hi%20there',
    '$w_100',
    'w_gt_100',
    ...layers.map((id) => id.split('/').join(':')),
  ];
}

function accepts(key: ParamKey, raw: string): boolean {
  try {
    PARAMS[key].parse(raw);
    return true;
  } catch {
    return false;
  }
}

export function validPools(layers: readonly string[]): Record<ParamKey, string[]> {
  const all = [...new Set(corpus(layers))];
  const pools = {} as Record<ParamKey, string[]>;
  for (const key of KEYS) pools[key] = all.filter((raw) => accepts(key, raw));
  // A layer ID "accepts" almost any text; the pool keeps the stored layers and a few words.
  pools.l = pools.l.filter((v) => layers.some((id) => id.split('/').join(':') === v) || v === 'fill');
  pools.u = pools.l.slice();
  return pools;
}

/** Keys of PARAMS for which no corpus value parses: fuzzed with hostile values only. */
export const uncoveredKeys = (pools: Record<ParamKey, string[]>) => KEYS.filter((k) => pools[k].length === 0);

// ---- hostile value classes -------------------------------------------------------------------

type ValueGen = (r: Rng, valid: string) => string;

/** Percent-encoding of every byte, so a value lands in the path exactly as written. */
const enc = (s: string) => encodeURIComponent(s);

export const VALUE_CLASSES = {
  huge: (r) =>
    r.pick([
      '25001',
      String(MAX_PIXELS_PER_SIDE + 1),
      '99999',
      '4294967296',
      '9007199254740993',
      '9'.repeat(400),
      '1e9',
      '1e308',
      '100.5',
      '9999999.5',
      `${valid(r)}:99999999`,
      '2001',
    ]),
  negative: (r, v) => r.pick(['-1', '-0', '-25001', '-0.5', '-1.0', '-1.1', '--1', `-${v}`, '-9999999999']),
  zero: (r) => r.pick(['0', '0.0', '00', '0000000001', '.0', '0.', '0:0', '0:1', '1:0', '0.000000001']),
  nan: (r) =>
    r.pick(['NaN', 'nan', 'Infinity', '-Infinity', 'inf', '1e999', '0x10', '0b1', '1_000', '1,5', enc('١٢'), enc('１２'), 'null', 'undefined', 'true']),
  float: (r) => r.pick(['0.5', '1.5', '.5', '5.', '1e2', '1E-3', '0.0000001', '1.23456789012345678', '4.0', '2.50', '100.', '0.1', '99.99', '3.14159']),
  unicode: (r, v) =>
    r.pick([
      enc('é'),
      `${v}${enc('é')}`,
      `${enc('\u200b')}${v}`,
      enc('ｗ'),
      enc('１００'),
      '%ED%A0%80',
      '%C0%80',
      `${v}${enc('\uFFFF')}`,
      enc('\u0301'),
      enc('\u202e'),
    ]),
  // Outside the BMP (surrogate pairs in JS strings): emoji, mathematical digits, the last code point.
  nonbmp: (r, v) => r.pick([enc('😀'), `${v}${enc('😀')}`, enc('𝟙𝟘𝟘'), '%F0%9F%98%80', `${v}${enc('\u{10FFFF}')}`, `${enc('👍🏽')}${v}`]),
  percent: (r, v) =>
    r.pick([
      '%00',
      `${v}%00`,
      `%00${v}`,
      '%2525',
      '%252C',
      '%2F',
      `${v}%2Fx`,
      '%2C',
      `${v}%2Cw_10`,
      '%',
      '%Z',
      '%C0%AF',
      '%2e%2e',
      '%5F',
      enc(enc(v)),
      `${v}%25`,
      '%0A',
      '%7F',
      '%FF',
    ]),
  long: (r, v) =>
    r.pick([
      Array(400).fill(v).join(':'),
      Array(400).fill(v).join('.'),
      'a'.repeat(10_000),
      '1'.repeat(5_000),
      `${v}${'0'.repeat(3000)}`,
      `0.${'9'.repeat(3000)}`,
    ]),
  separators: (r, v) =>
    r.pick([`${v}:${v}`, `${v}.${v}`, `${v}_${v}`, `${v}:`, `:${v}`, '::::', '....', `${v}:${v}:${v}:${v}:${v}`, `${v}:-1`, `${v}:0`, `${v}:NaN`]),
  mutate: (r, v) => {
    const chars = [...v];
    const at = r.int(chars.length + 1);
    const op = r.int(3);
    if (op === 0) chars.splice(at, 0, r.pick(['0', '9', '.', ':', '-', 'x', '_', enc('é')]));
    else if (op === 1) chars.splice(at, 1);
    else chars[Math.min(at, chars.length - 1)] = r.pick(['0', '9', '.', ':', 'Z']);
    return chars.join('') || '0';
  },
} satisfies Record<string, ValueGen>;
export type ValueClass = keyof typeof VALUE_CLASSES;

/**
 * Chains whose canonical form stays under 1.5 KB. Longer ones are the 'long-canonical' class: the
 * canonical transformation goes into the derived copy's R2 metadata, which R2 caps at 2 KB.
 */
function capped(components: string[]): string[] {
  let length = 0;
  return components.filter((c) => {
    length += canonicalLength(c) + 1;
    return length <= 1500;
  });
}

function canonicalLength(component: string): number {
  try {
    return formatComponent(parseComponent(decodeURIComponent(component))).length;
  } catch {
    return component.length;
  }
}

const valid = (r: Rng) => r.pick(['100', '0.5', 'fill', 'auto', 'max', '16:9']);

// ---- URL classes -----------------------------------------------------------------------------

export const URL_CLASSES = [
  ...(Object.keys(VALUE_CLASSES) as ValueClass[]).map((c) => `value:${c}` as const),
  'valid',
  'long-chain',
  'long-canonical',
  'ratio-overflow',
  'repeated',
  'keys',
  'layers',
  'signature',
  'path',
  'nonbmp-path',
] as const;
export type UrlClass = (typeof URL_CLASSES)[number];

export class UrlFuzzer {
  readonly pools: Record<ParamKey, string[]>;
  constructor(readonly target: FuzzTarget) {
    this.pools = validPools(target.layers);
  }

  private validValue(r: Rng, key: ParamKey): string {
    const pool = this.pools[key];
    return pool.length ? r.pick(pool) : r.pick(['1', '100', 'auto', '0.5']);
  }

  private validParam(r: Rng, key = r.pick(KEYS)): string {
    return `${key}_${this.validValue(r, key)}`;
  }

  /** 1-4 valid parameters; layers and AI effects are mostly left to their own classes. */
  private validComponent(r: Rng, size = 1 + r.int(4)): string {
    const parts: string[] = [];
    for (let i = 0; i < size; i++) {
      let key = r.pick(KEYS);
      if ((key === 'l' || key === 'u') && r.chance(0.8)) key = 'w';
      let p = this.validParam(r, key);
      if (/^e_(upscale|gen_restore)$/.test(p) && r.chance(0.8)) p = 'e_grayscale';
      parts.push(p);
    }
    return parts.join(',');
  }

  private tail(r: Rng): string {
    const id = r.pick(this.target.images);
    const ext = r.pick(['', '', '.jpg', '.png', '.webp', '.avif', '.gif', '.jpeg', '.JPG', '.exe', '.']);
    return `${id}${ext}`;
  }

  private base(type = 'upload') {
    return `/${this.target.cloud}/image/${type}`;
  }

  private chainOf(components: string[], r: Rng): string {
    return `${this.base()}/${components.filter(Boolean).join('/')}/${r.chance(0.15) ? `v${1 + r.int(9999)}/` : ''}${this.tail(r)}`;
  }

  make(cls: UrlClass, r: Rng): string {
    if (cls.startsWith('value:')) {
      const gen: ValueGen = VALUE_CLASSES[cls.slice(6) as ValueClass];
      const key = r.pick(KEYS);
      const hostile = `${key}_${gen(r, this.validValue(r, key))}`;
      const comps = Array.from({ length: r.int(3) }, () => this.validComponent(r));
      const at = r.int(comps.length + 1);
      // Alone, or among valid parameters of the same component (before or after it).
      const own = r.chance(0.5) ? hostile : r.chance(0.5) ? `${this.validComponent(r)},${hostile}` : `${hostile},${this.validComponent(r)}`;
      comps.splice(at, 0, own);
      return this.chainOf(comps, r);
    }
    switch (cls) {
      case 'valid':
        return this.chainOf(
          Array.from({ length: 1 + r.int(3) }, () => this.validComponent(r)),
          r,
        );
      case 'long-chain': {
        const n = r.pick([20, 50, 100, 300]);
        const comp = r.chance(0.5) ? this.validComponent(r, 1) : '';
        return this.chainOf(capped(Array.from({ length: n }, () => comp || this.validComponent(r, 1))), r);
      }
      case 'long-canonical': {
        // Cheap parameters only: the point is the length of the canonical form, not the work.
        const n = r.pick([300, 1000]);
        const cheap = () => this.validParam(r, r.pick(['x', 'y', 'g', 'b', 'fl', 'c', 'ar'] as ParamKey[]));
        const comp = r.chance(0.5) ? cheap() : '';
        return this.chainOf(
          Array.from({ length: n }, () => comp || cheap()),
          r,
        );
      }
      case 'ratio-overflow': {
        // Relative upscales whose product overflows the planner's arithmetic (width x height past 1e308).
        const n = r.pick([230, 240, 250]);
        return `${this.base()}/${Array(n)
          .fill(r.pick(['w_5.0', 'h_5.0']))
          .join('/')}/${r.pick(this.target.images)}.jpg`;
      }
      case 'repeated': {
        const p = this.validParam(r);
        const n = r.pick([2, 10, 100, 1000]);
        const form = r.int(3);
        if (form === 0) return this.chainOf([Array(n).fill(p).join(',')], r);
        if (form === 1) return this.chainOf(capped(Array(Math.min(n, 200)).fill(p)), r);
        const key = r.pick(KEYS);
        return this.chainOf([Array.from({ length: n }, () => `${key}_${this.validValue(r, key)}`).join(r.chance(0.3) ? '%2C' : ',')], r);
      }
      case 'keys': {
        const key = r.pick([
          ...[...CLOUDINARY_KEYS].filter((k) => !(k in PARAMS)),
          'zz',
          'W',
          'Dpr',
          '$var',
          '$',
          '_',
          '',
          'ww',
          'w w',
          'wh',
          'abcd',
          enc('ẃ'),
          '%77',
          'w%5F',
          ...KEYS.map((k) => k.toUpperCase()),
        ]);
        const value = r.chance(0.5) ? '100' : this.validValue(r, r.pick(KEYS));
        const raw = r.pick([`${key}_${value}`, key, `${key}_`, `_${value}`, `${key}__${value}`]);
        return this.chainOf([r.chance(0.5) ? raw : `${this.validComponent(r)},${raw}`], r);
      }
      case 'layers':
        return this.layerUrl(r);
      case 'signature':
        return this.signatureUrl(r);
      case 'path':
        return this.pathUrl(r);
      case 'nonbmp-path': {
        const e = enc(r.pick(['😀', '𝟙', '\u{10FFFF}', '👍🏽']));
        const id = r.pick(this.target.images);
        return r.pick([
          `${this.base()}/${this.validComponent(r)}/${id}${e}`,
          `${this.base()}/${e}/${id}`,
          `/${e}/image/upload/${id}`,
          `${this.base()}/l_${e}/fl_layer_apply/${id}`,
          `${this.base()}/s--${e}${e}--/${id}`,
          `/${this.target.cloud}/image/${e}/${id}`,
          `${this.base()}/w_100/${e}.jpg`,
        ]);
      }
    }
    throw new Error(`unknown class ${cls}`);
  }

  private layerId(r: Rng): string {
    const stored = r.pick(this.target.layers).split('/').join(':');
    return r.pick([
      stored,
      stored,
      `${stored}.png`,
      `${stored}.exe`,
      'missing_layer',
      'no:such:folder',
      ':',
      '::',
      `:${stored}`,
      `${stored}:`,
      'a:..:b',
      'a:.:b',
      enc('é'),
      'x'.repeat(300),
      'text:Arial_20:hi',
      'fetch:aHR0cDovL2V4YW1wbGUuY29t',
      'private:x',
      'a%00b',
      '%2e%2e',
      `l_${stored}`,
      this.target.images[0].split('/').join(':'),
    ]);
  }

  private layerUrl(r: Rng): string {
    const lu = r.pick(['l', 'u']);
    const id = this.layerId(r);
    const form = r.int(7);
    const apply = () =>
      r.pick([
        'fl_layer_apply',
        `fl_layer_apply,${this.validParam(r, 'g')}`,
        `fl_layer_apply,x_${r.pick(['10', '-10', '0.5', '99999'])},y_${r.pick(['5', '-1.0', '25000'])}`,
        'fl_layer_apply.no_overflow',
        'fl_layer_apply.tiled',
        'fl_layer_apply,fl_tiled,fl_no_overflow',
      ]);
    switch (form) {
      case 0: // legacy one-component layer
        return this.chainOf([`${lu}_${id},${this.validComponent(r)}`], r);
      case 1: // open, transform, apply
        return this.chainOf([`${lu}_${id}`, ...Array.from({ length: r.int(3) }, () => this.validComponent(r).replace(/\b[lu]_[^,]*/g, 'w_20')), apply()], r);
      case 2: // apply with no open layer
        return this.chainOf([this.validComponent(r), apply()], r);
      case 3: // layer inside a layer
        return this.chainOf([`l_${id}`, `${lu}_${this.layerId(r)}`, apply(), apply()], r);
      case 4: {
        // many layers
        const n = r.pick([10, 11, 30]);
        return this.chainOf(
          Array.from({ length: n }, () => `${lu}_${this.layerId(r)}/${apply()}`),
          r,
        );
      }
      case 5: // layer with AI effect or relative sizes
        return this.chainOf(
          [
            `${lu}_${id}`,
            r.pick([
              'e_upscale',
              'e_gen_restore',
              'c_scale,fl_relative,w_0.5',
              'c_scale,fl_relative,w_100.0',
              'w_25000,h_25000',
              'e_blur:2000',
              'a_90,r_max,o_50',
            ]),
            apply(),
          ],
          r,
        );
      default: // hostile value as the layer ID
        return this.chainOf([`${lu}_${VALUE_CLASSES[r.pick((Object.keys(VALUE_CLASSES) as ValueClass[]).filter((c) => c !== 'nonbmp'))](r, id)}`, apply()], r);
    }
  }

  private signatureUrl(r: Rng): string {
    const type = r.pick(DELIVERY_TYPES);
    const sig = r.pick([
      's--AAAAAAAA--',
      's--12345678--',
      `s--${'A'.repeat(32)}--`,
      `s--${'_'.repeat(8)}--`,
      's----',
      's--a--',
      `s--${'A'.repeat(9)}--`,
      's--AAAAAAA%3D--',
      `s--${enc('éééééééé')}--`,
      's--%00%00%00%00%00%00%00%00--',
      'S--AAAAAAAA--',
      's-AAAAAAAA-',
    ]);
    const comps = Array.from({ length: r.int(3) }, () => this.validComponent(r));
    if (r.chance(0.2)) comps.push(r.pick(['e_upscale', 'e_gen_restore']));
    return `${this.base(type)}/${sig}/${comps.join('/')}${comps.length ? '/' : ''}${this.tail(r)}`;
  }

  private pathUrl(r: Rng): string {
    const id = r.pick(this.target.images);
    const comp = this.validComponent(r);
    return r.pick([
      `${this.base()}/${comp}/v/${id}`,
      `${this.base()}/${comp}/v${'9'.repeat(30)}/${id}.jpg`,
      `${this.base()}/v1/v2/${comp}/${id}`,
      `${this.base()}/${comp}/${id}/`,
      `${this.base()}/${comp}/${id}.${'x'.repeat(300)}`,
      `${this.base()}/${comp}/${id}%00.jpg`,
      `${this.base()}/${comp}/${enc(id)}`,
      `${this.base()}/${comp}/${id.replace('/', '%2F')}`,
      `${this.base()}/${comp}/${'a/'.repeat(200)}${id}`,
      `${this.base()}/${comp}/${'x'.repeat(300)}`,
      `${this.base()}/${comp}/..%2F${id}`,
      `${this.base()}/${comp}/%2e%2e/${id}`,
      `${this.base()}/${comp}/${id}.jpg.png`,
      `${this.base()}/${comp}/${enc('é')}`,
      `${this.base()}/${comp}/${id}%ZZ`,
      `${this.base()}/${comp}//${id}`,
      `/${this.target.cloud}/image/${r.pick(['fetch', 'private', 'authenticated', 'nonsense', 'UPLOAD', ''])}/${comp}/${id}`,
      `/image/upload/${comp}/${id}`,
      `/${this.target.cloud}/${r.pick(['video', 'raw', 'images', 'IMAGE'])}/upload/${comp}/${id}`,
      `/${enc('é')}/image/upload/${comp}/${id}`,
      `${this.base()}/${comp}/${id}.${r.pick(Object.keys(EXTENSIONS))}`,
    ]);
  }

  /** `count` cases per class, each from its own seed: case i of a class is the same whatever the count. */
  *cases(seed: number, count: number, classes: readonly UrlClass[] = URL_CLASSES): Generator<FuzzCase> {
    for (const cls of classes) {
      for (let index = 0; index < count; index++) {
        const s = caseSeed(seed ^ nameHash(cls), index);
        yield { cls, index, seed: s, path: this.make(cls, mulberry32(s)) };
      }
    }
  }
}
