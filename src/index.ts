/** The Worker: Hono middleware and routes only; each handler reads its request and calls a service. */
import { Hono } from 'hono';
import { errorJsonResponse, errorResponse } from './errors';
import { wasmMemory, wasmMemoryTotal } from './kernels/memory';
import { gallery, imageComparisons } from './routes/demo/api';
import { deliver } from './routes/deliver';
import { home } from './routes/home';
import { jobStatus } from './routes/job-status';
import { cloudGuard, cors, demoGuard, diagnosticsGuard } from './routes/middleware';
import { assetCalls, resources, transformationByPath, transformations } from './routes/admin';
import { authenticateAdmin, explicit, upload } from './routes/upload';
import { usageReport } from './jobs/usage';

const app = new Hono<{ Bindings: Env }>();

app.use(cors());

app.get('/', (c) => home(c.req.raw, c.env));

// WASM memory of every codec instance in this isolate (never shrinks: the high-water mark), for benchmarks.
app.get('/_dprox/memory', diagnosticsGuard, (c) => c.json({ modules: wasmMemory(), total: wasmMemoryTotal() }));

// The demo page's data (DEMO="true" only): the gallery and one image's comparison URLs.
app.get('/_dprox/demo/images', demoGuard, (c) => gallery(c.req.raw, c.env));
app.get('/_dprox/demo/comparisons', demoGuard, (c) => imageComparisons(c.req.raw, c.env));

// Upload API; errors in the API's JSON shape.
const api = new Hono<{ Bindings: Env }>();
api.onError((err) => errorJsonResponse(err));
api.post('/:cloud/image/upload', cloudGuard, (c) => upload(c.req.raw, c.env, c.req.param('cloud'), c.executionCtx));
api.post('/:cloud/auto/upload', cloudGuard, (c) => upload(c.req.raw, c.env, c.req.param('cloud'), c.executionCtx));
api.post('/:cloud/upload', cloudGuard, (c) => upload(c.req.raw, c.env, c.req.param('cloud'), c.executionCtx));
api.post('/:cloud/image/explicit', cloudGuard, (c) => explicit(c.req.raw, c.env, c.req.param('cloud'), c.executionCtx));
api.get('/:cloud/usage', cloudGuard, async (c) => {
  authenticateAdmin(c.req.raw, c.env);
  return c.json(await usageReport(c.env, c.req.param('cloud')), 200, { 'Cache-Control': 'no-store' });
});
// Admin API: named transformations (src/admin/transformations.ts).
api.get('/:cloud/transformations', cloudGuard, transformations.get);
api.post('/:cloud/transformations', cloudGuard, transformations.post);
api.put('/:cloud/transformations', cloudGuard, transformations.put);
api.delete('/:cloud/transformations', cloudGuard, transformations.delete);
api.get('/:cloud/transformations/:name', cloudGuard, transformationByPath.get);
api.post('/:cloud/transformations/:name', cloudGuard, transformationByPath.post);
api.put('/:cloud/transformations/:name', cloudGuard, transformationByPath.put);
api.delete('/:cloud/transformations/:name', cloudGuard, transformationByPath.delete);
// Assets: the Upload API's signed calls and the Admin API's resources (src/admin/assets.ts).
api.post('/:cloud/image/destroy', cloudGuard, assetCalls.destroy);
api.post('/:cloud/image/rename', cloudGuard, assetCalls.rename);
api.post('/:cloud/image/tags', cloudGuard, assetCalls.tags);
api.post('/:cloud/image/context', cloudGuard, assetCalls.context);
api.get('/:cloud/resources/image', cloudGuard, resources.list);
api.get('/:cloud/resources/image/tags/:tag', cloudGuard, resources.byTag);
api.get('/:cloud/resources/image/:type{[a-z]+}', cloudGuard, resources.list);
api.get('/:cloud/resources/image/:type{[a-z]+}/*', cloudGuard, resources.details);
api.delete('/:cloud/resources/image/:type{[a-z]+}', cloudGuard, resources.delete);
api.delete('/:cloud/derived_resources', cloudGuard, resources.deleteDerived);
api.get('/:cloud/jobs/:id', cloudGuard, (c) => jobStatus(c.env, c.req.param('id')));
app.route('/v1_1', api);

// Delivery: /<cloud>/image/... and the private-CDN form /image/... (the cloud is checked as the URL is parsed).
app.get('/image/*', (c) => deliver(c.req.raw, c.env, c.executionCtx));
app.get('/:cloud/image/*', (c) => deliver(c.req.raw, c.env, c.executionCtx));
app.get('/:cloud/:assetType{video|raw}/*', (c) => deliver(c.req.raw, c.env, c.executionCtx)); // answers why not
app.on(['POST', 'PUT', 'DELETE', 'PATCH'], ['/image/*', '/:cloud/image/*'], () => errorResponse(405, 'Method not allowed: delivery URLs answer GET and HEAD'));

app.notFound(() => errorResponse(404, 'Not found: expected /<cloud>/image/<type>/[transformations/][v<version>/]<public_id>.<ext>'));
app.onError((err) => errorResponse(err));

export default app;
export { AiJobs } from './jobs/jobs';
export { Usage } from './jobs/usage';
