/** Originals in R2, keyed by cloud, delivery type and public ID (without extension, as Cloudinary's public IDs). */
export interface OriginalMeta {
  version: number;
  format: string;
  width: number;
  height: number;
  /** '1' when the image has an alpha channel. */
  alpha: string;
}

export function originalKey(cloud: string, type: string, publicId: string): string {
  return `original/${cloud}/${type}/${publicId}`;
}

export async function getOriginal(bucket: R2Bucket, cloud: string, type: string, publicId: string): Promise<R2ObjectBody | null> {
  return bucket.get(originalKey(cloud, type, publicId));
}

export async function headOriginal(bucket: R2Bucket, cloud: string, type: string, publicId: string): Promise<R2Object | null> {
  return bucket.head(originalKey(cloud, type, publicId));
}

export async function putOriginal(
  bucket: R2Bucket, cloud: string, type: string, publicId: string, bytes: Uint8Array, meta: OriginalMeta, contentType: string,
): Promise<R2Object> {
  const customMetadata = Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, String(v)]));
  return bucket.put(originalKey(cloud, type, publicId), bytes, { httpMetadata: { contentType }, customMetadata });
}

/** An upload whose incoming AI transformation is still running: the file as sent, until the job replaces the original. */
export function incomingKey(cloud: string, type: string, publicId: string): string {
  return `incoming/${cloud}/${type}/${publicId}`;
}
