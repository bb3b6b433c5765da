/** `/`: a plain index of the cloud's images with example URLs (the full demo page comes with the browser issue). */
import { ACCEPT_CH } from './responses';

const EXAMPLES = [
  'c_fill,w_300,h_300,g_auto',
  'c_scale,w_400/e_sharpen',
  'c_fill,w_100,h_100,dpr_2.0',
  'c_fill,w_200,h_200,dpr_auto',
  'c_pad,w_300,h_200,b_lightblue',
  'e_blur:300,c_scale,w_400',
  'c_fill,w_200,h_200,r_max/f_auto',
];

export async function home(request: Request, env: Env): Promise<Response> {
  const origin = new URL(request.url).origin;
  const prefix = `original/${env.CLOUD_NAME}/upload/`;
  const listing = await env.IMAGES.list({ prefix, limit: 50 });
  const ids = listing.objects.map((o) => o.key.slice(prefix.length));
  const items = ids
    .map((id) => {
      const links = EXAMPLES.map((t) => {
        const href = `${origin}/${env.CLOUD_NAME}/image/upload/${t}/${id}.jpg`;
        return `<li><a href="${escape(href)}">${escape(t)}</a></li>`;
      }).join('');
      return `<h2>${escape(id)}</h2><img src="/${env.CLOUD_NAME}/image/upload/c_fill,w_200,h_200,dpr_auto/${escape(id)}.jpg" width="200" height="200" alt=""><ul>${links}</ul>`;
    })
    .join('\n');
  const html = `<!doctype html><meta charset="utf-8"><title>dprox</title>
<h1>dprox: Cloudinary-compatible image delivery</h1>
<p>Cloud <code>${escape(env.CLOUD_NAME)}</code>. ${ids.length ? 'Images:' : 'No images yet: upload with the Cloudinary SDK or POST /v1_1/' + escape(env.CLOUD_NAME) + '/image/upload.'}</p>
${items}`;
  return new Response(html, {
    headers: { 'Content-Type': 'text/html; charset=utf-8', 'Accept-CH': ACCEPT_CH, 'Cache-Control': 'no-store' },
  });
}

function escape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
