/**
 * The originals a delivery's layers name (`l_` / `u_`), sized before planning so the planner
 * counts their memory before anything is read or decoded: R2's object size (a head) and the
 * image header (a ranged read of the first bytes). Their bodies are read only while rendering,
 * once the plan fits the budget. Layers are images of delivery type upload in the same cloud, as
 * on Cloudinary, or remote images (`fetch:<URL>`) whose copies ensureFetched left in R2 (lookup,
 * delivery.ts): read the same way, under the same limits.
 */
import { CldError, ImageError } from '../errors';
import { remoteLayerUrl } from '../url/layer-id';
import type { FetchedOriginal } from './fetched';
import { readHeader, type ImageHeader } from '../codecs/header';
import type { LayerSource } from '../plan/layers';
import { images } from '../store/bucket';
import { headOriginal, readOriginal } from '../store/originals';

/** All the layer originals of one URL together: more is refused before any of them is read. */
export const MAX_LAYER_BYTES = 48 * 1024 * 1024;
/** The first ranged read of a layer's header, grown ×4 while the header needs more, up to the last. */
export const LAYER_HEADER_READS = [64 * 1024, 256 * 1024, 1024 * 1024] as const;

const mb = (n: number) => (n / (1024 * 1024)).toFixed(1);

export async function loadLayers(
  env: Env,
  cloud: string,
  publicIds: readonly string[],
  fetched: ReadonlyMap<string, FetchedOriginal> = new Map(),
): Promise<Map<string, LayerSource>> {
  const bucket = images(env);
  const heads = await Promise.all(
    publicIds.map(async (id) => {
      if (remoteLayerUrl(id) !== undefined) {
        const copy = fetched.get(id);
        if (!copy) throw new Error(`fetch layer ${id} was not fetched before its layers were loaded`);
        return copy.object;
      }
      const head = await headOriginal(bucket, cloud, 'upload', id);
      if (!head) throw new CldError(400, `Unknown or invalid referenced image ${id} of type upload`);
      return head;
    }),
  );
  const total = heads.reduce((n, h) => n + h.size, 0);
  if (total > MAX_LAYER_BYTES)
    throw new CldError(400, `Layers too large: ${publicIds.length} layer originals of ${mb(total)} MB together, over the ${mb(MAX_LAYER_BYTES)} MB limit`);
  return new Map(await Promise.all(publicIds.map(async (id, i): Promise<[string, LayerSource]> => [id, await layerSource(bucket, id, heads[i])])));
}

async function layerSource(bucket: R2Bucket, id: string, head: R2Object): Promise<LayerSource> {
  const { header, whole } = await readLayerHeader(bucket, id, head);
  if (whole) return { header, size: head.size, bytes: whole }; // small: the header read was the whole file
  // Read at each composite and not kept: the bytes are garbage once the layer is decoded.
  const read = async () => new Uint8Array(await (await readRange(bucket, id, head)).arrayBuffer());
  return { header, size: head.size, read };
}

/** The original as the head saw it (its ETag), whole or its first `length` bytes; a change in between is a 409. */
async function readRange(bucket: R2Bucket, id: string, head: R2Object, length?: number): Promise<R2ObjectBody> {
  const got = await readOriginal(bucket, head, length);
  if (!got) throw new CldError(409, `Layer ${id} changed while this image was being made; try again`);
  return got;
}

async function readLayerHeader(bucket: R2Bucket, id: string, head: R2Object): Promise<{ header: ImageHeader; whole?: Uint8Array }> {
  for (const n of LAYER_HEADER_READS) {
    const length = Math.min(n, head.size);
    const prefix = new Uint8Array(await (await readRange(bucket, id, head, length)).arrayBuffer());
    const whole = length >= head.size;
    const last = whole || n === LAYER_HEADER_READS[LAYER_HEADER_READS.length - 1];
    let header: ImageHeader;
    try {
      header = readHeader(prefix);
    } catch (e) {
      if (!(e instanceof ImageError)) throw e;
      if (e.status !== 400 || last) {
        const message = !whole && e.status === 400 ? `no image header in its first ${mb(length)} MB (${e.message})` : e.message;
        throw new ImageError(`Layer ${id}: ${message}`, e.status);
      }
      continue;
    }
    if (whole) return { header, whole: prefix };
    // A prefix shows only some of a GIF's frames: the count is unknown (pg_ past the last is refused when it is decoded).
    if (complete(header, prefix)) return { header: header.format === 'gif' ? { ...header, frames: undefined, frameArea: undefined } : header };
    // Only a GIF can still be incomplete at the last read: counted as animated, which costs more, never less.
    if (last) return { header: { ...header, animated: true } };
  }
  throw new Error('unreachable');
}

/**
 * Whether a header read from a prefix is the one the whole file has. A GIF is animated only if
 * a second frame follows, which a prefix may not show; a WebP's flagged ICC profile may not be
 * all in it. JPEG, PNG and AVIF headers are refused (as truncated) when incomplete.
 */
function complete(header: ImageHeader, prefix: Uint8Array): boolean {
  if (header.format === 'gif') return header.animated;
  if (header.format === 'webp') return header.icc !== undefined || !(prefix[12] === 0x56 && prefix[15] === 0x58 && (prefix[20] & 0x20) !== 0);
  return true;
}
