/**
 * The originals a delivery's layers name (`l_` / `u_`): read from R2 with their headers before
 * planning, so the planner sizes them and counts their memory before anything is decoded.
 * Layers are images of delivery type upload in the same cloud, as on Cloudinary.
 */
import { ImageError } from '../pixels/errors';
import { readHeader } from '../pixels/header';
import type { LayerSource } from '../plan/layers';
import { getOriginal } from '../store/originals';
import { CldError } from '../url/errors';

export async function loadLayers(bucket: R2Bucket, cloud: string, publicIds: readonly string[]): Promise<Map<string, LayerSource>> {
  const read = async (id: string): Promise<[string, LayerSource]> => {
    const original = await getOriginal(bucket, cloud, 'upload', id);
    if (!original) throw new CldError(400, `Unknown or invalid referenced image ${id} of type upload`);
    const bytes = new Uint8Array(await original.arrayBuffer());
    try {
      return [id, { bytes, header: readHeader(bytes) }];
    } catch (e) {
      if (e instanceof ImageError) throw new ImageError(`Layer ${id}: ${e.message}`, e.status);
      throw e;
    }
  };
  return new Map(await Promise.all(publicIds.map(read)));
}
