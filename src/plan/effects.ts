/**
 * How each `e_` effect becomes plan steps: one builder per row of url/effects.ts's EFFECTS, keyed
 * by its name, so an effect without steps does not compile. Sizes and radii are logical pixels:
 * `scale` is the chain's DPR for effects the table marks `dprScaled`, 1 for the others. Colour
 * effects become `color` steps (plan/color.ts has their matrices; ops/color.ts runs them).
 */
import type { Color } from '../url/colors';
import type { ArtFilter, ColorblindCondition, Effect, EffectName } from '../url/effects';
import { CldError } from '../url/errors';
import type { Component } from '../url/params';
import { blendTowards, fromRows, hueRotate, joinStages, saturate, scale as scaleRgb, sepia } from './color';
import type { Dimension, Offset } from '../url/values';
import type { ColorStage, Rect, Rgba, Size, Step } from './steps';

/** `c` is the effect's component (`co_`, `x`, `y` and the like). */
type EffectSteps = (e: Effect, size: Size, scale: number, c: Component) => Step[];

const GRAY: Color = [128, 128, 128, 255];
const BLACK: Color = [0, 0, 0, 255];

const colorStep = (size: Size, ...stages: ColorStage[]): Step[] => [{ op: 'color', stages, ...size }];
/** An effect made of colour stages only. */
const tone =
  (stages: (e: Effect, c: Component) => ColorStage[]): EffectSteps =>
  (e, size, _scale, c) =>
    colorStep(size, ...stages(e, c));
const level = (e: Effect) => e.strength! / 100;

/** AI effects run as queued jobs (jobs/), split off the chain before planning (delivery's splitAtAiEffect). */
const queued: EffectSteps = (e) => {
  throw new Error(`e_${e.name} runs as a job and is split off before planning`);
};

/** Blend modes are read by plan/layers.ts on the component that places a layer; anywhere else they blend nothing. */
const blendOnly: EffectSteps = (e) => {
  throw new CldError(400, `e_${e.name} blends a layer into the image: put it on the layer's fl_layer_apply component (or its l_ component)`);
};

