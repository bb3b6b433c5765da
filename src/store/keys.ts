/**
 * @module Every R2 key dprox writes, one function each. Nothing outside src/store/ spells a key.
 *
 *   original/<cloud>/<type>/<public_id>          an original (no extension, as Cloudinary's public IDs)
 *   incoming/<cloud>/<type>/<public_id>          an upload whose incoming AI transformation is running
 *   derived/<cloud>/<type>/<public_id>/<sha256>  a derived image, under its original's prefix
 *   ai/<cloud>/<type>/<public_id>/<job>.jpg      an AI job's result for delivery (the intermediate)
 *   jobs/<job>/result.jpg                        an incoming AI job's result, before it becomes the original
 *   jobs/<job>/pending                           an AI job's encoded bytes not yet in a multipart part
 *   fetch/<cloud>/<sha256 of the remote URL>     a fetched original (src/remote/cache.ts: its metadata)
 *   derived/<cloud>/fetch/<sha256 of the URL>/<sha256>  a derived image of a fetched original
 *   named/<cloud>/<name>                         a named transformation (src/store/named.ts: its JSON)
 *   meta/<cloud>/<type>/<public_id>              an asset's tags and context (src/store/assets.ts: its JSON)
 *   tag/<cloud>/<tag, URI-encoded>/<type>/<public_id>  an empty marker: the asset has the tag
 */
import { hexDigest } from '../url/signature';

/** An original, keyed by cloud, delivery type and public ID. */
export function originalKey(cloud: string, type: string, publicId: string): string {
  return originalsPrefix(cloud, type) + publicId;
}

/** Every original of one cloud and delivery type (the demo gallery lists it). */
export function originalsPrefix(cloud: string, type: string): string {
  return `${originalsRoot(cloud)}${type}/`;
}

/** Every original of one cloud, of every type: `<type>/<public_id>` follows. */
export function originalsRoot(cloud: string): string {
  return `original/${cloud}/`;
}

/**
 * An upload whose incoming AI transformation is still running: the file as sent, and the hold of
 * its job (customMetadata.job) on the public ID, until the job has written the original (or was
 * superseded by a newer upload). A failed job's file stays, with the reason in the job's status.
 */
export function incomingKey(cloud: string, type: string, publicId: string): string {
  return `incoming/${cloud}/${type}/${publicId}`;
}

/** Every derived image of an original, so an overwrite can drop them all. */
export function derivedPrefix(cloud: string, type: string, publicId: string): string {
  return `derived/${cloud}/${type}/${publicId}/`;
}

/** One derived image: the SHA-256 of its cache key (everything the response depends on besides the original). */
export async function derivedKey(cloud: string, type: string, publicId: string, cacheKey: string): Promise<string> {
  return derivedPrefix(cloud, type, publicId) + (await hexDigest(cacheKey));
}

/** An AI job's result (a high-quality JPEG) that deliveries read as the source of the rest of their chain. */
export function intermediateKey(cloud: string, type: string, publicId: string, jobId: string): string {
  return `ai/${cloud}/${type}/${publicId}/${jobId}.jpg`;
}

/** An incoming AI job's result, copied over the original when the job ends (src/jobs/jobs.ts commit). */
export function jobResultKey(jobId: string): string {
  return `jobs/${jobId}/result.jpg`;
}

/** An AI job's encoded bytes not yet uploaded as a multipart part (parts are PART_BYTES, the rest waits here). */
export function jobPendingKey(jobId: string): string {
  return `jobs/${jobId}/pending`;
}

/** A fetched original, by the SHA-256 hex of its normalised remote URL (src/remote/cache.ts fetchedKey, fetchedUrlHash). */
export function fetchedKeyOf(cloud: string, urlHash: string): string {
  return `fetch/${cloud}/${urlHash}`;
}

/** A named transformation of the cloud (`t_<name>`): its definition as JSON. */
export function namedTransformationKey(cloud: string, name: string): string {
  return namedTransformationsPrefix(cloud) + name;
}

/** Every named transformation of one cloud (the Admin API lists it). */
export function namedTransformationsPrefix(cloud: string): string {
  return `named/${cloud}/`;
}

/** An asset's tags and context, beside its original (so that changing them does not rewrite the image). */
export function assetMetaKey(cloud: string, type: string, publicId: string): string {
  return `meta/${cloud}/${type}/${publicId}`;
}

/** The assets with one tag, listed by prefix (resources_by_tag). */
export function taggedPrefix(cloud: string, tag: string): string {
  return `tag/${cloud}/${encodeURIComponent(tag)}/`;
}

export function tagMarkerKey(cloud: string, tag: string, type: string, publicId: string): string {
  return `${taggedPrefix(cloud, tag)}${type}/${publicId}`;
}
