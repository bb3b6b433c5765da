/**
 * @module Named transformations through the Admin API (`/v1_1/<cloud>/transformations`, as the
 * SDK's api.create_transformation, transformation, update_transformation, delete_transformation
 * and transformations call it). A definition is checked with the URL grammar when it is written;
 * `t_<name>` in a delivery URL expands it (src/delivery/named.ts).
 *
 * Derived images are keyed by the expanded transformation (src/delivery/delivery.ts lookup), so an
 * update or a delete makes every derived image built through the old definition unreachable at
 * once, in R2 and in the edge cache, without an index of them; the unreachable copies are dropped
 * with their original's derived prefix (overwrite, destroy).
 */
import { CldError } from '../errors';
import { images } from '../store/bucket';
import { deleteNamed, getNamed, listNamed, type NamedTransformation, putNamed } from '../store/named';
import { NAMED_TRANSFORMATION_NAME, parseComponent } from '../url/component';
import { checkComponentCount } from '../url/limits';
import type { Component } from '../url/params';
import { type AdminParams, decodeCursor, encodeCursor, flag, maxResults, one } from './request';

/** A definition's length: a delivery path's share of it, far more than any real one. */
export const MAX_DEFINITION_LENGTH = 4096;
/** Cloudinary's cap of a transformations listing. */
const MAX_LIST = 500;

/** The definition checked (the URL grammar, no request-dependent values), as it will be stored. */
export function checkDefinition(raw: string, name?: string): string {
  const text = raw.trim().replace(/\/+$/, '');
  if (!text) throw new CldError(400, 'Missing required parameter - transformation');
  if (text.length > MAX_DEFINITION_LENGTH) throw new CldError(400, `Transformation too long: ${text.length} characters, at most ${MAX_DEFINITION_LENGTH}`);
  const segments = text.split('/');
  checkComponentCount(segments.length);
  const last = segments[segments.length - 1];
  if (segments.length > 1 && /^[a-z0-9]+$/i.test(last))
    throw new CldError(400, `Invalid transformation ${text}: a named transformation takes no extension (/${last}); use f_${last}`);
  for (const segment of segments) {
    let component: Component;
    try {
      component = parseComponent(segment);
    } catch (e) {
      throw new CldError(400, `Invalid transformation ${text}: ${(e as Error).message}`);
    }
    const automatic = automaticValue(component);
    if (automatic)
      throw new CldError(
        400,
        `Invalid transformation ${text}: a named transformation cannot contain ${automatic}; put it in the URL after t_${name ?? '<name>'}`,
      );
    if (name !== undefined && component.named?.includes(name)) throw new CldError(400, `Invalid transformation ${text}: it refers to itself (t_${name})`);
  }
  return text;
}

/** dpr_auto, w_auto, f_auto: values that depend on the request, which Cloudinary refuses in named transformations. */
function automaticValue(c: Component): string | undefined {
  if (c.dpr?.kind === 'auto') return 'dpr_auto';
  if (c.w?.kind === 'auto') return 'w_auto';
  if (c.f === 'auto') return 'f_auto';
  return undefined;
}

function checkName(raw: string | undefined): string {
  if (!raw) throw new CldError(400, 'Missing required parameter - name');
  if (!NAMED_TRANSFORMATION_NAME.test(raw)) throw new CldError(400, `Invalid transformation name ${raw}: letters, digits, _ and - only, at most 128`);
  return raw;
}

/**
 * The name a `transformation` parameter refers to: `t_<name>` or the bare name. An unnamed
 * transformation string (`c_fill,w_100`): dprox keeps no record of those, so none is found.
 */
function referredName(raw: string | undefined): string {
  if (!raw) throw new CldError(400, 'Missing required parameter - transformation');
  const bare = raw.startsWith('t_') && !raw.includes(',') && !raw.includes('/') ? raw.slice(2) : raw;
  if (!NAMED_TRANSFORMATION_NAME.test(bare)) throw new CldError(404, `Transformation ${raw} not found`);
  return bare;
}

export async function createTransformation(env: Env, cloud: string, params: AdminParams): Promise<{ message: string }> {
  const name = checkName(one(params, 'name'));
  const transformation = checkDefinition(one(params, 'transformation') ?? '', name);
  const now = new Date().toISOString();
  const value: NamedTransformation = { name, transformation, allowedForStrict: flag(params, 'allowed_for_strict') ?? false, createdAt: now, updatedAt: now };
  if (!(await putNamed(images(env), cloud, value, null))) throw new CldError(409, `Transformation name ${name} already exists`);
  return { message: 'created' };
}