export const EFFECT_STEPS: { [K in EffectName]: EffectSteps } = {
  grayscale: (_e, size) => [{ op: 'grayscale', ...size }],
  // The CSS Filter Effects sepia matrix, interpolated towards the identity by level.
  sepia: tone((e) => [{ matrix: sepia(level(e)) }]),
  // Blends towards co_ (default gray): in (1 - l/100) + colour l/100, as ImageMagick's -colorize.
  colorize: tone((e, c) => [{ matrix: blendTowards(c.co ?? GRAY, level(e)) }]),
  // A linear shift by l% of the range (ImageMagick's -brightness-contrast l), the reference's reading.
  brightness: tone((e) => [{ matrix: scaleRgb(1, 1, 1, 2.55 * e.strength!) }]),
  // HSB brightness times 1 + l/100 (ImageMagick's -modulate 100+l): every channel scaled alike.
  brightness_hsb: tone((e) => [{ matrix: scaleRgb(1 + level(e)) }]),
  // Sigmoidal (default): strength |l| / 10 around the midpoint, negative flattens; linear: CSS contrast(n%).
  contrast: tone((e) =>
    e.option === 'linear' ? [{ matrix: scaleRgb(level(e), level(e), level(e), 127.5 * (1 - level(e))) }] : [{ curve: { sigmoid: e.strength! / 10 } }],
  ),
  // CSS saturate(1 + l/100): -100 is gray.
  saturation: tone((e) => [{ matrix: saturate(1 + level(e)) }]),
  vibrance: tone((e) => [{ vibrance: level(e) }]),
  // ±100 is ±180 degrees (ImageMagick's -modulate 100,100,100+l), luma kept (CSS hue-rotate).
  hue: tone((e) => [{ matrix: hueRotate(e.strength! * 1.8) }]),
  // gamma 1 + l/100 (0.5 to 2.5): out = in^(1/gamma).
  gamma: tone((e) => [{ curve: { gamma: 1 + level(e) } }]),
  red: tone((e) => [{ matrix: scaleRgb(1 + level(e), 1, 1) }]),
  green: tone((e) => [{ matrix: scaleRgb(1, 1 + level(e), 1) }]),
  blue: tone((e) => [{ matrix: scaleRgb(1, 1, 1 + level(e)) }]),
  negate: tone(() => [{ matrix: scaleRgb(-1, -1, -1, 255) }]),
  // Gray, then black below t% and white from t% up: a higher t leans to black.
  blackwhite: tone((e) => [{ matrix: saturate(0) }, { curve: { threshold: level(e) } }]),
  // equalize: the luminance histogram flattened first (ops/auto-tone.ts), then the tint.
  tint: (e, size) => [
    ...(e.option === 'equalize' ? [{ op: 'auto-tone' as const, corrections: ['equalize' as const], blend: 1, amount: 0, ...size }] : []),
    ...colorStep(size, { gradient: e.stops!, amount: level(e) }),
  ],
  recolor: tone((e) => [{ matrix: fromRows(e.values!) }]),
  simulate_colorblind: tone((e) => [{ matrix: fromRows(COLORBLIND[e.option as ColorblindCondition]) }]),
  art: (e, size, scale, c) => colorStep(size, ...artStages(e.option as ArtFilter, size, scale, c)),
  opacity_threshold: tone((e) => [{ alphaThreshold: level(e) }]),
  multiply: blendOnly,
  screen: blendOnly,
  overlay: blendOnly,
  mask: blendOnly,
  cut_out: blendOnly,
  anti_removal: blendOnly,
  // No pixels: the animated output's loop count (plan/output.ts).
  loop: () => [],
  // Tolerance 0-100 as a ΔE76 radius of the same number (50: shades of the colour, not its neighbours on the wheel).
  replace_color: (e, size) => {
    const [to, from] = e.colors!;
    return [{ op: 'replace-color', to, radius: e.strength!, ...(from ? { from } : {}), ...size }];
  },
  // Cloudinary picks the block from the image when none is given: here 1/40 of the shorter side, at least 4 px.
  pixelate: (e, size, scale) => [{ op: 'pixelate', block: pixelBlock(e, size, scale), ...size }],
  pixelate_region: (e, size, scale, c) => [{ op: 'pixelate', block: pixelBlock(e, size, scale), region: regionOf(c, size, scale), ...size }],
  blur_region: (e, size, scale, c) => [{ op: 'blur', sigma: (e.strength! / 20) * scale, region: regionOf(c, size, scale), ...size }],
  // Radius 1 px per 10 of strength (at least 1), 20 intensity levels (ImageMagick's -paint radius).
  oil_paint: (e, size, scale) => [{ op: 'oil-paint', radius: Math.max(1, Math.round((e.strength! / 10) * scale)), levels: 20, ...size }],
  // At 100 the corners go black; the default 20 darkens them by a fifth.
  vignette: (e, size) => [{ op: 'vignette', strength: level(e), ...size }],
  // +-l% of half the range; seeded by the size so that the same URL gives the same bytes.
  noise: (e, size) => [{ op: 'noise', amount: level(e) * 128, seed: size.width * 65_537 + size.height, ...size }],
  // co_, or the top-left pixel's colour (Cloudinary: the edge colour); tolerance l% of the largest RGB distance.
  make_transparent: (e, size, _scale, c) => [{ op: 'make-transparent', tolerance: level(e), ...(c.co ? { color: c.co } : {}), ...size }],
  gradient_fade: (e, size, scale, c) => [
    { op: 'gradient-fade', ...fadeOf(c, size, scale), power: e.strength! / 20, symmetric: e.option === 'symmetric', ...size },
  ],
  // ImageMagick's -auto-gamma, -auto-level, per-channel -auto-level (ops/auto-tone.ts), mixed by blend.
  auto_brightness: (e, size) => [{ op: 'auto-tone', corrections: ['gamma'], blend: level(e), amount: 0, ...size }],
  auto_contrast: (e, size) => [{ op: 'auto-tone', corrections: ['levels'], blend: level(e), amount: 0, ...size }],
  auto_color: (e, size) => [{ op: 'auto-tone', corrections: ['channel-levels'], blend: level(e), amount: 0, ...size }],
  // Colour and contrast (per-channel levels) then brightness (mean to mid grey); indoor also lifts the shadows.
  improve: (e, size) => [
    {
      op: 'auto-tone',
      corrections: e.option === 'indoor' ? ['channel-levels', 'gamma', 'shadows'] : ['channel-levels', 'gamma'],
      blend: level(e),
      amount: 0.15,
      ...size,
    },
  ],
  // Shadows lifted by 0.3, plus the bias (-100..100) times 0.3 more or less, mixed by blend.
  fill_light: (e, size) => [{ op: 'auto-tone', corrections: ['shadows'], blend: level(e), amount: Math.max(0, 0.3 + (e.values![0] / 100) * 0.3), ...size }],
  // Blur of the edge s/10 px (default 4), offset x, y (default 10, 10) in co_ (default gray), under the image on a canvas grown to hold it.
  shadow: (e, size, scale, c) => {
    const sigma = (e.strength! / 10) * scale;
    const dx = Math.round((c.x ? offsetValue(c.x, size.width) : 10) * (c.x?.kind === 'ratio' ? 1 : scale));
    const dy = Math.round((c.y ? offsetValue(c.y, size.height) : 10) * (c.y?.kind === 'ratio' ? 1 : scale));
    const m = Math.ceil(3 * sigma);
    const left = Math.min(0, dx - m),
      top = Math.min(0, dy - m);
    const width = Math.max(size.width, size.width + dx + m) - left,
      height = Math.max(size.height, size.height + dy + m) - top;
    return [{ op: 'shadow', color: c.co ?? GRAY, sigma, dx, dy, baseX: -left, baseY: -top, width, height }];
  },
  // Bands of width px (times the DPR) along the alpha edge in co_ (default black), blurred by blur/10 px; the canvas grows for outer bands.
  outline: (e, size, scale, c) => {
    const mode = e.option;
    const outer = mode === undefined || mode === 'outer' || mode === 'fill';
    const thickness = e.strength! * scale;
    const sigma = (e.values![0] / 10) * scale;
    const m = outer ? Math.ceil(thickness + 3 * sigma) : 0;
    return [
      {
        op: 'outline',
        color: c.co ?? BLACK,
        thickness,
        sigma,
        outer,
        inner: mode === undefined || mode === 'inner' || mode === 'inner_fill',
        fill: mode === 'fill' || mode === 'inner_fill',
        baseX: m,
        baseY: m,
        width: size.width + 2 * m,
        height: size.height + 2 * m,
      },
    ];
  },
  // Edges where the Sobel gradient exceeds 400 - 3 line (line 50: 250 of ~1440), lines line/25 px wide; 16 - 0.14 reduce levels per channel.
  cartoonify: (e, size, scale) => [
    {
      op: 'cartoonify',
      edge: 400 - 3 * e.strength!,
      lineWidth: Math.max(1, Math.round((e.strength! / 25) * scale)),
      levels: e.option === 'bw' ? 6 : Math.max(2, Math.round(16 - 0.14 * e.values![0])),
      bw: e.option === 'bw',
      ...size,
    },
  ],
  sharpen: (e, size, scale) => [{ op: 'sharpen', sigma: 1 * scale, amount: e.strength! / 100, ...size }],
  // Wider and softer than e_sharpen: sigma 2 px.
  unsharp_mask: (e, size, scale) => [{ op: 'sharpen', sigma: 2 * scale, amount: e.strength! / 100, ...size }],
  // Gaussian sigma strength / 20 logical pixels: e_blur = 5 px, e_blur:2000 = 100 px.
  blur: (e, size, scale) => [{ op: 'blur', sigma: (e.strength! / 20) * scale, ...size }],
  upscale: queued,
  gen_restore: queued,
  // Tolerance in percent of the largest RGB distance (ImageMagick's -fuzz); colour as RGBA, else the top-left pixel.
  trim: (e, size) => [{ op: 'trim', tolerance: e.strength! / 100, ...(e.values ? { color: e.values as unknown as Rgba } : {}), ...size }],
  ordered_dither: (e, size) => [{ op: 'dither', ...ditherMap(e.strength!), ...size }],
  // Stripes by strength, or xray: the daltonize correction (Fidaner, Lin and Ozguven 2005) as one matrix.
  assist_colorblind: (e, size) =>
    e.option === 'xray' ? colorStep(size, { matrix: fromRows(DALTONIZE) }) : [{ op: 'colorblind-stripes', strength: Math.min(1, e.strength! / 25), ...size }],
};

