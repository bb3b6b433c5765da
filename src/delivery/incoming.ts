/**
 * Incoming transformations (`transformation=...` on upload): applied before storage, so the
 * stored original is the transformed image. Plain ones run in the upload request. One that ends
 * with an AI effect runs as a job whose result becomes the original: meanwhile the upload answers
 * `status: "pending"` and the asset's delivery URLs answer 420 (Cloudinary's "incoming
 * transformation is being generated"), with Retry-After and the job's status link.
 *
 * The pending upload holds its public ID (the incoming key, which names its job): unsigned uploads
 * and overwrite=false never take a held ID; a signed overwrite supersedes the job, which then
 * never writes. An existing original is kept (and served) until the job's result is ready; the job
 * writes the result only if the original is still the one it was started to replace (or, for a
 * new ID, still absent), so a newer upload is never overwritten by an older upload's job.
 */
import { readHeader, type ImageHeader } from '../codecs/header';
import { runPlan } from '../pixels/run';
import { chooseOutput } from '../plan/output';
import { buildPlan } from '../plan/plan';
import { withReservation } from './ledger';
import { INTERMEDIATE_QUALITY, jobId, type AiJobSpec } from '../jobs/spec';
import { images } from '../store/bucket';
import { headIncoming, putIncoming } from '../store/intermediates';
import { incomingKey, jobResultKey, originalKey } from '../store/keys';
import { headOriginal } from '../store/originals';
import { formatTransformation, parseComponent } from '../url/component';
import { CldError } from '../errors';
import type { Component } from '../url/params';
import { checkAiInput, jobPending, jobStatusPath, splitAtAiEffect, type AiSplit } from './ai';
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
  if (split.post.length)
    throw new CldError(400, `An incoming transformation must end with its AI effect (e_${split.effect}); request the rest as a delivery transformation`);
  return { ai: split };
}

/** Runs a plain incoming transformation; the result keeps the upload's format (PNG for GIF). */
export async function applyIncoming(
  file: Uint8Array,
  header: ImageHeader,
  components: Component[],
  premium: boolean,
): Promise<{ file: Uint8Array; header: ImageHeader }> {
  const output = chooseOutput({
    components,
    extension: undefined,
    originalFormat: header.format === 'gif' ? 'png' : header.format,
    mayBeTransparent: () => header.hasAlpha,
    accept: null,
  });
  const plan = buildPlan({ components, header, inputBytes: file.byteLength, output, premium });
  const bytes = await withReservation(plan, () => runPlan(file, header, plan), file.byteLength);
  return { file: bytes, header: readHeader(bytes) };
}

/** Stores the upload aside, takes the public ID's hold and starts the job that will write the original. */
export async function startIncoming(
  env: Env,
  asset: { cloud: string; type: string; publicId: string; version: number },
  file: Uint8Array,
  header: ImageHeader,
  split: AiSplit,
  overwrite: boolean,
): Promise<{ job: string; width: number; height: number }> {
  const input = checkAiInput(split, header, file.byteLength);
  // The job writes a JPEG original: an incoming AI transformation would lose the alpha channel.
  if (input.transparent) throw new CldError(400, `e_${split.effect} as an incoming transformation does not support images with transparency`);
  const scale = AI_MODELS[split.effect].scale;
  const width = input.width * scale;
  const height = input.height * scale;
  const bucket = images(env);
  const source = incomingKey(asset.cloud, asset.type, asset.publicId);
  const preText = formatTransformation(split.pre);
  // A nonce: two uploads of the same ID in the same second are two jobs, the later superseding the earlier.
  const id = await jobId(['incoming', asset.cloud, asset.type, asset.publicId, String(asset.version), preText, split.effect, crypto.randomUUID()]);
  let stored: R2Object | null = null;
  for (let attempt = 0; !stored; attempt++) {
    if (attempt === HOLD_ATTEMPTS) throw new CldError(409, `Concurrent incoming transformations of ${asset.publicId}: try again`);
    const held = await headIncoming(bucket, asset.cloud, asset.type, asset.publicId);
    const previous = held?.customMetadata?.job;
    // A job still running is stopped first, so that it can no longer write (it then drops its hold).
    if (previous && (await supersede(env, previous, `superseded by a newer upload of ${asset.publicId}`)) === 'superseded') continue;
    stored = await putIncoming(
      bucket,
      asset.cloud,
      asset.type,
      asset.publicId,
      file,
      { version: String(asset.version), job: id, effect: split.effect, width: String(width), height: String(height) },
      held ? held.etag : null,
    );
  }
  // Read after any previous job is stopped: the version this job may replace (none: create only).
  const replace = overwrite ? await headOriginal(bucket, asset.cloud, asset.type, asset.publicId) : null;
  const spec: AiJobSpec = {
    id,
    cloud: asset.cloud,
    type: asset.type,
    publicId: asset.publicId,
    originalEtag: stored.etag,
    pre: preText,
    effect: split.effect,
    output: jobResultKey(id),
    quality: INTERMEDIATE_QUALITY,
    source,
    outputMeta: { version: String(asset.version), format: 'jpg', width: String(width), height: String(height), alpha: '0' },
    commit: { key: originalKey(asset.cloud, asset.type, asset.publicId), replaceEtag: replace?.etag ?? null },
  };
  await env.AI_JOBS.get(env.AI_JOBS.idFromName(id)).start(spec);
  return { job: jobStatusPath(asset.cloud, id), width, height };
}

const HOLD_ATTEMPTS = 4;

/** A pending incoming AI transformation's hold on a public ID. */
export interface Hold {
  job: string;
  link: string;
  version: number;
  width: number;
  height: number;
}

/** The hold on a public ID, if its job is still queued or running (a failed job's file holds nothing). */
export async function activeHold(env: Env, cloud: string, type: string, publicId: string): Promise<Hold | null> {
  const held = await headIncoming(images(env), cloud, type, publicId);
  const meta = held?.customMetadata ?? {};
  if (!meta.job) return null;
  const status = await env.AI_JOBS.get(env.AI_JOBS.idFromName(meta.job)).status();
  if (!status || status.state === 'done' || status.state === 'failed') return null;
  return { job: meta.job, link: jobStatusPath(cloud, meta.job), version: Number(meta.version), width: Number(meta.width), height: Number(meta.height) };
}

/** Stops a pending job for good: its result is never written. Returns 'superseded', or its final state if it had already ended. */
export async function supersede(env: Env, job: string, reason: string): Promise<'superseded' | 'done' | 'failed' | null> {
  return env.AI_JOBS.get(env.AI_JOBS.idFromName(job)).supersede(reason);
}

/**
 * A delivery of an asset without an original: if its incoming AI transformation is still running,
 * throws the 420 (never cached); if the job failed, its error. Returns when there is none.
 */
export async function throwIfIncoming(env: Env, cloud: string, type: string, publicId: string): Promise<void> {
  const pending = await headIncoming(images(env), cloud, type, publicId);
  if (!pending) return;
  const id = pending.customMetadata?.job ?? '';
  const status = id ? await env.AI_JOBS.get(env.AI_JOBS.idFromName(id)).status() : null;
  if (status?.state === 'failed') throw new CldError(status.errorStatus ?? 400, `The incoming transformation e_${status.effect} failed: ${status.error}`);
  const message = `Asset is pending: its incoming transformation e_${pending.customMetadata?.effect} is being generated (${status?.percent ?? 0}% done)`;
  throw jobPending(420, message, jobStatusPath(cloud, id), 2);
}
