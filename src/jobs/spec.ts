import type { AiEffectName } from '../url/effects';
import type { CldError } from '../errors';
import { hexDigest } from '../url/signature';
import { buildPlan } from '../plan/plan';
import type { ImageHeader, Plan } from '../plan/steps';
import type { Component } from '../url/params';

/**
 * One AI job: the effect applied to an original after a (possibly empty) pre-chain. Its result,
 * the "intermediate", is a high-quality baseline JPEG in R2 that later components read with
 * shrink-on-load like any original. The id is a hash of everything the result depends on.
 */
export interface AiJobSpec {
  id: string;
  cloud: string;
  type: string;
  publicId: string;
  /** R2 key of the original and its ETag when the job was made: a different original is a different job. */
  originalEtag: string;
  /** Canonical transformation applied before the effect, hints resolved ('' for none). */
  pre: string;
  effect: AiEffectName;
  /** R2 key of the result (store/keys.ts: intermediateKey, or jobResultKey for an incoming transformation). */
  output: string;
  quality: number;
  /** Incoming transformation: read this key instead of the original, and write the result with this metadata (the new original). */
  source?: string;
  outputMeta?: Record<string, string>;
  /**
   * Incoming transformation: when the result (at `output`) is complete it is copied to `key` only
   * if that still has the ETag `replaceEtag` (null: only if it still does not exist), so the job
   * never replaces an original uploaded after it started.
   */
  commit?: { key: string; replaceEtag: string | null };
}

export type JobState = 'queued' | 'running' | 'done' | 'failed';

export interface JobStatus {
  id: string;
  effect: AiEffectName;
  state: JobState;
  /** Tile rows finished and in all. */
  rowsDone: number;
  rowsTotal: number;
  percent: number;
  width?: number;
  height?: number;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  /** Alarm invocations that did work (a resumed job has more than one). */
  slices: number;
  error?: string;
  /**
   * For a failed job, the HTTP status its URLs answer: 400 for bad input, 409 when a newer upload
   * superseded it, 500 when it kept failing for another reason (AI_MAX_ATTEMPTS attempts).
   */
  errorStatus?: CldError['status'];
  /** Consecutive failed attempts (reset by progress). */
  attempts?: number;
}

/** What an eager notification reports about one eager transformation. */
export interface EagerContext {
  transformation: string;
  format: string;
  url: string;
  secure_url: string;
}

export const INTERMEDIATE_QUALITY = 95;

export function jobId(parts: readonly string[]): Promise<string> {
  return hexDigest(parts.join('|'));
}

/**
 * The plan of an AI job's input: the original through the chain before the AI effect, at full
 * quality (no encode loss: it is a raster). The route checks it (size, alpha), the route's alpha
 * source and the job render it.
 */
export function jobInputPlan(pre: readonly Component[], header: ImageHeader, inputBytes: number): Plan {
  return buildPlan({ components: pre, header, inputBytes, output: { format: 'png', quality: 100, progressive: false } });
}