const offsetValue = (o: Offset, full: number) => (o.kind === 'ratio' ? o.value * full : o.value);

function pixelBlock(e: Effect, size: Size, scale: number): number {
  const block = e.strength === undefined ? Math.max(4, Math.round(Math.min(size.width, size.height) / 40)) : e.strength * scale;
  return Math.max(1, Math.min(Math.round(block), Math.max(size.width, size.height)));
}

/** x, y, w, h of an effect's component as a rectangle of `size`: pixels (times the DPR) or fractions; absent ones reach the far edge. */
function regionOf(c: Component, size: Size, scale: number): Rect {
  const at = (o: Offset | undefined, full: number) => (!o ? 0 : o.kind === 'ratio' ? o.value * full : o.value * scale);
  const len = (d: Dimension | undefined, full: number, from: number) =>
    !d ? full - from : d.kind === 'ratio' ? d.value * full : d.kind === 'px' ? d.value * scale : full - from;
  const x = at(c.x, size.width),
    y = at(c.y, size.height);
  return { x, y, width: len(c.w, size.width, x), height: len(c.h, size.height, y) };
}

/**
 * e_gradient_fade's edge and depth from x or y: +y fades from the top, -y from the bottom, +x from
 * the left, -x from the right; fractions of the size or pixels; y_0.5 when neither is given.
 */
