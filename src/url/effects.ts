/**
 * The `e_` table: every supported effect, its argument range and default, and whether the DPR scales it.
 * How each becomes plan steps, and its strength → pixels mapping: plan/effects.ts.
 */
import { refuseAiVision } from './ai-vision';
import { color as parseColor, formatColor, type Color } from './colors';
import { CldError, ParamError } from './errors';

export interface Effect {
  name: EffectName;
  /** Strength after defaults, or undefined for effects without an argument. */
  strength?: number;
  /** A named choice (`e_art:zorro`, `e_simulate_colorblind:protanopia`, `e_contrast:type_linear`). */
  option?: string;
  /** Numbers of an effect that takes a list (`e_recolor`'s matrix). */
  values?: readonly number[];
  /** Colours with their positions in percent (`e_tint`). */
  stops?: readonly { color: Color; at: number }[];
  /** The colours an effect names: `e_replace_color`'s target, then its source when given. */
  colors?: readonly Color[];
}

/** The arguments of an effect with a grammar of its own: `args` are the parts after its name. */
interface OwnGrammar {
  parse(args: readonly string[], raw: string): Omit<Effect, 'name'>;
  format(e: Effect): string;
}

interface EffectSpec {
  /** Inclusive argument range and its default; absent for effects without an argument. */
  range?: readonly [number, number];
  default?: number;
  /** The effect works in pixels, so its radius is multiplied by the DPR. */
  dprScaled: boolean;
  /** Runs a neural network as a queued job (src/jobs/), not in the request's pipeline. */
  ai?: true;
  /** Reads `co_` of its component. */
  color?: true;
  /** Reads these of its component (a region, an offset) instead of their crop-and-resize meaning. */
  binds?: readonly ('x' | 'y' | 'w' | 'h')[];
  /** How a layer is blended into the image: only on the component that places a layer (plan/layers.ts). */
  blend?: true;
  grammar?: OwnGrammar;
}

const REGION = ['x', 'y', 'w', 'h'] as const;

/** `e_improve[:indoor|outdoor][:<blend>]` (outdoor, 100); a numeric first argument is the blend. */
const improveGrammar: OwnGrammar = {
  parse(args, raw) {
    const bad = () => new ParamError('e_improve', raw, 'indoor or outdoor, and/or a blend from 0 to 100');
    let option = 'outdoor';
    let strength = 100;
    if (args.length > 2) throw bad();
    args.forEach((a, i) => {
      if ((a === 'indoor' || a === 'outdoor') && i === 0) option = a;
      else if (/^\d+$/.test(a) && Number(a) <= 100 && (i === args.length - 1 || args.length === 1)) strength = Number(a);
      else throw bad();
    });
    return { strength, option };
  },
  format: (e) => `improve:${e.option}:${e.strength}`,
};

/** `e_outline[:inner|inner_fill|outer|fill][:<width>][:<blur>]`: width 1-100 (5), blur 0-200 (0); no mode is inner and outer. */
const outlineGrammar: OwnGrammar = {
  parse(args, raw) {
    const bad = () => new ParamError('e_outline', raw, 'a mode (inner, inner_fill, outer, fill), a width from 1 to 100 and a blur from 0 to 200');
    const rest = [...args];
    const option = ['inner', 'inner_fill', 'outer', 'fill'].includes(rest[0]) ? rest.shift() : undefined;
    if (rest.length > 2 || !rest.every((a) => /^\d+$/.test(a))) throw bad();
    const [width = 5, blur = 0] = rest.map(Number);
    if (width < 1 || width > 100 || blur > 200) throw bad();
    return { strength: width, values: [blur], ...(option ? { option } : {}) };
  },
  format: (e) => ['outline', ...(e.option ? [e.option] : []), String(e.strength), String(e.values![0])].join(':'),
};

/** `e_cartoonify[:<line>][:<reduce>|bw]`: line 0-100 (50), reduce 0-100 (the line's value). */
const cartoonifyGrammar: OwnGrammar = {
  parse(args, raw) {
    const bad = () => new ParamError('e_cartoonify', raw, 'a line strength from 0 to 100, then a colour reduction from 0 to 100 or bw');
    if (args.length > 2) throw bad();
    const [line = '50', reduce] = args;
    if (!/^\d+$/.test(line) || Number(line) > 100) throw bad();
    if (reduce === 'bw') return { strength: Number(line), option: 'bw' };
    if (reduce !== undefined && (!/^\d+$/.test(reduce) || Number(reduce) > 100)) throw bad();
    return { strength: Number(line), values: [reduce === undefined ? Number(line) : Number(reduce)] };
  },
  format: (e) => `cartoonify:${e.strength}:${e.option === 'bw' ? 'bw' : e.values![0]}`,
};

