/**
 * @module What every route would otherwise repeat, as Hono middleware: CORS, the cloud-name
 * check of /v1_1/<cloud>/... and the guards of the demo and diagnostics endpoints.
 */
import type { MiddlewareHandler } from 'hono';
import { cors as honoCors } from 'hono/cors';
import { config } from '../config';
import { CldError, errorResponse } from '../errors';

type Middleware = MiddlewareHandler<{ Bindings: Env }>;

/**
 * Any origin may read what dprox answers (images are public; the API authenticates each request by
 * its signature or Basic credentials, never a cookie), including the reason and retry headers of
 * an error or a pending job.
 */
export const cors = (): Middleware =>
  honoCors({ origin: '*', allowMethods: ['GET', 'HEAD', 'POST'], exposeHeaders: ['X-Cld-Error', 'Retry-After', 'X-Dprox-Job'] });

/** A request for another cloud than this Worker's (the `:cloud` parameter): 404. */
export const cloudGuard: Middleware = async (c, next) => {
  const cloud = c.req.param('cloud');
  if (cloud !== config(c.env).cloudName) throw new CldError(404, `Unknown cloud_name ${cloud}`);
  await next();
};

/** The demo's endpoints exist only while DEMO is "true". */
export const demoGuard: Middleware = async (c, next) => {
  if (!config(c.env).demo) return errorResponse(404, 'Not found: the demo is off');
  await next();
};

/** The diagnostics endpoints exist only while DIAGNOSTICS is "true". */
export const diagnosticsGuard: Middleware = async (c, next) => {
  if (!config(c.env).diagnostics) return errorResponse(404, 'Not found');
  await next();
};