export async function transformationDetails(env: Env, cloud: string, params: AdminParams): Promise<Record<string, unknown>> {
  const raw = one(params, 'transformation');
  const name = referredName(raw);
  const stored = await getNamed(images(env), cloud, name);
  if (!stored) throw new CldError(404, `Transformation ${raw} not found`);
  const { value } = stored;
  return {
    name: `t_${value.name}`,
    allowed_for_strict: value.allowedForStrict,
    named: true,
    info: info(value.transformation),
    created_at: value.createdAt,
    updated_at: value.updatedAt,
  };
}

/** PUT: allowed_for_strict and/or unsafe_update (a new definition). */
export async function updateTransformation(env: Env, cloud: string, params: AdminParams): Promise<{ message: string }> {
  const raw = one(params, 'transformation');
  const name = referredName(raw);
  const strict = flag(params, 'allowed_for_strict');
  const definition = one(params, 'unsafe_update');
  const transformation = definition !== undefined ? checkDefinition(definition, name) : undefined;
  if (strict === undefined && transformation === undefined) throw new CldError(400, 'Nothing to update: give allowed_for_strict or unsafe_update');
  const stored = await getNamed(images(env), cloud, name);
  if (!stored) throw new CldError(404, `Transformation ${raw} not found`);
  const value: NamedTransformation = {
    ...stored.value,
    ...(transformation !== undefined ? { transformation } : {}),
    ...(strict !== undefined ? { allowedForStrict: strict } : {}),
    updatedAt: new Date().toISOString(),
  };
  if (!(await putNamed(images(env), cloud, value, stored.etag))) throw new CldError(409, `Transformation ${raw} was changed by another request: try again`);
  return { message: 'updated' };
}

export async function deleteTransformation(env: Env, cloud: string, params: AdminParams): Promise<{ message: string }> {
  const raw = one(params, 'transformation');
  const name = referredName(raw);
  if (!(await getNamed(images(env), cloud, name))) throw new CldError(404, `Transformation ${raw} not found`);
  await deleteNamed(images(env), cloud, name);
  return { message: 'deleted' };
}

/** GET: the cloud's named transformations, a page at a time (named=false: the unnamed ones, of which dprox keeps none). */
export async function listTransformations(env: Env, cloud: string, params: AdminParams): Promise<Record<string, unknown>> {
  const limit = maxResults(params, MAX_LIST);
  if (flag(params, 'named') === false) return { transformations: [] };
  const after = decodeCursor(params);
  if (after !== undefined && !NAMED_TRANSFORMATION_NAME.test(after)) throw new CldError(400, 'Invalid next_cursor');
  const page = await listNamed(images(env), cloud, limit, after);
  return {
    transformations: page.names.map((n) => ({ name: `t_${n.name}`, allowed_for_strict: n.allowedForStrict, named: true })),
    ...(page.last ? { next_cursor: encodeCursor(page.last) } : {}),
  };
}

/** The SDK's option names of the URL keys, for `info` (Cloudinary's parsed definition). */
const SDK_NAMES: Record<string, string> = {
  w: 'width',
  h: 'height',
  c: 'crop',
  ar: 'aspect_ratio',
  g: 'gravity',
  x: 'x',
  y: 'y',
  z: 'zoom',
  dpr: 'dpr',
  e: 'effect',
  a: 'angle',
  r: 'radius',
  b: 'background',
  bo: 'border',
  co: 'color',
  o: 'opacity',
  q: 'quality',
  f: 'fetch_format',
  l: 'overlay',
  u: 'underlay',
  fl: 'flags',
  t: 'transformation',
  if: 'if',
};

/** `[{"crop":"scale","width":103}, …]`: each component's parameters as written, numbers as numbers. */
function info(definition: string): Record<string, string | number>[] {
  return definition.split('/').map((segment) => {
    const entry: Record<string, string | number> = {};
    for (const part of segment.split(',')) {
      const sep = part.indexOf('_');
      if (sep <= 0) continue;
      const key = part.slice(0, sep);
      const value = part.slice(sep + 1);
      entry[SDK_NAMES[key] ?? key] = /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
    }
    return entry;
  });
}