function fadeOf(c: Component, size: Size, scale: number): { edge: 'top' | 'bottom' | 'left' | 'right'; depth: number } {
  const o = c.y ?? c.x ?? { kind: 'ratio', value: 0.5 };
  const vertical = c.y !== undefined || c.x === undefined;
  const full = vertical ? size.height : size.width;
  const depth = Math.max(1, Math.round(o.kind === 'ratio' ? Math.abs(o.value) * full : Math.abs(o.value) * scale));
  const edge = vertical ? (o.value < 0 ? 'bottom' : 'top') : o.value < 0 ? 'right' : 'left';
  return { edge, depth };
}

/**
 * e_ordered_dither's 19 maps, Cloudinary's order of ImageMagick's families (breadth §1): 0
 * threshold (1x1 at 50%), 1 checks (2x2 checkerboard of 1/3 and 2/3), 2-5 dispersed Bayer 2x2, 3x3,
 * 4x4, 8x8, 6-8 halftone 4x4/6x6/8x8 at 45 degrees (a dot at the centre and at the corners of
 * each cell), 9-12 orthogonal halftone 4x4/6x6/8x8/16x16 (a dot at the centre), 13-18 circles 5x5,
 * 6x6, 7x7 (black dots, then white). Generated from their definitions, not copied from
 * ImageMagick's thresholds.xml: a dot's pixels are ranked by their distance to the dot's centre,
 * the nearest turning dark first. A channel becomes 255 where its value is over the cell's threshold.
 */
