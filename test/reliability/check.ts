/** The invariants every reliability case is held to, and a bounded request. */
import { env } from 'cloudflare:workers';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import app from '../../src/index';
import { readHeader } from '../../src/codecs/header';

export const REQUEST_BOUND_MS = 20_000;

export interface Outcome {
  status: number;
  /** X-Cld-Error of a 4xx/5xx. */
  error?: string;
  ms: number;
  /** Why the answer breaks an invariant; undefined when it holds. */
  failure?: string;
  /** The decoded header of a 200. */
  size?: string;
}

const CONTENT_TYPE: Record<string, string> = { jpg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif', avif: 'image/avif' };

/** Awaits one response (body included) within a bound: a hang is a failure, not a stuck test. */
export async function bounded<T>(work: Promise<T>, ms = REQUEST_BOUND_MS): Promise<T | 'timeout'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Never a 5xx; a 4xx carries a non-empty X-Cld-Error; a 200 is a decodable image of sane size whose Content-Type says what it is. */
export async function judge(res: Response, started: number): Promise<Outcome> {
  const bytes = new Uint8Array(await res.arrayBuffer());
  const ms = Date.now() - started;
  const status = res.status;
  const error = res.headers.get('X-Cld-Error') ?? undefined;
  if (status >= 500) return { status, error, ms, failure: `${status} ${error ?? ''}` };
  if (status >= 400) return { status, error, ms, failure: error?.trim() ? undefined : `${status} without X-Cld-Error` };
  if (status !== 200) return { status, ms };
  if (res.headers.get('Content-Type') === 'application/json') {
    // fl_getinfo answers JSON about the output instead of the image.
    try {
      const { output } = JSON.parse(new TextDecoder().decode(bytes)) as { output: { width: number; height: number; format: string } };
      if (!(output.width > 0 && output.height > 0)) throw new Error('no output size');
      return { status, ms, size: `info ${output.format} ${output.width}x${output.height}` };
    } catch (e) {
      return { status, ms, failure: `200 JSON that is no fl_getinfo (${bytes.length} bytes): ${(e as Error).message}` };
    }
  }
  try {
    const h = readHeader(bytes);
    const type = res.headers.get('Content-Type');
    if (type !== CONTENT_TYPE[h.format]) return { status, ms, failure: `200 ${h.format} ${h.width}x${h.height} labelled ${type}` };
    return { status, ms, size: `${h.format} ${h.width}x${h.height}` };
  } catch (e) {
    return { status, ms, failure: `200 that is no image (${bytes.length} bytes, ${res.headers.get('Content-Type')}): ${(e as Error).message}` };
  }
}

/**
 * The Worker's fetch handler called in this isolate. Not `exports.default.fetch` (routes/worker.ts
 * `get`): through the pool's self binding each call gets slower as calls accumulate (100 trivial
 * 400s: 0.5 s, then 1.4, 3.3, 9.0 s; called directly 15 ms per 100), which a few thousand cases cannot afford.
 * Background work (waitUntil: derived copies, cache puts) is awaited too, within the same bound.
 */
export async function call(path: string, init: RequestInit = {}): Promise<{ res: Response; background?: string }> {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(`http://localhost${path}`, init), env, ctx);
  const body = new Uint8Array(await res.arrayBuffer());
  let background: string | undefined;
  try {
    await waitOnExecutionContext(ctx);
  } catch (e) {
    background = (e as Error).message;
  }
  return { res: new Response(res.status === 304 || res.status === 204 ? null : body, { status: res.status, headers: res.headers }), background };
}

export async function probe(path: string, headers: Record<string, string> = {}, bound = REQUEST_BOUND_MS): Promise<Outcome> {
  const started = Date.now();
  try {
    const out = await bounded(
      call(path, { headers }).then(async ({ res, background }) => {
        const judged = await judge(res, started);
        // The client got its answer, but the derived copy or cache entry was not written: every request redoes the work.
        return background && !judged.failure ? { ...judged, failure: `${judged.status}, then waitUntil rejected: ${background}` } : judged;
      }),
      bound,
    );
    if (out === 'timeout') return { status: 0, ms: Date.now() - started, failure: `no answer within ${bound} ms` };
    // The isolate is single-threaded: a request that keeps the CPU delays the timer too.
    if (out.ms > bound && !out.failure) return { ...out, failure: `answered ${out.status} after ${out.ms} ms` };
    return out;
  } catch (e) {
    return { status: 0, ms: Date.now() - started, failure: `request threw: ${(e as Error).message}` };
  }
}

/** Counts by status and by distinct error message, for the run's summary line. */
export class Tally {
  readonly statuses = new Map<number, number>();
  readonly errors = new Map<string, number>();
  readonly failures: { label: string; url: string; failure: string }[] = [];
  readonly slowest: { ms: number; status: number; url: string }[] = [];
  add(out: Outcome, label: string, url: string) {
    this.slowest.push({ ms: out.ms, status: out.status, url: url.slice(0, 200) });
    this.slowest.sort((a, b) => b.ms - a.ms).splice(3);
    this.statuses.set(out.status, (this.statuses.get(out.status) ?? 0) + 1);
    if (out.error) {
      // Numbers and echoed values vary per case; the message's shape is what is distinct.
      const shape = out.error
        .replace(/\d+/g, 'N')
        .replace(/: .*?( \(|$)/, ': …$1')
        .slice(0, 120);
      this.errors.set(shape, (this.errors.get(shape) ?? 0) + 1);
    }
    if (out.failure) this.failures.push({ label, url, failure: out.failure });
  }
  summary(): string {
    return `statuses ${JSON.stringify(Object.fromEntries([...this.statuses].sort((a, b) => a[0] - b[0])))}, ${this.errors.size} distinct errors; slowest ${this.slowest.map((s) => `${s.ms} ms ${s.status} ${s.url}`).join(' | ')}`;
  }
}
