import { Hono } from 'hono';
import { deliver } from './routes/deliver';
import { home } from './routes/home';
import { demoEnabled, gallery, imageComparisons } from './routes/demo/api';
import { errorResponse, toErrorResponse } from './routes/responses';
import { authenticateAdmin, explicit, upload } from './routes/upload';
import { usageReport } from './jobs/usage';
import { jobStatus } from './delivery/ai';
import { CldError } from './url/errors';
import { ImageError } from './pixels/errors';
import { wasmMemory, wasmMemoryTotal } from './kernels/memory';

const app = new Hono<{ Bindings: Env }>();

app.get('/', (c) => home(c.req.raw, c.env));

// WASM memory of every codec instance in this isolate (never shrinks: the high-water mark), for benchmarks.
app.get('/_dprox/memory', (c) =>
  c.env.DIAGNOSTICS === 'true' ? c.json({ modules: wasmMemory(), total: wasmMemoryTotal() }) : errorResponse(404, 'Not found'),
);

// The demo page's data (DEMO="true" only): the gallery and one image's comparison URLs.
app.get('/_dprox/demo/images', (c) => (demoEnabled(c.env) ? gallery(c.req.raw, c.env) : errorResponse(404, 'Not found: the demo is off')));
app.get('/_dprox/demo/comparisons', (c) => (demoEnabled(c.env) ? imageComparisons(c.req.raw, c.env) : errorResponse(404, 'Not found: the demo is off')));

// Upload API; errors in the API's JSON shape.
const api = new Hono<{ Bindings: Env }>();
api.onError((err) => {
  const res = toErrorResponse(err);
  const message = err instanceof CldError || err instanceof ImageError ? err.message : 'Internal error';
  // The JSON body keeps the message as it is (JSON escapes any code unit); the headers are errorResponse's, already safe.
  const headers = new Headers(res.headers);
  headers.set('Content-Type', 'application/json; charset=utf-8');
  return new Response(JSON.stringify({ error: { message: String(message), http_code: res.status } }), { status: res.status, headers });
});
api.post('/:cloud/image/upload', (c) => upload(c.req.raw, c.env, c.req.param('cloud'), c.executionCtx));
api.post('/:cloud/auto/upload', (c) => upload(c.req.raw, c.env, c.req.param('cloud'), c.executionCtx));
api.post('/:cloud/upload', (c) => upload(c.req.raw, c.env, c.req.param('cloud'), c.executionCtx));
api.post('/:cloud/image/explicit', (c) => explicit(c.req.raw, c.env, c.req.param('cloud'), c.executionCtx));
api.get('/:cloud/usage', async (c) => {
  if (c.req.param('cloud') !== c.env.CLOUD_NAME) throw new CldError(404, `Unknown cloud_name ${c.req.param('cloud')}`);
  authenticateAdmin(c.req.raw, c.env);
  return c.json(await usageReport(c.env, c.req.param('cloud')), 200, { 'Cache-Control': 'no-store' });
});
api.get('/:cloud/jobs/:id', (c) => jobStatus(c.env, c.req.param('cloud'), c.req.param('id')));
app.route('/v1_1', api);

// Delivery: /<cloud>/image/... and the private-CDN form /image/...
app.get('/image/*', (c) => deliver(c.req.raw, c.env, c.executionCtx));
app.get('/:cloud/image/*', (c) => deliver(c.req.raw, c.env, c.executionCtx));
app.get('/:cloud/:assetType{video|raw}/*', (c) => deliver(c.req.raw, c.env, c.executionCtx)); // answers why not
app.on(['POST', 'PUT', 'DELETE', 'PATCH'], ['/image/*', '/:cloud/image/*'], () => errorResponse(405, 'Method not allowed: delivery URLs answer GET and HEAD'));

app.notFound(() => errorResponse(404, 'Not found: expected /<cloud>/image/<type>/[transformations/][v<version>/]<public_id>.<ext>'));
app.onError((err) => toErrorResponse(err));

export default app;
export { AiJobs } from './jobs/jobs';
export { Usage } from './jobs/usage';