/** `e_fill_light[:<blend>][:<bias>]`: blend 0-100 (100), bias -100-100 (0). */
const fillLightGrammar: OwnGrammar = {
  parse(args, raw) {
    const bad = () => new ParamError('e_fill_light', raw, 'a blend from 0 to 100 and a bias from -100 to 100');
    if (args.length > 2 || !args.every((a) => /^-?\d+$/.test(a))) throw bad();
    const [blend = 100, bias = 0] = args.map(Number);
    if (blend < 0 || blend > 100 || bias < -100 || bias > 100) throw bad();
    return { strength: blend, values: [bias] };
  },
  format: (e) => `fill_light:${e.strength}:${e.values![0]}`,
};

/** `e_gradient_fade[:symmetric][:<strength>]`: strength 0-100 (20); `symmetric_pad` is refused. */
const gradientFadeGrammar: OwnGrammar = {
  parse(args, raw) {
    const bad = () => new ParamError('e_gradient_fade', raw, 'symmetric and/or a strength from 0 to 100');
    let option: string | undefined;
    let strength = 20;
    for (const a of args) {
      if (a === 'symmetric' && option === undefined) option = a;
      else if (a === 'symmetric_pad') throw new CldError(400, 'e_gradient_fade:symmetric_pad is not supported; use symmetric');
      else if (/^\d+$/.test(a) && Number(a) <= 100) strength = Number(a);
      else throw bad();
    }
    return { strength, ...(option ? { option } : {}) };
  },
  format: (e) => ['gradient_fade', ...(e.option ? [e.option] : []), String(e.strength)].join(':'),
};

/** Cloudinary's 21 artistic presets (e_art:<name>); plan/effects.ts says what each one does. */
export const ART_FILTERS = [
  'al_dente',
  'athena',
  'audrey',
  'aurora',
  'daguerre',
  'eucalyptus',
  'fes',
  'frost',
  'hairspray',
  'hokusai',
  'incognito',
  'linen',
  'peacock',
  'primavera',
  'quartz',
  'red_rock',
  'refresh',
  'sizzle',
  'sonnet',
  'ukulele',
  'zorro',
] as const;
export type ArtFilter = (typeof ART_FILTERS)[number];

export const COLORBLIND_CONDITIONS = [
  'deuteranopia',
  'protanopia',
  'tritanopia',
  'tritanomaly',
  'deuteranomaly',
  'cone_monochromacy',
  'rod_monochromacy',
] as const;
export type ColorblindCondition = (typeof COLORBLIND_CONDITIONS)[number];

/** One required named choice from `options`, or `fallback` when absent. */
function choice(effect: string, options: readonly string[], fallback?: string): OwnGrammar {
  return {
    parse(args, raw) {
      const [opt, ...rest] = args;
      if (rest.length || (opt === undefined && fallback === undefined) || (opt !== undefined && !options.includes(opt)))
        throw new ParamError(`e_${effect}`, raw, `one of ${options.join(', ')}`);
      return { option: opt ?? fallback };
    },
    format: (e) => `${e.name}:${e.option}`,
  };
}

/** `e_contrast[:<level>]` (sigmoidal, -100..100, default 0) or verbose `e_contrast:level_<n>;type_<linear|sigmoidal>` (linear: 1..200, default 100). */
const contrastGrammar: OwnGrammar = {
  parse(args, raw) {
    const bad = () => new ParamError('e_contrast', raw, 'a level from -100 to 100, or level_<n>;type_linear with a level from 1 to 200');
    if (args.length > 1) throw bad();
    let level: string | undefined;
    let type = 'sigmoidal';
    for (const part of args[0]?.split(';') ?? []) {
      if (/^-?\d+$/.test(part)) level = part;
      else if (part.startsWith('level_')) level = part.slice(6);
      else if (part === 'type_linear' || part === 'type_sigmoidal') type = part.slice(5);
      else throw bad();
    }
    const [min, max, def] = type === 'linear' ? [1, 200, 100] : [-100, 100, 0];
    const n = level === undefined ? def : /^-?\d+$/.test(level) ? Number(level) : NaN;
    if (!(n >= min && n <= max)) throw bad();
    return { strength: n, option: type };
  },
  format: (e) => (e.option === 'linear' ? `contrast:level_${e.strength};type_linear` : `contrast:${e.strength}`),
};

