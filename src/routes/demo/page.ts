/**
 * The demo page at `/` (DEMO="true"): drag-and-drop upload through the upload API (the unsigned
 * upload preset), the cloud's gallery, and the comparisons for the chosen image. The HTML opts
 * into client hints; Critical-CH makes Chromium retry the first navigation with Sec-CH-DPR, so the
 * page can say which DPR the browser reported.
 */
import { config } from '../../config';
import { ACCEPT_CH } from '../responses';
import { DEMO_SCRIPT } from './script';
import { DEMO_STYLE } from './style';

export function demoPage(request: Request, env: Env): Response {
  const { cloudName, unsignedUploadPreset } = config(env);
  const page = {
    cloud: cloudName,
    uploadUrl: `/v1_1/${cloudName}/image/upload`,
    uploadPreset: unsignedUploadPreset || null,
    reportedDpr: request.headers.get('Sec-CH-DPR'),
  };
  // JSON inside <script>: "<" escaped so no value can close the element.
  const json = JSON.stringify(page).replace(/</g, '\\u003c');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>dprox demo</title>
<style>${DEMO_STYLE}</style>
</head><body>
<header>
  <h1>dprox</h1>
  <p>Cloudinary-compatible image delivery on Cloudflare Workers. Cloud <code>${escapeHtml(cloudName)}</code>.
  Your browser reported <b>Sec-CH-DPR: <span id="reported-dpr">${escapeHtml(page.reportedDpr ?? 'none')}</span></b>.</p>
</header>
<section id="upload">
  <div id="dropzone" tabindex="0">Drop an image here to upload it, or <label>choose one <input id="file" type="file" accept="image/*"></label></div>
  <p id="upload-status" role="status"></p>
</section>
<section><h2>Gallery</h2><div id="gallery" aria-live="polite"></div></section>
<section id="chosen"><h2 id="chosen-title">Choose an image</h2><div id="comparisons"></div></section>
<script>const DEMO = ${json};
${DEMO_SCRIPT}</script>
</body></html>`;
  return new Response(html, {
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Accept-CH': ACCEPT_CH,
      'Critical-CH': 'Sec-CH-DPR',
      Vary: 'Sec-CH-DPR',
      'Cache-Control': 'no-store',
    },
  });
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
