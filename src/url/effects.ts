/**
 * The `e_` table: every supported effect, its argument range and default, and whether the DPR scales it.
 * How each becomes plan steps, and its strength → pixels mapping: plan/effects.ts.
 */
import { CldError, ParamError } from './errors';

export interface Effect {
  name: EffectName;
  /** Strength after defaults, or undefined for effects without an argument. */
  strength?: number;
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
}

export const EFFECTS = {
  grayscale: { dprScaled: false },
  sepia: { range: [1, 100], default: 80, dprScaled: false },
  colorize: { range: [0, 100], default: 100, dprScaled: false, color: true },
  sharpen: { range: [1, 2000], default: 100, dprScaled: true },
  unsharp_mask: { range: [1, 2000], default: 100, dprScaled: true },
  blur: { range: [1, 2000], default: 100, dprScaled: true },
  upscale: { dprScaled: false, ai: true },
  gen_restore: { dprScaled: false, ai: true },
} as const satisfies Record<string, EffectSpec>;

export type EffectName = keyof typeof EFFECTS;

export function effect(raw: string): Effect {
  const [name, arg, ...rest] = raw.split(':');
  const spec: EffectSpec | undefined = (EFFECTS as Record<string, EffectSpec>)[name];
  if (!spec) {
    throw new CldError(400, `Invalid effect in transformation: ${name} (supported: ${Object.keys(EFFECTS).join(', ')})`);
  }
  if (!spec.range) {
    if (arg !== undefined) throw new ParamError(`e_${name}`, raw, 'no argument');
    return { name: name as EffectName };
  }
  const [min, max] = spec.range;
  if (rest.length || (arg !== undefined && !/^-?\d+$/.test(arg))) throw new ParamError(`e_${name}`, raw, `a strength from ${min} to ${max}`);
  const strength = arg === undefined ? spec.default! : Number(arg);
  if (strength < min || strength > max) throw new ParamError(`e_${name}`, raw, `a strength from ${min} to ${max}`);
  return { name: name as EffectName, strength };
}

export function formatEffect(e: Effect): string {
  return e.strength === undefined ? e.name : `${e.name}:${e.strength}`;
}

export type AiEffectName = 'upscale' | 'gen_restore';

export function isAiEffect(e: Effect | undefined): e is Effect & { name: AiEffectName } {
  return !!e && (EFFECTS as Record<string, EffectSpec>)[e.name].ai === true;
}

export function dprScales(e: Effect): boolean {
  return EFFECTS[e.name].dprScaled;
}

export function readsColor(e: Effect | undefined): boolean {
  return !!e && (EFFECTS as Record<string, EffectSpec>)[e.name].color === true;
}
