/**
 * `/`: the demo page when DEMO is "true" (npm start, the tests); otherwise a short page that lists
 * nothing, so production does not publish the cloud's image list.
 */
import { config } from '../config';
import { ACCEPT_CH } from './responses';
import { demoPage, escapeHtml } from './demo/page';

export function home(request: Request, env: Env): Response {
  const { demo, cloudName } = config(env);
  if (demo) return demoPage(request, env);
  const html = `<!doctype html><meta charset="utf-8"><title>dprox</title>
<h1>dprox: Cloudinary-compatible image delivery</h1>
<p>Cloud <code>${escapeHtml(cloudName)}</code>: images at <code>/${escapeHtml(cloudName)}/image/upload/&lt;transformations&gt;/&lt;public_id&gt;</code>,
uploads at <code>POST /v1_1/${escapeHtml(cloudName)}/image/upload</code>. The demo page is off (DEMO=false).</p>`;
  return new Response(html, {
    headers: { 'Content-Type': 'text/html; charset=utf-8', 'Accept-CH': ACCEPT_CH, 'Cache-Control': 'no-store' },
  });
}
