/**
 * AI jobs: one Durable Object per job id (the hash of original, pre-chain and effect), so any
 * number of concurrent requests for the same new upscale make exactly one job. The work runs in
 * alarms, a bounded slice each: every finished tile row is encoded (streamed JPEG, restart marker
 * per MCU row), appended to R2 (multipart parts of PART_BYTES, the remainder kept in a pending
 * object), and the progress is committed to SQLite. An invocation that dies loses at most the
 * tile row in progress; the next alarm resumes from the stored row. A slice that fails for a
 * reason other than bad input is retried with backoff, AI_MAX_ATTEMPTS times in a row at most,
 * then the job is `failed` (500) with the last reason.
 *
 * An incoming transformation's job writes its result beside the original and copies it over only
 * if the original is still the version it was started to replace (spec.commit), inside
 * blockConcurrencyWhile so that supersede() (a newer upload of the public ID) is either before it
 * (nothing is written) or after it (the newer upload sees the written original).
 */
import { DurableObject } from 'cloudflare:workers';
import { inferRows } from '../ai/infer';
import { AI_MODELS } from '../ai/models';
import { readHeader } from '../codecs/header';
import type { Raster } from '../pixels/raster';
import { JpegStream } from '../codecs/jpeg/encode-stream';
import { renderPlan } from '../pixels/run';
import { config } from '../config';
import { CldError, HttpError } from '../errors';
import { images } from '../store/bucket';
import { deleteDerived } from '../store/derived';
import {
  abortIntermediateUpload,
  deleteIncomingAt,
  deleteIntermediate,
  deletePending,
  getIncomingAt,
  getIntermediate,
  hasIntermediate,
  intermediateUpload,
  readPending,
  releaseIncoming,
  startIntermediateUpload,
  writePending,
} from '../store/intermediates';
import { getOriginal, putOriginalAt } from '../store/originals';
import { parseComponent } from '../url/component';
import { notificationSignature } from '../url/signature';
import { type AiJobSpec, type EagerContext, jobInputPlan, type JobState, type JobStatus } from './spec';
import { countUsage, specialCost } from './usage';

/** R2 multipart parts must be >= 5 MiB (except the last) and all the same size. */
export const PART_BYTES = 5 * 1024 * 1024;
/**
 * Time one alarm invocation may run tile rows before it re-arms (a 160-px tile row of a 2048-wide
 * input takes ~3.5 s). Short slices keep the object responsive: status and start calls wait for
 * the running slice, and in local workerd, slices of ~10 s stalled requests queued behind them.
 */
const SLICE_MS = 2_000;
/** A running job whose alarm has not reported progress for this long is re-armed by the next request. */
const STALL_MS = 60_000;
/** Failed slices in a row (other than bad input) before the job is failed for good. */
export const AI_MAX_ATTEMPTS = 5;
/** Wait before retry n (1-based): 1, 2, 4, 8 s ... at most a minute. */
export function retryDelayMs(attempt: number): number {
  return Math.min(60_000, 1000 * 2 ** (attempt - 1));
}

interface JobRow {
  spec: string;
  state: JobState;
  rows_done: number;
  rows_total: number;
  width: number | null;
  height: number | null;
  upload_id: string | null;
  parts: string;
  pending_bytes: number;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  slices: number;
  error: string | null;
  heartbeat_at: number | null;
  attempts: number;
  error_status: number | null;
}

const isFinal = (state: JobState | undefined) => state === 'done' || state === 'failed';