/** `e_recolor:<m1>:…:<m9>` (RGB) or 16 values (RGBA, row-major). */
const recolorGrammar: OwnGrammar = {
  parse(args, raw) {
    const values = args.map((a) => (/^-?(\d+\.?\d*|\.\d+)$/.test(a) ? Number(a) : NaN));
    if ((values.length !== 9 && values.length !== 16) || values.some((v) => !(Math.abs(v) <= 100)))
      throw new ParamError('e_recolor', raw, '9 or 16 numbers between -100 and 100 (a 3x3 or 4x4 matrix, row by row)');
    return { values };
  },
  format: (e) => `recolor:${e.values!.join(':')}`,
};

/** Inside effect arguments colours are named or bare hex (rgb: accepted too). */
function effectColor(effect: string, raw: string): Color {
  return parseColor(`e_${effect}`)(/^[0-9a-f]{3,8}$/i.test(raw) ? `rgb:${raw}` : raw);
}

/** `e_trim[:<tolerance 0-100>][:<colour>]` (10, the top-left pixel): the colour is stored as its RGBA in `values`. */
const trimGrammar: OwnGrammar = {
  parse(args, raw) {
    const bad = () => new ParamError('e_trim', raw, 'a tolerance from 0 to 100, then a colour (a name or hex)');
    const [tol = '10', ...colour] = args;
    if (!/^\d+$/.test(tol) || Number(tol) > 100) throw bad();
    if (!colour.length) return { strength: Number(tol) };
    const c = effectColor('trim', colour.join(':'));
    return { strength: Number(tol), values: [...c] };
  },
  format: (e) => `trim:${e.strength}${e.values ? `:${formatColor(e.values as unknown as Color).slice(4)}` : ''}`,
};

/** `e_ordered_dither[:<0-18>]` (0): the threshold map (plan/effects.ts DITHER_MAPS). */
const orderedDitherGrammar: OwnGrammar = {
  parse(args, raw) {
    const [type = '0', ...rest] = args;
    if (rest.length || !/^\d+$/.test(type) || Number(type) > 18) throw new ParamError('e_ordered_dither', raw, 'a map from 0 to 18');
    return { strength: Number(type) };
  },
  format: (e) => `ordered_dither:${e.strength}`,
};

/** `e_assist_colorblind[:<strength 1-100>|xray]` (stripes at 10). */
const assistColorblindGrammar: OwnGrammar = {
  parse(args, raw) {
    const [arg = '10', ...rest] = args;
    if (rest.length) throw new ParamError('e_assist_colorblind', raw, 'a stripe strength from 1 to 100, or xray');
    if (arg === 'xray') return { option: 'xray' };
    if (!/^\d+$/.test(arg) || Number(arg) < 1 || Number(arg) > 100)
      throw new ParamError('e_assist_colorblind', raw, 'a stripe strength from 1 to 100, or xray');
    return { strength: Number(arg) };
  },
  format: (e) => `assist_colorblind:${e.option ?? e.strength}`,
};

