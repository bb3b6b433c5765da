/**
 * How each `e_` effect becomes plan steps: one builder per row of url/effects.ts's EFFECTS, keyed
 * by its name, so an effect without steps does not compile. Sizes and radii are logical pixels:
 * `scale` is the chain's DPR for effects the table marks `dprScaled`, 1 for the others.
 */
import type { Color } from '../url/colors';
import type { Effect, EffectName } from '../url/effects';
import type { Component } from '../url/params';
import type { ColorMatrix, Size, Step } from './steps';

/** `c` is the effect's component (`co_`, `x`, `y` and the like). */
type EffectSteps = (e: Effect, size: Size, scale: number, c: Component) => Step[];

const GRAY: Color = [128, 128, 128, 255];

/** AI effects run as queued jobs (jobs/), split off the chain before planning (delivery's splitAtAiEffect). */
const queued: EffectSteps = (e) => {
  throw new Error(`e_${e.name} runs as a job and is split off before planning`);
};

export const EFFECT_STEPS: { [K in EffectName]: EffectSteps } = {
  grayscale: (_e, size) => [{ op: 'grayscale', ...size }],
  sepia: (e, size) => [{ op: 'color', matrix: sepia(e.strength! / 100), ...size }],
  // Blends towards co_ (default gray): in * (1 - l/100) + colour * l/100, as ImageMagick's -colorize.
  colorize: (e, size, _scale, c) => {
    const a = e.strength! / 100;
    const [r, g, b] = c.co ?? GRAY;
    // biome-ignore format: the matrix's rows
    const matrix: ColorMatrix = [1 - a, 0, 0, r * a, 0, 1 - a, 0, g * a, 0, 0, 1 - a, b * a];
    return [{ op: 'color', matrix, ...size }];
  },
  // Gaussian sigma strength / 20 logical pixels: e_blur = 5 px, e_blur:2000 = 100 px.
  blur: (e, size, scale) => [{ op: 'blur', sigma: (e.strength! / 20) * scale, ...size }],
  // A small fixed radius, the strength sets the amount: e_sharpen (100) adds 100% of the detail layer, 2000 adds 20x.
  sharpen: (e, size, scale) => [{ op: 'sharpen', sigma: 1 * scale, amount: e.strength! / 100, ...size }],
  // Wider and softer than e_sharpen: sigma 2 px.
  unsharp_mask: (e, size, scale) => [{ op: 'sharpen', sigma: 2 * scale, amount: e.strength! / 100, ...size }],
  upscale: queued,
  gen_restore: queued,
};

/**
 * The sepia of the CSS Filter Effects specification (`sepia(amount)`, a documented linear colour
 * transform, as ImageMagick's -sepia-tone is not): level 100 is the full sepia matrix, lower
 * levels interpolate towards the identity.
 */
function sepia(a: number): ColorMatrix {
  const k = 1 - a;
  // biome-ignore format: the matrix's rows
  return [
    0.393 + 0.607 * k, 0.769 - 0.769 * k, 0.189 - 0.189 * k, 0,
    0.349 - 0.349 * k, 0.686 + 0.314 * k, 0.168 - 0.168 * k, 0,
    0.272 - 0.272 * k, 0.534 - 0.534 * k, 0.131 + 0.869 * k, 0,
  ];
}

/** The matrix of applying `first`, then `then`: consecutive colour steps run as one. */
export function composeColor(first: ColorMatrix, then: ColorMatrix): ColorMatrix {
  const out: number[] = [];
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) out.push(then[r * 4] * first[c] + then[r * 4 + 1] * first[4 + c] + then[r * 4 + 2] * first[8 + c]);
    out.push(then[r * 4] * first[3] + then[r * 4 + 1] * first[7] + then[r * 4 + 2] * first[11] + then[r * 4 + 3]);
  }
  return out as unknown as ColorMatrix;
}
