/**
 * Usage counters of a cloud, in one SQLite Durable Object per cloud name, counted the way
 * Cloudinary bills transformations: every upload and every newly generated derived image is 1;
 * repeated requests for an existing one are free; AI effects are "special" and count more
 * (specialCost). Read at GET /v1_1/<cloud>/usage.
 */
import { DurableObject } from 'cloudflare:workers';
import type { AiEffectName } from '../url/effects';

export type Counter = 'uploads' | 'derived' | 'transformations' | 'special_e_upscale' | 'special_e_gen_restore';

export class Usage extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS counter (name TEXT PRIMARY KEY, value INTEGER NOT NULL)');
  }

  add(delta: Partial<Record<Counter, number>>): void {
    for (const [name, value] of Object.entries(delta))
      this.ctx.storage.sql.exec('INSERT INTO counter (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = value + excluded.value', name, value);
  }

  read(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const row of this.ctx.storage.sql.exec<{ name: string; value: number }>('SELECT name, value FROM counter')) out[row.name] = row.value;
    return out;
  }
}

/**
 * Transformations an AI job counts (dprox's rule; Cloudinary's exact upscale tiers are not
 * published): e_gen_restore 100; e_upscale 10 under 0.5 MP of input, 25 under 1 MP, 50 under
 * 2 MP, 100 up to the 4.2 MP limit.
 */
export function specialCost(effect: AiEffectName, inputPixels: number): number {
  if (effect === 'gen_restore') return 100;
  const mp = inputPixels / 1e6;
  return mp < 0.5 ? 10 : mp < 1 ? 25 : mp < 2 ? 50 : 100;
}

export function countUsage(env: Env, cloud: string, delta: Partial<Record<Counter, number>>): Promise<void> {
  return env.USAGE.get(env.USAGE.idFromName(cloud)).add(delta);
}

export async function usageReport(env: Env, cloud: string): Promise<Record<string, unknown>> {
  const c = await env.USAGE.get(env.USAGE.idFromName(cloud)).read();
  const special = (c.special_e_upscale ?? 0) + (c.special_e_gen_restore ?? 0);
  return {
    plan: 'dprox',
    last_updated: new Date().toISOString().slice(0, 10),
    transformations: { usage: (c.transformations ?? 0) + special, breakdown: { uploads: c.uploads ?? 0, derived: c.derived ?? 0, special } },
    special_transformations: { e_upscale: c.special_e_upscale ?? 0, e_gen_restore: c.special_e_gen_restore ?? 0 },
    derived_resources: c.derived ?? 0,
    uploads: c.uploads ?? 0,
  };
}
