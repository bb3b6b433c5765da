/**
 * The demo page's endpoints (only while DEMO is "true"):
 *   GET /_dprox/demo/images                      the cloud's images (newest first) with thumbnails
 *   GET /_dprox/demo/comparisons?public_id=<id>  the comparisons' URLs for one image, AI ones signed
 */
import { config } from '../../config';
import { CldError, errorResponse } from '../../errors';
import { images } from '../../store/bucket';
import { headIncoming } from '../../store/intermediates';
import { headOriginal, listOriginals } from '../../store/originals';
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

/** GET /_dprox/demo/images (demoGuard: DEMO only). */
export async function gallery(request: Request, env: Env): Promise<Response> {
  const { cloudName } = config(env);
  const found: GalleryImage[] = [];
  let cursor: string | undefined;
  do {
    const page = await listOriginals(images(env), cloudName, 'upload', cursor);
    for (const { publicId, meta } of page.originals) {
      if (!meta.width) continue; // an incoming AI transformation still pending
      const version = Number(meta.version);
      found.push({ public_id: publicId, width: Number(meta.width), height: Number(meta.height), version, thumbnail: '' });
    }
    cursor = page.cursor;
  } while (cursor && found.length < 1000);
  found.sort((a, b) => b.version - a.version || a.public_id.localeCompare(b.public_id));
  const shown = found.slice(0, GALLERY_LIMIT);
  const options = urlOptions(new URL(request.url).origin, cloudName);
  for (const image of shown) image.thumbnail = thumbnailUrl(image.public_id, { ...options, version: image.version });
  return Response.json({ cloud: cloudName, images: shown }, { headers: { 'Cache-Control': 'no-store' } });
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
  const { cloudName } = config(env);
  const checks = (['authenticated', 'private'] as const).map(async (type) => {
    const [stored, pending] = await Promise.all([headOriginal(images(env), cloudName, type, publicId), headIncoming(images(env), cloudName, type, publicId)]);
    return stored || pending ? type : undefined;
  });
  const twin = (await Promise.all(checks)).find(Boolean);
  if (twin)
    return `The demo does not sign URLs for ${publicId}: an image of type ${twin} has the same public ID, and a delivery signature does not cover the type`;
  return undefined;
}

/** GET /_dprox/demo/comparisons?public_id=<id> (demoGuard: DEMO only). */
export async function imageComparisons(request: Request, env: Env): Promise<Response> {
  const { cloudName, apiSecret } = config(env);
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
  const original = await headOriginal(images(env), cloudName, 'upload', publicId);
  if (!original) throw new CldError(404, `Resource not found - ${publicId}`);
  const refused = await refusal(env, publicId);
  if (refused) throw new CldError(403, refused);
  const meta = original.customMetadata ?? {};
  const size = { width: Number(meta.width), height: Number(meta.height) };
  const options = { ...urlOptions(new URL(request.url).origin, cloudName), version: Number(meta.version) };
  return Response.json(
    { public_id: publicId, ...size, comparisons: comparisons(publicId, options, apiSecret, size) },
    { headers: { 'Cache-Control': 'no-store' } },
  );
}
