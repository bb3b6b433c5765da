/**
 * Eager transformations (`eager=<t1>|<t2>` on upload and explicit): each one is delivered right away
 * through the delivery pipeline (src/delivery/delivery.ts), signed with the API secret since the API request itself was
 * authenticated, so AI effects may start. With eager_async, AI jobs are only queued
 * (`Prefer: respond-async`) and reported as "processing" with their status link.
 */
import { readHeader } from '../codecs/header';
import { config } from '../config';
import { deliver } from '../delivery/delivery';
import { CldError } from '../errors';
import { parseComponent } from '../url/component';
import { deliverySignature } from '../url/signature';

export interface EagerItem {
  transformation: string;
  /** Output extension: `<transformation>/<ext>` in the parameter, else the original's format. */
  format: string;
}

/** Parses and validates the `eager` parameter before anything is stored. */
export function parseEager(raw: string, originalFormat: string): EagerItem[] {
  return raw
    .split('|')
    .map((t) => t.trim())
    .filter(Boolean)
    .map((t) => {
      const parts = t.split('/');
      let format = originalFormat;
      if (parts.length > 1 && /^[a-z0-9]+$/i.test(parts[parts.length - 1]) && !parts[parts.length - 1].includes('_')) format = parts.pop()!.toLowerCase();
      try {
        parts.forEach(parseComponent);
      } catch (e) {
        throw new CldError(400, `Invalid eager transformation ${t}: ${(e as Error).message}`);
      }
      return { transformation: parts.join('/'), format };
    });
}

export async function runEager(
  origin: string,
  env: Env,
  ctx: Pick<ExecutionContext, 'waitUntil'>,
  asset: { cloud: string; type: string; publicId: string; version: number },
  items: readonly EagerItem[],
  async: boolean,
  notificationUrl?: string,
): Promise<Record<string, unknown>[]> {
  const results: Record<string, unknown>[] = [];
  for (const item of items) {
    const rest = `${item.transformation}/${asset.publicId}.${item.format}`;
    const signature = await deliverySignature(rest, config(env).apiSecret, 'sha1', 8);
    const path = `/${asset.cloud}/image/${asset.type}/s--${signature}--/${item.transformation}/v${asset.version}/${asset.publicId}.${item.format}`;
    const entry: Record<string, unknown> = {
      transformation: item.transformation,
      format: item.format,
      secure_url: origin + path,
      url: origin.replace(/^https:/, 'http:') + path,
    };
    let image: Response;
    // A complete eager image is in R2 when the API answers (strict transformations serve it from
    // there at once); what a pending AI job's delivery left to do goes on in the request's context.
    const pending: Promise<unknown>[] = [];
    const itemCtx = { waitUntil: (p: Promise<unknown>) => void pending.push(p) };
    try {
      ({ image } = await deliver(new Request(origin + path, { headers: async ? { Prefer: 'respond-async' } : {} }), env, itemCtx));
      await Promise.all(pending);
    } catch (e) {
      for (const p of pending) ctx.waitUntil(p);
      // A 423: the AI job is queued or running (its status link in X-Dprox-Job).
      const job = e instanceof CldError && e.status === 423 ? e.headers?.['X-Dprox-Job'] : undefined;
      if (job === undefined) {
        if (e instanceof CldError) throw new CldError(400, `Eager transformation ${item.transformation} failed: ${e.message}`);
        throw e;
      }
      if (notificationUrl) {
        const id = job.split('/').pop()!;
        await env.AI_JOBS.get(env.AI_JOBS.idFromName(id)).subscribe(notificationUrl, {
          transformation: item.transformation,
          format: item.format,
          url: entry.url as string,
          secure_url: entry.secure_url as string,
        });
      }
      results.push({ ...entry, status: 'processing', job });
      continue;
    }
    const bytes = new Uint8Array(await image.arrayBuffer());
    const header = readHeader(bytes);
    results.push({ ...entry, status: 'complete', width: header.width, height: header.height, bytes: bytes.byteLength });
  }
  return results;
}

/** notification_url / eager_notification_url: absolute http(s) URLs only. */
export function parseNotificationUrl(raw: unknown): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(String(raw));
  } catch {
    throw new CldError(400, `Invalid notification_url ${String(raw)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new CldError(400, `Invalid notification_url ${String(raw)}: http(s) only`);
  return url.toString();
}
