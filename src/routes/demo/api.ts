/**
 * The demo page's endpoints (only while DEMO is "true"):
 *   GET /_dprox/demo/images                      the cloud's images (newest first) with thumbnails
 *   GET /_dprox/demo/comparisons?public_id=<id>  the comparisons' URLs for one image, AI ones signed
 */
import { headOriginal } from '../../store/originals';
import { CldError } from '../../url/errors';
import { comparisons, thumbnailUrl, urlOptions } from './comparisons';

const GALLERY_LIMIT = 60;

export interface GalleryImage {
  public_id: string;
  width: number;
  height: number;
  version: number;
  thumbnail: string;
}

export function demoEnabled(env: Env): boolean {
  return env.DEMO === 'true';
}

export async function gallery(request: Request, env: Env): Promise<Response> {
  const prefix = `original/${env.CLOUD_NAME}/upload/`;
  const images: GalleryImage[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.IMAGES.list({ prefix, cursor, include: ['customMetadata'] });
    for (const o of page.objects) {
      const meta = o.customMetadata ?? {};
      if (!meta.width) continue; // an incoming AI transformation still pending
      const publicId = o.key.slice(prefix.length);
      const version = Number(meta.version);
      images.push({ public_id: publicId, width: Number(meta.width), height: Number(meta.height), version, thumbnail: '' });
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor && images.length < 1000);
  images.sort((a, b) => b.version - a.version || a.public_id.localeCompare(b.public_id));
  const shown = images.slice(0, GALLERY_LIMIT);
  const options = urlOptions(new URL(request.url).origin, env.CLOUD_NAME);
  for (const image of shown) image.thumbnail = thumbnailUrl(image.public_id, { ...options, version: image.version });
  return Response.json({ cloud: env.CLOUD_NAME, images: shown }, { headers: { 'Cache-Control': 'no-store' } });
}

export async function imageComparisons(request: Request, env: Env): Promise<Response> {
  const publicId = new URL(request.url).searchParams.get('public_id') ?? '';
  if (!publicId) throw new CldError(400, 'Missing public_id');
  const original = await headOriginal(env.IMAGES, env.CLOUD_NAME, 'upload', publicId);
  if (!original) throw new CldError(404, `Resource not found - ${publicId}`);
  const meta = original.customMetadata ?? {};
  const options = { ...urlOptions(new URL(request.url).origin, env.CLOUD_NAME), version: Number(meta.version) };
  return Response.json(
    { public_id: publicId, width: Number(meta.width), height: Number(meta.height), comparisons: comparisons(publicId, options, env.API_SECRET) },
    { headers: { 'Cache-Control': 'no-store' } },
  );
}
