/**
 * Variables, expressions and conditions, evaluated by the planner (pure, before any pixel): the
 * chain is walked in order with the size it has at each point, each `if_` decides which components
 * exist, each `$name_value` sets a variable, and each parameter written as an expression becomes a
 * plain value of that parameter's own grammar (so its limits hold: `w_$a_mul_1000` past 25000 is
 * the same 400 as `w_30000`). The result is plain components the rest of the planner reads as if
 * they had been written so. Layers are planned with their own sizes: the variables known where a
 * layer opens are handed to its chain, which the layer's own plan resolves in turn.
 *
 * Characteristics: `w`, `h` the size of the image at that point of the chain (device pixels: the
 * DPR's multiplication included), `iw`, `ih` the original's (oriented), `ar`, `iar` their ratios.
 */
import { CldError } from '../url/errors';
import { formatExpression, MAX_VARIABLES, type Cond, type Expr, type Template, type VarDef } from '../url/expressions';
import { isAiEffect } from '../url/effects';
import { PARAMS, type Component, type ExprKey } from '../url/params';
import { interpolateText, type TextSource } from '../url/text-layer';
import { decimal } from '../url/values';
import { componentSteps } from './component-steps';
import { layerSteps, withLayers } from './layers';
import { checkSize } from './limits';
import type { LayerSources, Plan, PlanInput, Size } from './steps';

export type Value = number | string;

interface Sizes {
  /** Undefined while the DPR is computed, before any size exists. */
  current?: Size;
  initial: Size;
}

/** Largest magnitude of any intermediate value; beyond it an expression is refused, not rounded. */
const MAX_MAGNITUDE = 1e9;

export function hasProgram(c: Component): boolean {
  return c.if !== undefined || (c.vars?.length ?? 0) > 0 || (c.exprs !== undefined && Object.keys(c.exprs).length > 0) || textVariables(c) !== undefined;
}

/** The text layer this component opens, when its text reads variables (`l_text:Arial_40:Hi $(name)`). */
function textVariables(c: Component): TextSource | undefined {
  const ref = c.l ?? c.u;
  return typeof ref === 'object' && ref.variables ? ref : undefined;
}

/** The layer's opening component with its text's variables set: those known here, then the component's own definitions. */
function interpolated(head: Component, vars: ReadonlyMap<string, Value>, sizes: Sizes, where: string): Component {
  const source = textVariables(head);
  if (!source) return head;
  const own = new Map(vars);
  define(head.vars, own, sizes, where);
  const text = interpolateText(source, (name) => {
    const v = own.get(name);
    if (v === undefined) throw new CldError(400, `Undefined variable $${name} in the text of ${where}`);
    // As a person writes it: 300, 1.5 (not the URL grammar's 300.0).
    return typeof v === 'number' ? String(Math.round(v * 1e6) / 1e6) : v;
  });
  return head.l !== undefined ? { ...head, l: text } : { ...head, u: text };
}

function evaluate(e: Expr, vars: ReadonlyMap<string, Value>, sizes: Sizes, where: string): Value {
  switch (e.kind) {
    case 'num':
    case 'str':
      return e.value;
    case 'var': {
      const v = vars.get(e.name);
      if (v === undefined) throw new CldError(400, `Undefined variable $${e.name} in ${where}`);
      return v;
    }
    case 'char': {
      const s = e.name === 'iw' || e.name === 'ih' || e.name === 'iar' ? sizes.initial : sizes.current;
      if (!s) throw new CldError(400, `${where} cannot depend on the current size (${e.name}): the DPR applies to the whole chain`);
      return e.name.endsWith('w') ? s.width : e.name.endsWith('h') ? s.height : s.width / s.height;
    }
    case 'bin': {
      const l = numeric(evaluate(e.left, vars, sizes, where), where);
      const r = numeric(evaluate(e.right, vars, sizes, where), where);
      if ((e.op === 'div' || e.op === 'mod') && r === 0) throw new CldError(400, `Division by zero in ${where}`);
      const v = e.op === 'add' ? l + r : e.op === 'sub' ? l - r : e.op === 'mul' ? l * r : e.op === 'div' ? l / r : e.op === 'mod' ? l % r : l ** r;
      // Written so that NaN is refused too.
      if (!(Math.abs(v) <= MAX_MAGNITUDE)) throw new CldError(400, `Expression out of range in ${where}: ${formatExpression(e)} is ${v}`);
      return v;
    }
  }
}

