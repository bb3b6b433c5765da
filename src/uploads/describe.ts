/** The Cloudinary-shaped description of a stored (or pending) asset that the upload and explicit APIs answer. */
import { config } from '../config';
import type { Hold } from '../delivery/incoming';
import { apiSignature, hexDigest } from '../url/signature';

/** Where the answer's URLs point (the request's origin) and the asset. */
export interface AssetRef {
  origin: string;
  cloud: string;
  type: string;
  publicId: string;
}

export interface Stored {
  format?: string;
  width: number;
  height: number;
  bytes: number;
  etag: string;
}

export async function describe(env: Env, asset: AssetRef, version: number, s: Stored, originalFilename?: string) {
  const { origin, cloud, type, publicId } = asset;
  const { apiKey, apiSecret } = config(env);
  const path = `/${cloud}/image/${type}/v${version}/${publicId.split('/').map(encodeURIComponent).join('/')}.${s.format}`;
  const assetId = await hexDigest(`${cloud}/${type}/${publicId}`, 'sha1');
  return {
    asset_id: assetId.slice(0, 32),
    public_id: publicId,
    version,
    version_id: (await hexDigest(`${assetId}/${version}`, 'sha1')).slice(0, 32),
    signature: await apiSignature({ public_id: publicId, version }, apiSecret, 'sha1', 1),
    width: s.width,
    height: s.height,
    format: s.format,
    resource_type: 'image',
    created_at: new Date(version * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    tags: [],
    pages: 1,
    bytes: s.bytes,
    type,
    etag: s.etag,
    placeholder: false,
    url: origin.replace(/^https:/, 'http:') + path,
    secure_url: origin + path,
    original_filename: originalFilename ?? publicId.split('/').pop(),
    api_key: apiKey,
  };
}

/** A stored original, as its R2 metadata describes it. */
export function storedOriginal(existing: R2Object): { version: number; stored: Stored } {
  const meta = existing.customMetadata ?? {};
  return {
    version: Number(meta.version),
    stored: { format: meta.format, width: Number(meta.width), height: Number(meta.height), bytes: existing.size, etag: existing.etag },
  };
}

/** overwrite=false on a public ID that has an original: that one. */
export async function describeExisting(env: Env, asset: AssetRef, existing: R2Object, baseName?: string) {
  const { version, stored } = storedOriginal(existing);
  return { ...(await describe(env, asset, version, stored, baseName)), existing: true };
}

/** overwrite=false on a public ID that a pending incoming AI transformation holds: the pending asset. */
export async function describeHeld(env: Env, asset: AssetRef, hold: Hold, baseName?: string) {
  return {
    ...(await describe(env, asset, hold.version, { format: 'jpg', width: hold.width, height: hold.height, bytes: 0, etag: '' }, baseName)),
    existing: true,
    status: 'pending',
    job: hold.link,
  };
}