export function ditherMap(type: number): { map: number[]; size: number } {
  if (type === 0) return { map: [0.5], size: 1 };
  if (type === 1) return { map: [1 / 3, 2 / 3, 2 / 3, 1 / 3], size: 2 };
  if (type <= 5) {
    const n = [2, 3, 4, 8][type - 2];
    const order = n === 3 ? [2, 6, 3, 5, 0, 8, 1, 7, 4] : bayer(n);
    return { map: order.map((i) => (i + 0.5) / (n * n)), size: n };
  }
  const [n, centres, white] =
    type <= 8
      ? [[4, 6, 8][type - 6], 'angled', false]
      : type <= 12
        ? [[4, 6, 8, 16][type - 9], 'orthogonal', false]
        : [[5, 5, 6, 6, 7, 7][type - 13], 'orthogonal', (type - 13) % 2 === 1];
  const dots =
    centres === 'angled'
      ? [
          [0, 0],
          [n, 0],
          [0, n],
          [n, n],
          [n / 2, n / 2],
        ]
      : [[n / 2, n / 2]];
  const cells = Array.from({ length: n * n }, (_, i) => {
    const [x, y] = [(i % n) + 0.5, Math.floor(i / n) + 0.5];
    return { i, d: Math.min(...dots.map(([cx, cy]) => (x - cx) ** 2 + (y - cy) ** 2)) };
  });
  cells.sort((a, b) => a.d - b.d || a.i - b.i);
  const map = new Array<number>(n * n);
  cells.forEach(({ i }, rank) => {
    const t = (rank + 0.5) / (n * n);
    map[i] = white ? t : 1 - t;
  });
  return { map, size: n };
}

/** The n x n Bayer index matrix (n a power of two), row-major. */
function bayer(n: number): number[] {
  if (n === 1) return [0];
  const h = n / 2;
  const half = bayer(h);
  const out = new Array<number>(n * n);
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) out[y * n + x] = 4 * half[(y % h) * h + (x % h)] + [0, 2, 3, 1][(y < h ? 0 : 2) + (x < h ? 0 : 1)];
  return out;
}

/**
 * Machado, Oliveira and Fernandes (2009), "A Physiologically-based Model for Simulation of Color
 * Vision Deficiency": severity 1.0 for the -opias, 0.6 for the -anomalies, applied to sRGB values
 * as most simulators do. Monochromacies: rod (no cones) is Rec. 709 luma; blue-cone monochromacy
 * keeps a fifth of the colour (residual S-cone discrimination).
 */
const COLORBLIND: Record<ColorblindCondition, readonly number[]> = {
  // biome-ignore format: 3x3 matrices
  protanopia: [0.152286, 1.052583, -0.204868, 0.114503, 0.786281, 0.099216, -0.003882, -0.048116, 1.051998],
  // biome-ignore format: 3x3 matrices
  deuteranopia: [0.367322, 0.860646, -0.227968, 0.280085, 0.672501, 0.047413, -0.01182, 0.04294, 0.968881],
  // biome-ignore format: 3x3 matrices
  tritanopia: [1.255528, -0.076749, -0.178779, -0.078411, 0.930809, 0.147602, 0.004733, 0.691367, 0.3039],
  // biome-ignore format: 3x3 matrices
  deuteranomaly: [0.547494, 0.607765, -0.155259, 0.181692, 0.781742, 0.036566, -0.01041, 0.027275, 0.983136],
  // biome-ignore format: 3x3 matrices
  tritanomaly: [1.104996, -0.046633, -0.058363, -0.032137, 0.971635, 0.060503, 0.001336, 0.317922, 0.680742],
  rod_monochromacy: rowsOf(saturate(0)),
  cone_monochromacy: rowsOf(saturate(0.2)),
};

/**
 * Daltonize for deuteranopia: the image plus the error a deuteranope cannot see (in - simulated),
 * shifted into the channels they can: I + E (I - S), E = [0 0 0; 0.7 1 0; 0.7 0 1].
 */
