/** The Admin API's routes (HTTP Basic with the API key and secret): each reads its parameters and calls src/admin/. */
import type { Context } from 'hono';
import { adminParams, type AdminParams } from '../admin/request';
import { createTransformation, deleteTransformation, listTransformations, transformationDetails, updateTransformation } from '../admin/transformations';
import { CldError } from '../errors';
import { authenticateAdmin } from './upload';

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