/** `e_tint[:equalize][:<amount>][:<colour>[:<position>p]]…`: amount 0-100 (60), up to 10 colours (red), positions 0p-100p. */
const tintGrammar: OwnGrammar = {
  parse(args, raw) {
    const bad = (why: string) => new ParamError('e_tint', raw, why);
    const rest = [...args];
    let option: string | undefined;
    if (rest[0] === 'equalize') {
      rest.shift();
      option = 'equalize';
    }
    let strength = 60;
    if (rest.length && /^\d+$/.test(rest[0])) {
      strength = Number(rest.shift());
      if (strength > 100) throw bad('an amount from 0 to 100');
    }
    const given: { color: Color; at?: number }[] = [];
    for (const part of rest) {
      const pos = /^(\d+)p$/.exec(part);
      if (pos) {
        const last = given.at(-1);
        if (!last || last.at !== undefined || Number(pos[1]) > 100) throw bad('a position from 0p to 100p after its colour');
        last.at = Number(pos[1]);
      } else given.push({ color: effectColor('tint', part) });
    }
    if (given.length > 10) throw bad('at most 10 colours');
    if (!given.length) given.push({ color: [255, 0, 0, 255] });
    // Colours without a position spread evenly (one colour sits at 50p).
    const stops = given.map((g, i) => ({ color: g.color, at: g.at ?? (given.length === 1 ? 50 : Math.round((i * 100) / (given.length - 1))) }));
    return { strength, stops, ...(option ? { option } : {}) };
  },
  format: (e) =>
    ['tint', ...(e.option ? [e.option] : []), String(e.strength), ...e.stops!.flatMap((s) => [formatColor(s.color).slice(4), `${s.at}p`])].join(':'),
};

/** `e_replace_color:<to>[:<tolerance>[:<from>]]`: tolerance 0-100 (50); no from: the image's most prominent strong colour. */
const replaceColorGrammar: OwnGrammar = {
  parse(args, raw) {
    const [to, tolerance, from] = args;
    if (!to || args.length > 3 || (tolerance !== undefined && !(/^\d+$/.test(tolerance) && Number(tolerance) <= 100)))
      throw new ParamError('e_replace_color', raw, 'a colour to replace with, then a tolerance from 0 to 100 and the colour to replace');
    const colors = [effectColor('replace_color', to), ...(from ? [effectColor('replace_color', from)] : [])];
    return { strength: tolerance === undefined ? 50 : Number(tolerance), colors };
  },
  format: (e) => {
    const [to, from] = e.colors!.map((c) => formatColor(c).slice(4));
    return `replace_color:${to}:${e.strength}${from ? `:${from}` : ''}`;
  },
};

export const EFFECTS = {
  grayscale: { dprScaled: false },
  sepia: { range: [1, 100], default: 80, dprScaled: false },
  colorize: { range: [0, 100], default: 100, dprScaled: false, color: true },
  brightness: { range: [-99, 100], default: 80, dprScaled: false },
  brightness_hsb: { range: [-99, 100], default: 80, dprScaled: false },
  contrast: { dprScaled: false, grammar: contrastGrammar },
  saturation: { range: [-100, 100], default: 80, dprScaled: false },
  vibrance: { range: [-100, 100], default: 20, dprScaled: false },
  hue: { range: [-100, 100], default: 80, dprScaled: false },
  gamma: { range: [-50, 150], default: 0, dprScaled: false },
  red: { range: [-100, 100], default: 0, dprScaled: false },
  green: { range: [-100, 100], default: 0, dprScaled: false },
  blue: { range: [-100, 100], default: 0, dprScaled: false },
  negate: { dprScaled: false },
  blackwhite: { range: [0, 100], default: 50, dprScaled: false },
  tint: { dprScaled: false, grammar: tintGrammar },
  recolor: { dprScaled: false, grammar: recolorGrammar },
  simulate_colorblind: { dprScaled: false, grammar: choice('simulate_colorblind', COLORBLIND_CONDITIONS, 'deuteranopia') },
  art: { dprScaled: false, grammar: choice('art', ART_FILTERS) },
  opacity_threshold: { range: [1, 100], default: 50, dprScaled: false },
  replace_color: { dprScaled: false, grammar: replaceColorGrammar },
  // Layer blend modes, on the fl_layer_apply component (or the one-component layer's).
  multiply: { dprScaled: false, blend: true },
  screen: { dprScaled: false, blend: true },
  overlay: { dprScaled: false, blend: true },
  mask: { dprScaled: false, blend: true },
  cut_out: { dprScaled: false, blend: true },
  anti_removal: { range: [1, 100], default: 50, dprScaled: false, blend: true },
  // An animation's plays: n more after the first; none given, forever (plan/output.ts reads it).
  loop: { range: [0, 100], dprScaled: false },
  // Without a size, the block is chosen from the image (plan/effects.ts).
  pixelate: { range: [1, 200], dprScaled: true },
  pixelate_region: { range: [1, 200], dprScaled: true, binds: REGION },
  blur_region: { range: [1, 2000], default: 100, dprScaled: true, binds: REGION },
  oil_paint: { range: [0, 100], default: 30, dprScaled: true },
  vignette: { range: [0, 100], default: 20, dprScaled: false },
  noise: { range: [0, 100], default: 0, dprScaled: false },
  make_transparent: { range: [0, 100], default: 10, dprScaled: false, color: true },
  auto_brightness: { range: [0, 100], default: 100, dprScaled: false },
  auto_contrast: { range: [0, 100], default: 100, dprScaled: false },
  auto_color: { range: [0, 100], default: 100, dprScaled: false },
  improve: { dprScaled: false, grammar: improveGrammar },
  fill_light: { dprScaled: false, grammar: fillLightGrammar },
  shadow: { range: [0, 100], default: 40, dprScaled: true, color: true, binds: ['x', 'y'] },
  outline: { dprScaled: true, color: true, grammar: outlineGrammar },
  cartoonify: { dprScaled: true, grammar: cartoonifyGrammar },
  gradient_fade: { dprScaled: true, binds: ['x', 'y'], grammar: gradientFadeGrammar },
  sharpen: { range: [1, 2000], default: 100, dprScaled: true },
  unsharp_mask: { range: [1, 2000], default: 100, dprScaled: true },
  blur: { range: [1, 2000], default: 100, dprScaled: true },
  upscale: { dprScaled: false, ai: true },
  gen_restore: { dprScaled: false, ai: true },
  trim: { dprScaled: false, grammar: trimGrammar },
  ordered_dither: { dprScaled: false, grammar: orderedDitherGrammar },
  assist_colorblind: { dprScaled: false, grammar: assistColorblindGrammar },
} as const satisfies Record<string, EffectSpec>;