const DALTONIZE: readonly number[] = (() => {
  const s = COLORBLIND.deuteranopia;
  const e = [0, 0, 0, 0.7, 1, 0, 0.7, 0, 1];
  const out: number[] = [];
  for (let r = 0; r < 3; r++)
    for (let c = 0; c < 3; c++) {
      let v = r === c ? 1 : 0;
      for (let k = 0; k < 3; k++) v += e[r * 3 + k] * ((k === c ? 1 : 0) - s[k * 3 + c]);
      out.push(v);
    }
  return out;
})();

function rowsOf(m: readonly number[]): number[] {
  return [m[0], m[1], m[2], m[4], m[5], m[6], m[8], m[9], m[10]];
}

/** Hokusai's gradient: indigo ink in the shadows, paper in the highlights. */
const HOKUSAI: Effect = {
  name: 'tint',
  strength: 75,
  stops: [
    { color: [20, 30, 80, 255], at: 0 },
    { color: [60, 90, 140, 255], at: 45 },
    { color: [235, 225, 200, 255], at: 100 },
  ],
};

const fx = (name: EffectName, strength?: number, option?: string): Effect => ({ name, strength, ...(option ? { option } : {}) });

/**
 * Cloudinary shows its artistic presets only as sample images, so each one here is a short chain
 * of the documented effects above that reads as its name: film and place names by their palette
 * (Fes warm ochre, Frost cold and pale, Hokusai indigo ink on paper, Red Rock desert red), portrait
 * and noir names by tone (Audrey and Zorro black and white, Daguerre a silvery early print).
 */
const ART: Record<ArtFilter, readonly Effect[]> = {
  al_dente: [fx('sepia', 20), fx('contrast', -20), fx('saturation', -10)],
  athena: [fx('saturation', -25), fx('blue', 8), fx('gamma', 10)],
  audrey: [fx('grayscale'), fx('contrast', 40)],
  aurora: [fx('vibrance', 40), fx('hue', -8), fx('green', 6)],
  daguerre: [fx('grayscale'), fx('sepia', 35), fx('contrast', -30)],
  eucalyptus: [fx('saturation', -35), fx('green', 8), fx('blue', 4)],
  fes: [fx('red', 12), fx('blue', -15), fx('saturation', 20)],
  frost: [fx('saturation', -30), fx('blue', 15), fx('brightness', 6)],
  hairspray: [fx('saturation', -15), fx('brightness', 8), fx('contrast', -25), fx('red', 5)],
  hokusai: [HOKUSAI],
  incognito: [fx('saturation', -60), fx('contrast', 30), fx('brightness', -8)],
  linen: [fx('sepia', 30), fx('brightness', 8), fx('contrast', -35)],
  peacock: [fx('saturation', 40), fx('hue', -10)],
  primavera: [fx('saturation', 20), fx('green', 8), fx('gamma', 12)],
  quartz: [fx('saturation', -20), fx('red', 4), fx('blue', 6), fx('brightness', 6)],
  red_rock: [fx('red', 25), fx('sepia', 20), fx('contrast', 15)],
  refresh: [fx('vibrance', 40), fx('contrast', 15), fx('gamma', 8)],
  sizzle: [fx('saturation', 40), fx('red', 15), fx('contrast', 10)],
  sonnet: [fx('sepia', 20), fx('saturation', -15), fx('contrast', -30)],
  ukulele: [fx('vibrance', 50), fx('red', 10), fx('blue', -10)],
  zorro: [fx('grayscale'), fx('contrast', 60), fx('gamma', -20)],
};

function artStages(name: ArtFilter, size: Size, scale: number, c: Component): ColorStage[] {
  let stages: ColorStage[] = [];
  for (const e of ART[name]) {
    // grayscale is its own step kind; as a stage it is CSS saturate(0).
    const steps = e.name === 'grayscale' ? colorStep(size, { matrix: saturate(0) }) : EFFECT_STEPS[e.name](e, size, scale, c);
    for (const s of steps) if (s.op === 'color') stages = joinStages(stages, s.stages);
  }
  return stages;
}
