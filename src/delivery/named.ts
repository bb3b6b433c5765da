/**
 * `t_<name>` in a delivery URL: each named transformation replaced by its definition (the Admin
 * API's, src/admin/transformations.ts), before the hints, the key and the plan, so that the
 * planner only ever sees plain components and the derived key is that of the expanded chain
 * (an update or a delete of a definition then reaches every derived image built through it).
 *
 * A definition may name others: at most MAX_NAMED_DEPTH deep, MAX_NAMED_LOOKUPS definitions read
 * per URL, never one inside itself, and the whole chain within the URL's component limit.
 */
import { CldError } from '../errors';
import { images } from '../store/bucket';
import { getNamed, type NamedTransformation } from '../store/named';
import { parseComponent } from '../url/component';
import { checkComponentCount } from '../url/limits';
import type { Component } from '../url/params';

export const MAX_NAMED_DEPTH = 5;
export const MAX_NAMED_LOOKUPS = 20;

export interface Expansion {
  components: Component[];
  /** Whether the URL named any transformation. */
  usesNamed: boolean;
  /**
   * Strict transformations: every component of the URL is only `t_` names, each marked
   * allowed_for_strict (what they name in turn was vetted with them).
   */
  allowedForStrict: boolean;
}

export async function expandNamed(env: Env, cloud: string, components: readonly Component[]): Promise<Expansion> {
  if (!components.some((c) => c.named)) return { components: [...components], usesNamed: false, allowedForStrict: false };
  const loaded = new Map<string, NamedTransformation>();
  const load = async (name: string): Promise<NamedTransformation> => {
    const known = loaded.get(name);
    if (known) return known;
    if (loaded.size >= MAX_NAMED_LOOKUPS) throw new CldError(400, `Too many named transformations in one URL: at most ${MAX_NAMED_LOOKUPS}`);
    const stored = await getNamed(images(env), cloud, name);
    if (!stored) throw new CldError(400, `Unknown transformation t_${name}`);
    loaded.set(name, stored.value);
    return stored.value;
  };

  const out: Component[] = [];
  const push = (c: Component) => {
    out.push(c);
    checkComponentCount(out.length);
  };
  const expand = async (list: readonly Component[], stack: readonly string[]): Promise<void> => {
    for (const component of list) {
      if (!component.named) {
        push(component);
        continue;
      }
      const { named, vars, ...rest } = component;
      if (rest.if) throw new CldError(400, `A condition (if_) cannot share a component with t_${named.join('.')}: put the condition in a component of its own`);
      // The component's own variables first (the definition may read them), then the names in order, then its other parameters.
      if (vars?.length) push({ vars });
      for (const name of named) {
        if (stack.includes(name))
          throw new CldError(400, `Named transformation t_${name} refers to itself (through ${stack.map((s) => `t_${s}`).join(' → ')})`);
        if (stack.length >= MAX_NAMED_DEPTH) throw new CldError(400, `Named transformations nested too deeply: at most ${MAX_NAMED_DEPTH} levels (t_${name})`);
        const definition = await load(name);
        await expand(definition.transformation.split('/').map(parseComponent), [...stack, name]);
      }
      if (Object.keys(rest).length) push(rest);
    }
  };
  await expand(components, []);

  let allowedForStrict = true;
  for (const c of components) {
    const onlyNames = c.named !== undefined && Object.keys(c).every((k) => k === 'named');
    allowedForStrict &&= onlyNames && (c.named ?? []).every((n) => loaded.get(n)?.allowedForStrict === true);
  }
  return { components: out, usesNamed: true, allowedForStrict };
}