function numeric(v: Value, where: string): number {
  if (typeof v === 'string') throw new CldError(400, `Arithmetic on a string (!${v}!) in ${where}`);
  return v;
}

function condition(c: Cond, vars: ReadonlyMap<string, Value>, sizes: Sizes, where: string): boolean {
  switch (c.kind) {
    case 'isdef':
      return vars.has(c.name);
    case 'isndef':
      return !vars.has(c.name);
    case 'and':
      return condition(c.left, vars, sizes, where) && condition(c.right, vars, sizes, where);
    case 'or':
      return condition(c.left, vars, sizes, where) || condition(c.right, vars, sizes, where);
    case 'cmp': {
      const l = evaluate(c.left, vars, sizes, where);
      const r = evaluate(c.right, vars, sizes, where);
      if (typeof l !== typeof r) {
        if (c.op === 'eq' || c.op === 'ne') return c.op === 'ne';
        throw new CldError(400, `Cannot compare a string with a number (${c.op}) in ${where}`);
      }
      if (typeof l === 'string' && c.op !== 'eq' && c.op !== 'ne') throw new CldError(400, `Strings compare only with eq or ne, not ${c.op}, in ${where}`);
      switch (c.op) {
        case 'eq':
          return l === r;
        case 'ne':
          return l !== r;
        case 'lt':
          return l < r;
        case 'gt':
          return l > r;
        case 'lte':
          return l <= r;
        case 'gte':
          return l >= r;
      }
    }
  }
}

/** How a computed number is written for each parameter's grammar: pixels, percentages, angles and levels are rounded. */
const ROUNDED: { [K in ExprKey]: boolean } = {
  w: true,
  h: true,
  x: true,
  y: true,
  z: false,
  r: true,
  q: true,
  o: true,
  a: true,
  e: true,
  ar: false,
  dpr: false,
  b: false,
  co: false,
};

function computedValue<K extends ExprKey>(key: K, t: Template, vars: ReadonlyMap<string, Value>, sizes: Sizes, where: string): Component[K] {
  const spelled = `${key}_${t.prefix}${formatExpression(t.expr)}`;
  const v = evaluate(t.expr, vars, sizes, `${spelled} (${where})`);
  const text = typeof v === 'string' ? v : ROUNDED[key] ? String(Math.round(v)) : decimal(v);
  let parsed: Component[K];
  try {
    parsed = PARAMS[key].parse(t.prefix + text) as Component[K];
  } catch (e) {
    if (e instanceof CldError) throw new CldError(400, `${e.message}, computed from ${spelled} in ${where}`);
    throw e;
  }
  if (key === 'e' && isAiEffect(parsed as Component['e'])) throw new CldError(400, `AI effects cannot come from a variable (${spelled})`);
  return parsed;
}

function define(defs: readonly VarDef[] | undefined, vars: Map<string, Value>, sizes: Sizes, where: string): void {
  for (const d of defs ?? []) {
    vars.set(d.name, evaluate(d.value, vars, sizes, `$${d.name}_${formatExpression(d.value)} (${where})`));
    if (vars.size > MAX_VARIABLES) throw new CldError(400, `Too many variables: at most ${MAX_VARIABLES} in one chain`);
  }
}

/** The component with its variables defined and its expressions replaced by plain values. */
function resolveComponent(c: Component, vars: Map<string, Value>, sizes: Sizes, where: string): Component {
  define(c.vars, vars, sizes, where);
  const out: Component = { ...c };
  delete out.if;
  delete out.vars;
  delete out.exprs;
  for (const key of Object.keys(c.exprs ?? {}) as ExprKey[]) {
    const t = c.exprs![key];
    if (t) (out as Record<string, unknown>)[key] = computedValue(key, t, vars, sizes, where);
  }
  return out;
}

/**
 * A layer's placement (`x_`, `y_` of its fl_layer_apply component, or of its only one) computed
 * from the variables known where the layer opens and the original's iw, ih, iar: the current
 * size is refused there, since it could mean the base's or the layer's.
 */
