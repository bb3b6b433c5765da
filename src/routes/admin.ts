/**
 * The Admin API's routes (HTTP Basic with the API key and secret) and the Upload API's asset calls
 * (signed like an upload): each reads its parameters and calls src/admin/.
 */
import type { Context } from 'hono';
import {
  changeContext,
  changeTags,
  deleteDerivedResources,
  deleteResources,
  destroyAsset,
  listResources,
  renameAsset,
  resourceDetails,
  resourcesByTag,
} from '../admin/assets';
import { adminParams, type AdminParams } from '../admin/request';
import { createTransformation, deleteTransformation, listTransformations, transformationDetails, updateTransformation } from '../admin/transformations';
import { CldError } from '../errors';
import { authenticateAdmin, signedFields } from './upload';

type AdminHandler = (env: Env, cloud: string, params: AdminParams) => Promise<unknown>;

/** Authenticated before the body is read; answers the service's JSON, never cached. */
export function admin(handler: AdminHandler) {
  return async (c: Context<{ Bindings: Env }>): Promise<Response> => {
    authenticateAdmin(c.req.raw, c.env);
    const params = await adminParams(c.req.raw);
    return c.json((await handler(c.env, c.req.param('cloud') as string, params)) as object, 200, { 'Cache-Control': 'no-store' });
  };
}

/**
 * /transformations: GET lists, or with `transformation` gives one's details; POST creates, PUT
 * updates, DELETE deletes. The older path form /transformations/<name> names it in the path.
 */
export const transformations = {
  get: admin((env, cloud, params) =>
    params.transformation !== undefined ? transformationDetails(env, cloud, params) : listTransformations(env, cloud, params),
  ),
  post: admin(createTransformation),
  put: admin(updateTransformation),
  delete: admin(deleteTransformation),
};

/** /transformations/<name>: the name from the path (the older SDKs' form). */
export function byPathName(handler: AdminHandler, pathKey: 'transformation' | 'name') {
  return async (c: Context<{ Bindings: Env }>): Promise<Response> => {
    const name = c.req.param('name');
    if (!name) throw new CldError(404, 'Not found');
    return admin((env, cloud, params) => handler(env, cloud, { ...params, [pathKey]: name }))(c);
  };
}

export const transformationByPath = {
  get: byPathName(transformationDetails, 'transformation'),
  post: byPathName(createTransformation, 'name'),
  put: byPathName(updateTransformation, 'transformation'),
  delete: byPathName(deleteTransformation, 'transformation'),
};

type Ctx = Context<{ Bindings: Env }>;
const origin = (c: Ctx) => new URL(c.req.url).origin;
const json = (c: Ctx, body: unknown) => c.json(body as object, 200, { 'Cache-Control': 'no-store' });

/** GET /resources/image[/<type>], /resources/image/tags/<tag>, /resources/image/<type>/<public_id>; DELETE /resources/image/<type>, /derived_resources. */
export const resources = {
  list: (c: Ctx) => admin((env, cloud, params) => listResources(env, origin(c), cloud, c.req.param('type'), params))(c),
  byTag: (c: Ctx) => admin((env, cloud, params) => resourcesByTag(env, origin(c), cloud, c.req.param('tag') as string, params))(c),
  details: (c: Ctx) => {
    const type = c.req.param('type') as string;
    const marker = `/resources/image/${type}/`;
    const path = new URL(c.req.url).pathname;
    const raw = path.slice(path.indexOf(marker) + marker.length);
    let publicId: string;
    try {
      publicId = decodeURIComponent(raw);
    } catch {
      throw new CldError(400, `Malformed percent-encoding in public ID '${raw}'`);
    }
    return admin((env, cloud, params) => resourceDetails(env, origin(c), cloud, type, publicId, params))(c);
  },
  delete: (c: Ctx) => admin((env, cloud, params) => deleteResources(env, cloud, c.req.param('type') as string, params))(c),
  deleteDerived: admin(deleteDerivedResources),
};

/** POST /image/destroy, /image/rename, /image/tags, /image/context: signed forms. */
export const assetCalls = {
  destroy: async (c: Ctx) => json(c, await destroyAsset(c.env, c.req.param('cloud') as string, await signedFields(c.req.raw, c.env))),
  rename: async (c: Ctx) => json(c, await renameAsset(c.env, origin(c), c.req.param('cloud') as string, await signedFields(c.req.raw, c.env))),
  tags: async (c: Ctx) => json(c, await changeTags(c.env, c.req.param('cloud') as string, await signedFields(c.req.raw, c.env))),
  context: async (c: Ctx) => json(c, await changeContext(c.env, c.req.param('cloud') as string, await signedFields(c.req.raw, c.env))),
};
