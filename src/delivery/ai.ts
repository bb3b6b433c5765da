/**
 * Delivery of transformations with an AI effect (e_upscale, e_gen_restore): the chain splits at the
 * effect. Before it: the pre-chain, run by the job on the original. The effect: a queued job (one
 * Durable Object per job id) whose result, a high-quality JPEG in R2, becomes the source of the
 * post-chain, which the normal pipeline runs with shrink-on-load. While the job runs the URL
 * answers 423 (thrown as a CldError that carries its headers); a small job that finishes within
 * AI_WAIT_MS is answered directly.
 */
import type { ImageHeader } from '../codecs/header';
import type { Raster } from '../pixels/raster';
import { resize } from '../ops/resize';
import { renderPlan } from '../pixels/run';
import { filterCost, resizeTaps } from '../plan/cost/model';
import type { Size } from '../plan/steps';
import { stepAddsAlpha } from '../plan/transparency';
import { withReservation } from './ledger';
import { INTERMEDIATE_QUALITY, jobId, jobInputPlan, type AiJobSpec, type JobStatus } from '../jobs/spec';
import { config } from '../config';
import { images } from '../store/bucket';
import { getIntermediate } from '../store/intermediates';
import { intermediateKey } from '../store/keys';
import { formatComponent, formatTransformation } from '../url/component';
import type { DeliveryUrl } from '../url/delivery-url';
import { isAiEffect } from '../url/effects';
import { CldError } from '../errors';
import type { Component } from '../url/params';

/** Cloudinary's limit for e_upscale and e_gen_restore input. */
export const AI_MAX_INPUT_PIXELS = 4_200_000;
/** How long a request waits for a new job before answering 423. */
export const AI_WAIT_MS = 5_000;
const POLL_MS = 100;

export interface AiSplit {
  /** Components before the effect. */
  pre: Component[];
  effect: 'upscale' | 'gen_restore';
  /** The effect's component without the effect, then the rest: applied to the job's result. */
  post: Component[];
}

export function splitAtAiEffect(components: readonly Component[]): AiSplit | null {
  const at = components.findIndex((c) => isAiEffect(c.e));
  if (at < 0) return null;
  const effect = components[at].e!.name as AiSplit['effect'];
  const later = components.slice(at + 1);
  if (later.some((c) => isAiEffect(c.e))) throw new CldError(400, 'Only one AI effect (e_upscale, e_gen_restore) per transformation');
  const rest: Component = { ...components[at] };
  delete rest.e;
  return { pre: components.slice(0, at), effect, post: formatComponent(rest) ? [rest, ...later] : later };
}

/** AI effects cost seconds of CPU: signed URLs only, unless the cloud opts in. */
export function authorizeAi(url: DeliveryUrl, env: Env, split: AiSplit): void {
  if (url.signature === undefined && !config(env).aiUnsigned)
    throw new CldError(401, `e_${split.effect} needs a signed URL (or an eager transformation); set AI_UNSIGNED=true to allow unsigned ones`);
}

/**
 * Cloudinary's limits on an AI effect's input (the original after the pre-chain): not animated,
 * under 4.2 MP, and opaque for e_gen_restore (e_upscale keeps transparency: alphaFromSource()).
 * Returns the input's size.
 */
export function checkAiInput(split: AiSplit, header: ImageHeader, inputBytes: number): { width: number; height: number; transparent: boolean } {
  const name = `e_${split.effect}`;
  if (header.animated) throw new CldError(400, `${name} does not support animated images`);
  const input = jobInputPlan(split.pre, header, inputBytes);
  if (input.width * input.height >= AI_MAX_INPUT_PIXELS)
    throw new CldError(400, `${name} input is ${input.width}x${input.height} (${((input.width * input.height) / 1e6).toFixed(1)} MP): it must be under 4.2 MP`);
  const transparent = header.hasAlpha || input.steps.some(stepAddsAlpha);
  if (transparent && split.effect === 'gen_restore') throw new CldError(400, `${name} does not support images with transparency`);
  return { width: input.width, height: input.height, transparent };
}

/** Checks the input and makes the job's spec. */
export async function aiJobSpec(url: DeliveryUrl, split: AiSplit, original: R2Object, header: ImageHeader): Promise<AiJobSpec> {
  checkAiInput(split, header, original.size);
  const pre = formatTransformation(split.pre);
  const id = await jobId([url.cloud, url.type, url.publicId, original.etag, pre, split.effect, String(INTERMEDIATE_QUALITY)]);
  return {
    id,
    cloud: url.cloud,
    type: url.type,
    publicId: url.publicId,
    originalEtag: original.etag,
    pre,
    effect: split.effect,
    output: intermediateKey(url.cloud, url.type, url.publicId, id),
    quality: INTERMEDIATE_QUALITY,
  };
}