export class AiJobs extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  /** The job's input, kept between alarm slices of this instance (a new instance renders it again). */
  private source: Raster | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS job (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      spec TEXT NOT NULL, state TEXT NOT NULL,
      rows_done INTEGER NOT NULL DEFAULT 0, rows_total INTEGER NOT NULL DEFAULT 0,
      width INTEGER, height INTEGER,
      upload_id TEXT, parts TEXT NOT NULL DEFAULT '[]', pending_bytes INTEGER NOT NULL DEFAULT 0,
      created_at INTEGER NOT NULL, started_at INTEGER, finished_at INTEGER,
      slices INTEGER NOT NULL DEFAULT 0, error TEXT, heartbeat_at INTEGER)`);
    // Columns added after the first release: jobs created before have the table without them.
    for (const column of ['attempts INTEGER NOT NULL DEFAULT 0', 'error_status INTEGER']) {
      try {
        this.sql.exec(`ALTER TABLE job ADD COLUMN ${column}`);
      } catch {
        /* already there */
      }
    }
    this.sql.exec('CREATE TABLE IF NOT EXISTS subscriber (url TEXT NOT NULL, context TEXT NOT NULL, notified INTEGER NOT NULL DEFAULT 0)');
  }

  /**
   * Asks for a POST to `url` when the job ends (notification_url / eager_notification_url of an
   * upload or explicit call); `context` describes the eager transformation for the payload.
   */
  async subscribe(url: string, context: EagerContext): Promise<void> {
    this.sql.exec('INSERT INTO subscriber (url, context) VALUES (?, ?)', url, JSON.stringify(context));
    const state = this.row()?.state;
    if (state === 'done' || state === 'failed') await this.notify();
  }

  /**
   * Cloudinary-style eager notification, signed with X-Cld-Timestamp and X-Cld-Signature
   * (SHA-1 of body + timestamp + API secret). One attempt per subscriber; failures are logged.
   */
  private async notify(): Promise<void> {
    const row = this.row();
    if (!row) return;
    const spec = JSON.parse(row.spec) as AiJobSpec;
    const subscribers = this.sql
      .exec<{ rowid: number; url: string; context: string }>('SELECT rowid, url, context FROM subscriber WHERE notified = 0')
      .toArray();
    for (const s of subscribers) {
      this.sql.exec('UPDATE subscriber SET notified = 1 WHERE rowid = ?', s.rowid);
      const context = JSON.parse(s.context) as EagerContext;
      const timestamp = Math.floor(Date.now() / 1000);
      const body = JSON.stringify({
        notification_type: 'eager',
        timestamp: new Date().toISOString(),
        public_id: spec.publicId,
        type: spec.type,
        batch_id: spec.id,
        eager: [{ ...context, status: row.state === 'done' ? 'complete' : 'failed', ...(row.error && row.state === 'failed' ? { error: row.error } : {}) }],
      });
      try {
        const res = await fetch(s.url, {
          method: 'POST',
          body,
          headers: {
            'Content-Type': 'application/json',
            'X-Cld-Timestamp': String(timestamp),
            'X-Cld-Signature': await notificationSignature(body, timestamp, config(this.env).apiSecret),
          },
        });
        await res.body?.cancel();
      } catch (err) {
        console.warn(`notification to ${s.url} failed: ${(err as Error).message}`);
      }
    }
  }

  /** Creates the job if it does not exist yet (single flight) and makes sure an alarm will run it. */
  async start(spec: AiJobSpec): Promise<JobStatus> {
    const row = this.row();
    if (!row) {
      this.sql.exec('INSERT INTO job (id, spec, state, created_at) VALUES (1, ?, ?, ?)', JSON.stringify(spec), 'queued', Date.now());
      await this.ctx.storage.setAlarm(Date.now());
    } else if ((row.state === 'queued' || row.state === 'running') && Date.now() - (row.heartbeat_at ?? row.created_at) > STALL_MS) {
      // Only a stalled job is re-armed: touching the alarm while one runs would delay it.
      await this.ctx.storage.setAlarm(Date.now());
    }
    return this.status()!;
  }

  status(): JobStatus | null {
    const row = this.row();
    if (!row) return null;
    const spec = JSON.parse(row.spec) as AiJobSpec;
    return {
      id: spec.id,
      effect: spec.effect,
      state: row.state,
      rowsDone: row.rows_done,
      rowsTotal: row.rows_total,
      percent: row.state === 'done' ? 100 : row.rows_total ? Math.floor((100 * row.rows_done) / row.rows_total) : 0,
      ...(row.width ? { width: row.width, height: row.height! } : {}),
      createdAt: row.created_at,
      ...(row.started_at ? { startedAt: row.started_at } : {}),
      ...(row.finished_at ? { finishedAt: row.finished_at } : {}),
      slices: row.slices,
      ...(row.error ? { error: row.error } : {}),
      ...(row.state === 'failed' ? { errorStatus: (row.error_status ?? 400) as JobStatus['errorStatus'] } : {}),
      ...(row.attempts ? { attempts: row.attempts } : {}),
    };
  }

  /**
   * A newer upload of the public ID replaces this (incoming) job: it stops for good and never
   * writes the original. Returns 'superseded', or the job's state if it had already ended.
   */
  async supersede(reason: string): Promise<'superseded' | 'done' | 'failed' | null> {
    return this.ctx.blockConcurrencyWhile(async () => {
      const row = this.row();
      if (!row) return null;
      if (isFinal(row.state)) return row.state as 'done' | 'failed';
      this.markFailed(409, reason);
      this.source = null;
      // Cleanup only: the job is already stopped. (An exception here would reset the object.)
      try {
        await this.ctx.storage.deleteAlarm();
        await this.abortUpload(row);
        await this.releaseHold(JSON.parse(row.spec) as AiJobSpec);
        await this.notify();
      } catch (err) {
        console.warn(`AI job ${(JSON.parse(row.spec) as AiJobSpec).id}: cleanup after supersede failed:`, err);
      }
      return 'superseded';
    });
  }

  async alarm(): Promise<void> {
    const row = this.row();
    if (!row || isFinal(row.state)) return;
    try {
      const more = await this.slice(row);
      if (more && !this.final()) await this.ctx.storage.setAlarm(Date.now());
    } catch (err) {
      // Superseded while the slice ran: its writes failed because the job was stopped.
      if (this.final()) return;
      const message = (err as Error).message;
      if (err instanceof CldError || (err instanceof HttpError && err.status === 400)) {
        // Bad input is final (an ImageError only when it is a 400: a 413 or 415 is retried, then fails as 500).
        await this.fail(err instanceof CldError ? err.status : 400, message);
        return;
      }
      const attempts = (this.row()?.attempts ?? 0) + 1;
      console.warn(`AI job ${(JSON.parse(row.spec) as AiJobSpec).id}: attempt ${attempts} failed:`, err);
      const effect = (JSON.parse(row.spec) as AiJobSpec).effect;
      this.sql.exec('UPDATE job SET attempts = ? WHERE id = 1', attempts);
      if (attempts >= AI_MAX_ATTEMPTS) {
        await this.fail(500, `e_${effect} failed ${attempts} times in a row, giving up: ${message}`);
        return;
      }
      this.sql.exec('UPDATE job SET error = ? WHERE id = 1', `retrying (attempt ${attempts + 1} of ${AI_MAX_ATTEMPTS}) after: ${message}`);
      await this.ctx.storage.setAlarm(Date.now() + retryDelayMs(attempts));
    }
  }

  private final(): boolean {
    return isFinal(this.row()?.state);
  }

  private markFailed(status: number, message: string): void {
    this.sql.exec(
      "UPDATE job SET state = 'failed', error = ?, error_status = ?, finished_at = ? WHERE id = 1 AND state IN ('queued', 'running')",
      message,
      status,
      Date.now(),
    );
  }

  private async fail(status: number, message: string): Promise<void> {
    this.markFailed(status, message);
    this.source = null;
    await this.abortUpload(this.row()!);
    await this.notify();
  }

  /** Drops an incoming job's hold (and its input) if the public ID's incoming key is still its own. */
  private async releaseHold(spec: AiJobSpec): Promise<void> {
    if (!spec.commit || !spec.source) return;
    await releaseIncoming(images(this.env), spec.source, spec.id);
  }

  /**
   * The job's last step, atomic with supersede(): an incoming result is copied to the original
   * if that is still what the job may replace. Returns whether the job is done.
   */
  private async finish(spec: AiJobSpec, parts: R2UploadedPart[]): Promise<boolean> {
    // An exception thrown inside blockConcurrencyWhile resets the object: it is carried out instead.
    const outcome = await this.ctx.blockConcurrencyWhile(async () => {
      try {
        return { done: await this.commit(spec, parts) };
      } catch (error) {
        return { error };
      }
    });
    if ('error' in outcome) throw outcome.error;
    return outcome.done;
  }

  private async commit(spec: AiJobSpec, parts: R2UploadedPart[]): Promise<boolean> {
    if (this.final()) return false;
    const bucket = images(this.env);
    const markDone = () =>
      this.sql.exec("UPDATE job SET state = 'done', parts = ?, pending_bytes = 0, finished_at = ? WHERE id = 1", JSON.stringify(parts), Date.now());
    if (!spec.commit) {
      if (spec.source) await deleteIncomingAt(bucket, spec.source); // a job from before spec.commit: it wrote the original itself
      markDone();
      return true;
    }
    const result = await getIntermediate(bucket, spec.output);
    if (!result) throw new Error(`the finished result ${spec.output} is missing`);
    // Read whole (at most a 4x upscale of a 4.2 MP input, a few MB of JPEG): streaming one R2
    // object into another inside blockConcurrencyWhile stalls in local R2.
    const written = await putOriginalAt(bucket, spec.commit.key, await result.arrayBuffer(), spec.outputMeta, 'image/jpeg', spec.commit.replaceEtag);
    if (written) markDone();
    else this.markFailed(409, `superseded: ${spec.publicId} was uploaded again while the job ran, so its result was not stored`);
    // Cleanup: the outcome is recorded, a failure here must not turn it into a retry.
    try {
      await deleteIntermediate(bucket, spec.output);
      if (written && spec.commit.replaceEtag) await deleteDerived(bucket, spec.cloud, spec.type, spec.publicId);
      await this.releaseHold(spec);
    } catch (err) {
      console.warn(`AI job ${spec.id}: cleanup after the last step failed:`, err);
    }
    return !!written;
  }

  /** Runs tile rows until the slice is used up. Returns whether work remains. */
  private async slice(row: JobRow): Promise<boolean> {
    const began = Date.now();
    const spec = JSON.parse(row.spec) as AiJobSpec;
    const bucket = images(this.env);
    if (row.rows_total && row.rows_done >= row.rows_total && (await hasIntermediate(bucket, spec.output))) {
      // The last invocation died after the result was stored, before it was recorded: only the last step is left.
      const scale = AI_MODELS[spec.effect].scale;
      if (await this.finish(spec, JSON.parse(row.parts) as R2UploadedPart[]))
        await countUsage(this.env, spec.cloud, { [`special_e_${spec.effect}`]: specialCost(spec.effect, (row.width! / scale) * (row.height! / scale)) });
      this.source = null;
      await this.notify();
      return false;
    }
    const source = (this.source ??= await this.render(spec));
    const model = AI_MODELS[spec.effect];
    const width = source.width * model.scale;
    const height = source.height * model.scale;
    const stream = new JpegStream(width, height, spec.quality);

    let uploadId = row.upload_id;
    if (!uploadId) {
      uploadId = await startIntermediateUpload(bucket, spec.output, spec.outputMeta);
      this.sql.exec(
        "UPDATE job SET state = 'running', upload_id = ?, width = ?, height = ?, started_at = ? WHERE id = 1 AND state IN ('queued', 'running')",
        uploadId,
        width,
        height,
        Date.now(),
      );
      await writePending(bucket, spec.id, stream.header());
    }
    this.sql.exec('UPDATE job SET slices = slices + 1, heartbeat_at = ? WHERE id = 1', Date.now());
    const upload = intermediateUpload(bucket, spec.output, uploadId);
    const parts = JSON.parse(row.parts) as R2UploadedPart[];
    let pending = await readPending(bucket, spec.id);
    const rowsLimit = config(this.env).aiRowsPerAlarm;

    let done = 0;
    for await (const strip of inferRows(spec.effect, source, { startRow: row.rows_done })) {
      if (this.final()) return false;
      let bytes = stream.rows(strip.y, strip.data);
      if (strip.row === strip.rows - 1) bytes = concat(bytes, stream.end());
      pending = concat(pending, bytes);
      while (pending.length >= PART_BYTES) {
        parts.push(await upload.uploadPart(parts.length + 1, pending.slice(0, PART_BYTES)));
        pending = pending.slice(PART_BYTES);
      }
      await writePending(bucket, spec.id, pending);
      this.sql.exec(
        'UPDATE job SET rows_done = ?, rows_total = ?, parts = ?, pending_bytes = ?, heartbeat_at = ?, error = NULL, attempts = 0 WHERE id = 1',
        strip.row + 1,
        strip.rows,
        JSON.stringify(parts),
        pending.length,
        Date.now(),
      );
      if (strip.row === strip.rows - 1) {
        if (pending.length) parts.push(await upload.uploadPart(parts.length + 1, pending));
        await upload.complete(parts);
        await deletePending(bucket, spec.id);
        const done = await this.finish(spec, parts);
        this.source = null;
        if (!done) {
          await this.notify();
          return false;
        }
        await countUsage(this.env, spec.cloud, { [`special_e_${spec.effect}`]: specialCost(spec.effect, source.width * source.height) });
        await this.notify();
        return false;
      }
      if (++done >= rowsLimit || Date.now() - began > SLICE_MS) return true;
    }
    // No row left yet not done (the last step failed after the rows): an internal failure, so it is retried a bounded number of times.
    if (!done) throw new Error('no tile rows left but the result was not stored');
    return true;
  }

  /** The job's input: the original after the pre-chain, as a raster (at most 4.2 MP, checked by the route). */
  private async render(spec: AiJobSpec): Promise<Raster> {
    const bucket = images(this.env);
    const original = spec.source ? await getIncomingAt(bucket, spec.source) : await getOriginal(bucket, spec.cloud, spec.type, spec.publicId);
    if (!original) throw new CldError(404, `Resource not found - ${spec.publicId}`);
    if (original.etag !== spec.originalEtag) throw new CldError(409, 'The original changed while the job was queued');
    const bytes = new Uint8Array(await original.arrayBuffer());
    const header = readHeader(bytes);
    const components = spec.pre ? spec.pre.split('/').map(parseComponent) : [];
    return renderPlan(bytes, header, jobInputPlan(components, header, bytes.length));
  }

  private async abortUpload(row: JobRow): Promise<void> {
    const spec = JSON.parse(row.spec) as AiJobSpec;
    if (row.upload_id) await abortIntermediateUpload(images(this.env), spec.output, row.upload_id);
    await deletePending(images(this.env), spec.id);
  }

  private row(): JobRow | null {
    return (this.sql.exec('SELECT * FROM job WHERE id = 1').toArray()[0] as unknown as JobRow | undefined) ?? null;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