function placed(tail: Component, opening: Component | undefined, outer: ReadonlyMap<string, Value>, initial: Size, where: string): Component {
  const { x, y, ...others } = tail.exprs ?? {};
  if (!x && !y) return tail;
  const vars = new Map(outer);
  if (opening) define(opening.vars, vars, { initial }, where);
  const out: Component = { ...tail, exprs: others };
  if (!Object.keys(others).length) delete out.exprs;
  for (const [key, t] of [['x', x] as const, ['y', y] as const]) {
    if (!t) continue;
    if (readsCurrentSize(t.expr))
      throw new CldError(
        400,
        `${key}_ of a layer's placement may read variables, iw, ih and iar, not the current size (w, h, ar): which image's would be ambiguous (${where})`,
      );
    out[key] = computedValue(key, t, vars, { initial }, where);
  }
  return out;
}

function readsCurrentSize(e: Expr): boolean {
  if (e.kind === 'char') return e.name === 'w' || e.name === 'h' || e.name === 'ar';
  return e.kind === 'bin' && (readsCurrentSize(e.left) || readsCurrentSize(e.right));
}

/** One item of the walk: a component, or a layer's components (`l_…` to its `fl_layer_apply`), planned as one. */
interface Item {
  comps: Component[];
  layer: boolean;
  at: number;
}

function items(components: readonly Component[]): Item[] {
  const out: Item[] = [];
  for (let i = 0; i < components.length; i++) {
    const c = components[i];
    if (c.l !== undefined || c.u !== undefined) {
      const applies = c.fl?.includes('layer_apply') ?? false;
      const end = applies ? -1 : components.findIndex((later, k) => k > i && later.fl?.includes('layer_apply'));
      const last = end < 0 ? i : end;
      out.push({ comps: components.slice(i, last + 1), layer: true, at: i });
      i = last;
    } else out.push({ comps: [c], layer: false, at: i });
  }
  return out;
}

/**
 * The chain's DPR, computed before any size: the last `dpr_` outside conditional blocks. A
 * `dpr_` expression may read numbers, iw/ih/iar and variables defined from those, not the current
 * size nor a variable set inside a block.
 */
function chainDpr(components: readonly Component[], initial: Size): number {
  const vars = new Map<string, Value>();
  const unknown = new Set<string>();
  let dpr = 1;
  let inBlock = false;
  components.forEach((c, i) => {
    const where = `component ${i + 1}`;
    if (c.if?.kind === 'cond' || c.if?.kind === 'else') inBlock = c.if.kind === 'else' || !singleForm(components, i);
    if (c.if?.kind === 'end') inBlock = false;
    const conditional = inBlock || c.if !== undefined;
    for (const d of c.vars ?? []) {
      try {
        if (conditional) throw new Error('conditional');
        vars.set(d.name, evaluate(d.value, vars, { initial }, where));
        unknown.delete(d.name);
      } catch {
        vars.delete(d.name);
        unknown.add(d.name);
      }
    }
    if (c.dpr || c.exprs?.dpr) {
      if (conditional) throw new CldError(400, `dpr_ inside a conditional block is not supported (${where}): the DPR applies to the whole chain`);
      if (c.exprs?.dpr) {
        const t = c.exprs.dpr;
        for (const name of readVars(t.expr))
          if (unknown.has(name))
            throw new CldError(400, `dpr_${formatExpression(t.expr)} cannot read $${name} (${where}): it depends on the current size or a condition`);
        const d = computedValue('dpr', t, vars, { initial }, where);
        if (d?.kind === 'fixed') dpr = d.value;
      } else if (c.dpr?.kind === 'fixed') dpr = c.dpr.value;
    }
  });
  return dpr;
}

function readVars(e: Expr, out: string[] = []): string[] {
  if (e.kind === 'var') out.push(e.name);
  if (e.kind === 'bin') readVars(e.right, readVars(e.left, out));
  return out;
}

/** `if_<cond>` with no `if_end` before the next `if_<cond>`: the condition covers its own component only. */
function singleForm(components: readonly Component[], i: number): boolean {
  for (let k = i + 1; k < components.length; k++) {
    const kind = components[k].if?.kind;
    if (kind === 'end' || kind === 'else') return false;
    if (kind === 'cond') return true;
  }
  return true;
}