/**
 * The job's result if it exists or finishes within the wait, else throws the 423 (jobPending).
 * Starting is idempotent: concurrent callers reach the same Durable Object and the same single job.
 */
export async function awaitJob(env: Env, spec: AiJobSpec, waitMs: number): Promise<R2ObjectBody> {
  // The job's Durable Object is the authority on its result: reading the output key while its
  // multipart upload is in progress is not needed (and stalls local R2).
  const stub = env.AI_JOBS.get(env.AI_JOBS.idFromName(spec.id));
  let status = await stub.start(spec);
  const deadline = Date.now() + waitMs;
  while (status.state !== 'done' && status.state !== 'failed' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    status = (await stub.status())!;
  }
  if (status.state === 'failed') throw new CldError(status.errorStatus ?? 400, `e_${spec.effect} failed: ${status.error}`);
  if (status.state === 'done') {
    const done = await getIntermediate(images(env), spec.output);
    if (done) return done;
  }
  throw pendingError(spec, status);
}

/**
 * How long this request may wait for a job (RFC 7240): `Prefer: respond-async` answers 423 at once,
 * `Prefer: wait=N` waits at most N seconds; never more than AI_WAIT_MS.
 */
export function waitBudget(request: Request): number {
  const prefer = request.headers.get('Prefer') ?? '';
  if (/(^|[,;\s])respond-async\b/i.test(prefer)) return 0;
  const wait = /(?:^|[,;\s])wait=(\d+)/i.exec(prefer);
  return wait ? Math.min(AI_WAIT_MS, Number(wait[1]) * 1000) : AI_WAIT_MS;
}

export function jobStatusPath(cloud: string, id: string): string {
  return `/v1_1/${cloud}/jobs/${id}`;
}

function pendingError(spec: AiJobSpec, status: JobStatus): CldError {
  const elapsed = status.startedAt ? Date.now() - status.startedAt : 0;
  const perRow = status.rowsDone ? elapsed / status.rowsDone : 2000;
  const retry = Math.max(1, Math.min(60, Math.ceil((perRow * Math.max(1, status.rowsTotal - status.rowsDone || 1)) / 1000)));
  const message = `Derived asset is being generated: e_${spec.effect} ${status.state}, ${status.percent}% done; retry in ${retry} s`;
  return jobPending(423, message, jobStatusPath(spec.cloud, spec.id), retry);
}

/**
 * 423 (derived asset being generated) or 420 (incoming transformation pending), to throw: an error
 * response (errorResponse) that is never cached and links to the job's status.
 */
export function jobPending(status: 420 | 423, message: string, link: string, retryAfter: number): CldError {
  return new CldError(status, message, {
    'Retry-After': String(retryAfter),
    // Never cached: the same URL answers 200 as soon as the job is done.
    'Cache-Control': 'no-store',
    Link: `<${link}>; rel="status"`,
    'X-Dprox-Job': link,
  });
}

/**
 * The alpha channel of an upscaled transparent image: the job's streamed result is a JPEG (colour
 * only), so the alpha comes from the job's input (the original after the pre-chain), resized with
 * Lanczos3 to the decoded result, as the job itself upscales alpha (src/ai/infer.ts). `bytes`
 * is what this holds beside the delivery's plan, for its memory estimate.
 */
export async function alphaFromSource(
  original: Uint8Array,
  header: ImageHeader,
  split: AiSplit,
): Promise<{ afterDecode: (r: Raster) => Raster; bytes: (decoded: Size) => number }> {
  const plan = jobInputPlan(split.pre, header, original.byteLength);
  const source = await withReservation(plan, () => renderPlan(original, header, plan), original.byteLength);
  return {
    // The source raster, its resized copy, and the resize kernel's rows.
    bytes: (d) => source.data.length + d.width * d.height * 4 + filterCost(source.width, d.width, d.height, resizeTaps(source.height, d.height)),
    afterDecode: (r) => {
      const alpha = resize({ ...source, opaque: true }, r.width, r.height).data;
      const data = r.data;
      for (let i = 3; i < data.length; i += 4) data[i] = alpha[i];
      return { ...r, data, opaque: false };
    },
  };
}
