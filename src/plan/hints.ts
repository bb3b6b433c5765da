/**
 * Client hints: `dpr_auto` reads Sec-CH-DPR then DPR, `w_auto` reads Sec-CH-Width then Width.
 * Resolution replaces the auto values by fixed ones, so the resolved values land in the cache key,
 * and records exactly which request headers were consulted (for `Vary`).
 */
import { CldError } from '../url/errors';
import type { Component } from '../url/params';
import { MAX_PIXELS_PER_SIDE } from '../url/values';

/** The highest DPR `dpr_auto` resolves to: beyond 4x no screen shows more detail. */
export const MAX_AUTO_DPR = 4;

export interface ResolvedHints {
  components: Component[];
  /** Request headers the result depends on, in the order they were consulted. */
  vary: string[];
}

export function resolveHints(components: readonly Component[], headers: Headers): ResolvedHints {
  const vary = new Set<string>();
  const read = (names: string[]): number | undefined => {
    for (const name of names) {
      vary.add(name);
      const value = headers.get(name);
      if (value === null) continue;
      const n = Number(value.trim());
      if (Number.isFinite(n) && n > 0) return n;
    }
    return undefined;
  };

  const resolved = components.map((component) => {
    const out: Component = { ...component };
    if (out.dpr?.kind === 'auto') {
      const reported = read(['Sec-CH-DPR', 'DPR']) ?? 1;
      out.dpr = { kind: 'fixed', value: Math.min(MAX_AUTO_DPR, Math.max(1, Math.ceil(reported - 1e-9))) };
    }
    if (out.w?.kind === 'auto') {
      const { step, fallback } = out.w;
      const width = read(['Sec-CH-Width', 'Width']);
      if (width !== undefined) out.w = { kind: 'px', value: Math.min(MAX_PIXELS_PER_SIDE, Math.ceil(width / step) * step) };
      else if (fallback !== undefined) out.w = { kind: 'px', value: fallback };
      else delete out.w;
    }
    return out;
  });
  return { components: resolved, vary: [...vary] };
}

/** The chain's DPR: the last `dpr_` anywhere in the chain multiplies every pixel size in it. */
export function chainDpr(components: readonly Component[]): number {
  let dpr = 1;
  for (const c of components) if (c.dpr?.kind === 'fixed') dpr = c.dpr.value;
  return dpr;
}

/** As on Cloudinary, a DPR needs a width or height somewhere in the chain (checked before hints resolve). */
export function validateDpr(components: readonly Component[]): void {
  if (components.some((c) => c.dpr || c.exprs?.dpr) && !components.some((c) => c.w || c.h || c.exprs?.w || c.exprs?.h))
    throw new CldError(400, 'Invalid transformation: dpr requires a width or height (for example c_scale,w_300/dpr_2.0)');
}
