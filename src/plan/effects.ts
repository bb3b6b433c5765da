/**
 * How each `e_` effect becomes plan steps: one builder per row of url/effects.ts's EFFECTS, keyed
 * by its name, so an effect without steps does not compile. Sizes and radii are logical pixels:
 * `scale` is the chain's DPR for effects the table marks `dprScaled`, 1 for the others.
 */
import type { Effect, EffectName } from '../url/effects';
import type { Size, Step } from './steps';

type EffectSteps = (e: Effect, size: Size, scale: number) => Step[];

/** AI effects run as queued jobs (jobs/), split off the chain before planning (delivery's splitAtAiEffect). */
const queued: EffectSteps = (e) => {
  throw new Error(`e_${e.name} runs as a job and is split off before planning`);
};

export const EFFECT_STEPS: { [K in EffectName]: EffectSteps } = {
  grayscale: (_e, size) => [{ op: 'grayscale', ...size }],
  // Gaussian sigma strength / 20 logical pixels: e_blur = 5 px, e_blur:2000 = 100 px.
  blur: (e, size, scale) => [{ op: 'blur', sigma: (e.strength! / 20) * scale, ...size }],
  // A small fixed radius, the strength sets the amount: e_sharpen (100) adds 100% of the detail layer, 2000 adds 20x.
  sharpen: (e, size, scale) => [{ op: 'sharpen', sigma: 1 * scale, amount: e.strength! / 100, ...size }],
  // Wider and softer than e_sharpen: sigma 2 px.
  unsharp_mask: (e, size, scale) => [{ op: 'sharpen', sigma: 2 * scale, amount: e.strength! / 100, ...size }],
  upscale: queued,
  gen_restore: queued,
};
