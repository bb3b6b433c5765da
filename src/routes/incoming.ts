/**
 * Incoming transformations (`transformation=...` on upload): applied before storage, so the
 * stored original is the transformed image. Plain ones run in the upload request. One that ends
 * with an AI effect runs as a job whose result becomes the original: meanwhile the upload answers
 * `status: "pending"` and the asset's delivery URLs answer 420 (Cloudinary's "incoming
 * transformation is being generated"), with Retry-After and the job's status link.
 */
import { readHeader, type ImageHeader } from '../pixels/header';
import { runPlan } from '../pixels/run';
import { chooseOutput } from '../plan/output';
import { buildPlan } from '../plan/plan';
import { withReservation } from '../plan/ledger';
import { INTERMEDIATE_QUALITY, jobId, type AiJobSpec } from '../queue/spec';
import { incomingKey, originalKey } from '../store/originals';
import { formatTransformation, parseComponent } from '../url/component';
import { CldError } from '../url/errors';
import type { Component } from '../url/params';
import { checkAiInput, jobPendingResponse, jobStatusPath, splitAtAiEffect, type AiSplit } from './ai';
import { AI_MODELS } from '../ai/models';

export interface Incoming {
  plain?: Component[];
  ai?: AiSplit;
}

export function parseIncoming(raw: string): Incoming {
  let components: Component[];
  try {
    components = raw.split('/').filter(Boolean).map(parseComponent);
  } catch (e) {
    throw new CldError(400, `Invalid incoming transformation ${raw}: ${(e as Error).message}`);
  }
  const split = splitAtAiEffect(components);
  if (!split) return { plain: components };
  if (split.post.length) throw new CldError(400, `An incoming transformation must end with its AI effect (e_${split.effect}); request the rest as a delivery transformation`);
  return { ai: split };
}

/** Runs a plain incoming transformation; the result keeps the upload's format (PNG for GIF). */
export async function applyIncoming(file: Uint8Array, header: ImageHeader, components: Component[], premium: boolean): Promise<{ file: Uint8Array; header: ImageHeader }> {
  const output = chooseOutput({ components, extension: undefined, originalFormat: header.format === 'gif' ? 'png' : header.format, mayBeTransparent: header.hasAlpha, accept: null });
  const plan = buildPlan({ components, header, inputBytes: file.byteLength, output, premium });
  const bytes = await withReservation(plan, () => runPlan(file, header, plan), file.byteLength);
  return { file: bytes, header: readHeader(bytes) };
}

/** Stores the upload aside and starts the job that will write the original. */
export async function startIncoming(
  env: Env,
  asset: { cloud: string; type: string; publicId: string; version: number },
  file: Uint8Array,
  header: ImageHeader,
  split: AiSplit,
): Promise<{ job: string; width: number; height: number }> {
  const input = checkAiInput(split, header, file.byteLength);
  // The job writes a JPEG original: an incoming AI transformation would lose the alpha channel.
  if (input.transparent) throw new CldError(400, `e_${split.effect} as an incoming transformation does not support images with transparency`);
  const scale = AI_MODELS[split.effect].scale;
  const width = input.width * scale;
  const height = input.height * scale;
  const source = incomingKey(asset.cloud, asset.type, asset.publicId);
  const preText = formatTransformation(split.pre);
  const id = await jobId(['incoming', asset.cloud, asset.type, asset.publicId, String(asset.version), preText, split.effect]);
  const stored = await env.IMAGES.put(source, file, {
    customMetadata: { version: String(asset.version), job: id, effect: split.effect },
  });
  const spec: AiJobSpec = {
    id,
    cloud: asset.cloud,
    type: asset.type,
    publicId: asset.publicId,
    originalEtag: stored.etag,
    pre: preText,
    effect: split.effect,
    output: originalKey(asset.cloud, asset.type, asset.publicId),
    quality: INTERMEDIATE_QUALITY,
    source,
    outputMeta: { version: String(asset.version), format: 'jpg', width: String(width), height: String(height), alpha: '0' },
  };
  await env.AI_JOBS.get(env.AI_JOBS.idFromName(id)).start(spec);
  return { job: jobStatusPath(asset.cloud, id), width, height };
}

/** A delivery of an asset whose incoming AI transformation is still running: 420, never cached. */
export async function pendingIncoming(env: Env, cloud: string, type: string, publicId: string): Promise<Response | null> {
  const pending = await env.IMAGES.head(incomingKey(cloud, type, publicId));
  if (!pending) return null;
  const id = pending.customMetadata?.job ?? '';
  const status = id ? await env.AI_JOBS.get(env.AI_JOBS.idFromName(id)).status() : null;
  if (status?.state === 'failed') throw new CldError(400, `The incoming transformation e_${status.effect} failed: ${status.error}`);
  const message = `Asset is pending: its incoming transformation e_${pending.customMetadata?.effect} is being generated (${status?.percent ?? 0}% done)`;
  return jobPendingResponse(420, message, jobStatusPath(cloud, id), 2);
}