export interface ResolveInput {
  components: readonly Component[];
  /** The original's oriented size: iw and ih, and the chain's first size. */
  initial: Size;
  layers?: LayerSources;
  buildPlan: (input: PlanInput) => Plan;
}

/** The chain as plain components: conditions applied, variables and expressions resolved in order. */
export function resolveChain({ components, initial, layers, buildPlan }: ResolveInput): Component[] {
  const dpr = chainDpr(components, initial);
  const vars = new Map<string, Value>();
  const out: Component[] = [];
  let size = initial;
  let block: { taken: boolean; inElse: boolean; at: number } | undefined;
  const active = () => !block || block.taken !== block.inElse;

  const plan = (c: Component, where: string) => {
    if (c.f && (block || c.if)) throw new CldError(400, `f_ inside a conditional block is not supported (${where}): the format applies to the whole delivery`);
    const resolved = resolveComponent(c, vars, { current: size, initial }, where);
    for (const step of componentSteps(resolved, size, dpr)) {
      checkSize(step, `the ${step.op} of ${where}`);
      size = { width: step.width, height: step.height };
    }
    out.push(resolved);
  };

  const list = items(components);
  for (let k = 0; k < list.length; k++) {
    const item = list[k];
    const where = `component ${item.at + 1}`;
    if (item.layer) {
      const head = item.comps[0];
      const tail = item.comps[item.comps.length - 1];
      if (head.if || tail.if)
        throw new CldError(400, `if_ in a layer's own l_/u_ or fl_layer_apply component is not supported (${where}): put the layer in an if_ block`);
      if (!active()) continue;
      // The layer's chain sees the variables known here, then defines its own.
      const known: VarDef[] = [...vars].map(([name, v]) => ({
        name,
        value: typeof v === 'number' ? { kind: 'num', value: v, text: String(v) } : { kind: 'str', value: v },
      }));
      const opening = interpolated(head, vars, { current: size, initial }, where);
      const comps = [known.length ? { ...opening, vars: [...known, ...(opening.vars ?? [])] } : opening, ...item.comps.slice(1)];
      comps[comps.length - 1] = placed(comps[comps.length - 1], comps.length === 1 ? head : undefined, vars, initial, where);
      const [layer] = withLayers(comps);
      if (!layer || !('kind' in layer)) throw new CldError(400, `Invalid layer in ${where}`);
      for (const step of layerSteps(layer, size, dpr, layers, buildPlan)) {
        checkSize(step, `the ${step.op} of layer ${layer.publicId}`);
        size = { width: step.width, height: step.height };
      }
      out.push(...comps);
      continue;
    }
    const c = item.comps[0];
    if (!c.if) {
      if (active()) plan(c, where);
      continue;
    }
    const { if: control, ...rest } = c;
    const more = Object.keys(rest).length > 0;
    if (control.kind === 'cond') {
      if (block)
        throw new CldError(
          400,
          `Nested conditions are not supported: if_ in ${where} inside the block opened in component ${block.at + 1} (close it with if_end first)`,
        );
      const single = singleForm(components, item.at);
      if (single && !more)
        throw new CldError(
          400,
          components.slice(item.at + 1).some((later) => later.if?.kind === 'end')
            ? `if_ in ${where} has no if_end before the next if_: nested conditions are not supported`
            : `if_ without if_end in ${where}`,
        );
      const taken = condition(control.cond, vars, { current: size, initial }, `if_ of ${where}`);
      if (single) {
        if (rest.f) plan(c, where);
        else if (taken) plan(rest, where);
        continue;
      }
      block = { taken, inElse: false, at: item.at };
    } else if (control.kind === 'else') {
      if (!block) throw new CldError(400, `if_else without if_ in ${where}`);
      if (block.inElse) throw new CldError(400, `A second if_else in the block opened in component ${block.at + 1} (${where})`);
      block.inElse = true;
    } else {
      if (!block) throw new CldError(400, `if_end without if_ in ${where}`);
      if (more) throw new CldError(400, `if_end takes no other parameters (${where}): put them in the next component`);
      block = undefined;
      continue;
    }
    if (more && active()) plan(rest, where);
  }
  if (block) throw new CldError(400, `if_ without if_end: the block opened in component ${block.at + 1} is not closed`);
  return out;
}
