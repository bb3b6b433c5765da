/**
 * The demo page's endpoints (only while DEMO is "true"):
 *   GET /_dprox/demo/images                      the cloud's images (newest first) with thumbnails
 *   GET /_dprox/demo/comparisons?public_id=<id>  the comparisons' URLs for one image, AI ones signed
 */
import { headOriginal, incomingKey } from '../../store/originals';
import { CldError } from '../../url/errors';
import { errorResponse } from '../responses';
import { comparisons, thumbnailUrl, urlOptions } from './comparisons';
import { clientKey, DEMO_COMPARISONS_LIMIT, TokenBuckets } from './rate-limit';

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

const comparisonsLimit = new TokenBuckets(DEMO_COMPARISONS_LIMIT);

/**
 * The demo signs AI URLs only for images it may hand out. A delivery signature covers the
 * transformation and the public ID, not the delivery type: a URL signed for `upload/<id>` also
 * opens `authenticated/<id>` and `private/<id>`. So an upload-type image is signed only when no
 * authenticated or private image (stored, or still being made by an incoming AI job) has its
 * public ID. Upload-type images are the owner's (outside UNSIGNED_UPLOAD_FOLDER only a signed
 * upload can write) or an anonymous uploader's own fresh public ID (inside it, never overwritten),
 * so no other mark of ownership is needed.
 */
async function refusal(env: Env, publicId: string): Promise<string | undefined> {
  const checks = (['authenticated', 'private'] as const).map(async (type) => {
    const [stored, pending] = await Promise.all([
      headOriginal(env.IMAGES, env.CLOUD_NAME, type, publicId),
      env.IMAGES.head(incomingKey(env.CLOUD_NAME, type, publicId)),
    ]);
    return stored || pending ? type : undefined;
  });
  const twin = (await Promise.all(checks)).find(Boolean);
  if (twin)
    return `The demo does not sign URLs for ${publicId}: an image of type ${twin} has the same public ID, and a delivery signature does not cover the type`;
  return undefined;
}

export async function imageComparisons(request: Request, env: Env): Promise<Response> {
  // Counted before any lookup: each answer mints two signed AI URLs.
  const retryAfter = comparisonsLimit.take(clientKey(request));
  if (retryAfter) {
    const res = errorResponse(
      429,
      `Too many comparison requests: the demo signs AI URLs for ${DEMO_COMPARISONS_LIMIT.capacity} images, then one every ${DEMO_COMPARISONS_LIMIT.refillSeconds} s per client`,
    );
    res.headers.set('Retry-After', String(retryAfter));
    res.headers.set('Cache-Control', 'no-store');
    return res;
  }
  const publicId = new URL(request.url).searchParams.get('public_id') ?? '';
  if (!publicId) throw new CldError(400, 'Missing public_id');
  const original = await headOriginal(env.IMAGES, env.CLOUD_NAME, 'upload', publicId);
  if (!original) throw new CldError(404, `Resource not found - ${publicId}`);
  const refused = await refusal(env, publicId);
  if (refused) throw new CldError(403, refused);
  const meta = original.customMetadata ?? {};
  const size = { width: Number(meta.width), height: Number(meta.height) };
  const options = { ...urlOptions(new URL(request.url).origin, env.CLOUD_NAME), version: Number(meta.version) };
  return Response.json(
    { public_id: publicId, ...size, comparisons: comparisons(publicId, options, env.API_SECRET, size) },
    { headers: { 'Cache-Control': 'no-store' } },
  );
}