export type EffectName = keyof typeof EFFECTS;

export function effect(raw: string): Effect {
  refuseAiVision('e', raw);
  const [name, arg, ...rest] = raw.split(':');
  const spec: EffectSpec | undefined = Object.hasOwn(EFFECTS, name) ? (EFFECTS as Record<string, EffectSpec>)[name] : undefined;
  if (!spec) {
    throw new CldError(400, `Invalid effect in transformation: ${name} (supported: ${Object.keys(EFFECTS).join(', ')})`);
  }
  if (spec.grammar) return { name: name as EffectName, ...spec.grammar.parse(raw.split(':').slice(1), raw) };
  if (!spec.range) {
    if (arg !== undefined) throw new ParamError(`e_${name}`, raw, 'no argument');
    return { name: name as EffectName };
  }
  const [min, max] = spec.range;
  if (rest.length || (arg !== undefined && !/^-?\d+$/.test(arg))) throw new ParamError(`e_${name}`, raw, `a strength from ${min} to ${max}`);
  const strength = arg === undefined ? spec.default : Number(arg);
  if (strength === undefined) return { name: name as EffectName };
  if (strength < min || strength > max) throw new ParamError(`e_${name}`, raw, `a strength from ${min} to ${max}`);
  return { name: name as EffectName, strength };
}

export function formatEffect(e: Effect): string {
  const grammar = (EFFECTS as Record<string, EffectSpec>)[e.name].grammar;
  if (grammar) return grammar.format(e);
  return e.strength === undefined ? e.name : `${e.name}:${e.strength}`;
}

export type AiEffectName = 'upscale' | 'gen_restore';

export function isAiEffect(e: Effect | undefined): e is Effect & { name: AiEffectName } {
  return !!e && (EFFECTS as Record<string, EffectSpec>)[e.name].ai === true;
}

export function dprScales(e: Effect): boolean {
  return EFFECTS[e.name].dprScaled;
}

/** The parameters of the component that the effect reads as its own (a region, an offset). */
export function boundParams(e: Effect | undefined): readonly ('x' | 'y' | 'w' | 'h')[] {
  return (e && (EFFECTS as Record<string, EffectSpec>)[e.name].binds) ?? [];
}

/** A layer blend mode (`e_multiply`, `e_screen`, `e_overlay`, `e_mask`, `e_cut_out`, `e_anti_removal`). */
export function isBlendEffect(e: Effect | undefined): boolean {
  return !!e && (EFFECTS as Record<string, EffectSpec>)[e.name].blend === true;
}

export function readsColor(e: Effect | undefined): boolean {
  return !!e && (EFFECTS as Record<string, EffectSpec>)[e.name].color === true;
}
