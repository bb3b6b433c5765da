/**
 * The isolate's ledger: the memory and work budgets are per request (plan.ts), but one isolate
 * (128 MB) serves many requests at once. Each render reserves its plan's estimated peak bytes and
 * work here for as long as it runs; a render that does not fit waits, first come first served, a
 * bounded time for others to release, then is a 503 with Retry-After: a busy isolate says so
 * rather than running out of memory.
 *
 * What it counts: each plan's peakBytes, which bounds its JS buffers plus the absolute size of the
 * WASM memories it grows (cost.ts counts a module's memory from its initial size, not as a delta).
 * WASM memory never shrinks, so a module keeps the high-water of its largest request after it is
 * released; a later request using that module is bounded by its own estimate of that module, and
 * summing live estimates over-counts modules that concurrent requests share (JS runs one of them at
 * a time). What the ledger cannot see is memory that idle modules keep from earlier requests of
 * other shapes: the headroom between LEDGER_BYTES and the isolate's 128 MB is for that, the JS heap
 * and the code.
 */
import { CldError } from '../errors';
import { MEMORY_BUDGET } from '../plan/plan';
import { WORK_BUDGET_NS } from '../plan/cost/work';

/** Estimated bytes of all renders of the isolate together: 100 MB of the isolate's 128 MB. */
export const LEDGER_BYTES = MEMORY_BUDGET;
/** Estimated work of all renders in flight: the isolate runs them one at a time, so this bounds how long an admitted one waits for the CPU. */
export const LEDGER_WORK_NS = 2 * WORK_BUDGET_NS;
/** How long a render waits for room before it is a 503. */
export const LEDGER_WAIT_MS = 2000;
export const RETRY_AFTER_S = 2;
/**
 * A waiting request checks for room on its own timer rather than being woken by the request that
 * releases: workerd runs each request's continuations in its own context.
 */
const POLL_MS = 10;

export interface Reservation {
  bytes: number;
  work: number;
}

export class Ledger {
  bytes = 0;
  work = 0;
  /** The most bytes and work reserved at once so far (diagnostics and tests). */
  readonly highWater: Reservation = { bytes: 0, work: 0 };
  /** Reservations that had to wait so far (diagnostics and tests). */
  queued = 0;
  private readonly queue: Reservation[] = [];

  constructor(
    readonly capacity: Reservation,
    readonly waitMs: number,
  ) {}

  /**
   * Reserves `want` (each part at most the capacity, so that any plan can run alone); resolves with
   * the release, or throws the 503. `held`: bytes of `want` the request already holds (its
   * original, read before it could be planned): counted from the moment it waits, since they are
   * in memory while it does.
   */
  async reserve(want: Reservation, held = 0): Promise<() => void> {
    const r: Reservation = { bytes: bounded(want.bytes, this.capacity.bytes), work: bounded(want.work, this.capacity.work) };
    if (this.queue.length === 0 && this.fits(r)) return this.take(r, 0);
    this.queued++;
    const h = bounded(held, r.bytes);
    this.bytes += h;
    this.mark();
    const rest: Reservation = { bytes: r.bytes - h, work: r.work };
    this.queue.push(rest);
    const deadline = Date.now() + this.waitMs;
    try {
      while (!(this.queue[0] === rest && this.fits(rest))) {
        if (Date.now() >= deadline) {
          this.bytes -= h;
          throw new CldError(
            503,
            `Server busy: the renders in progress hold ${mb(this.bytes)} MB and ${seconds(this.work)} s of the isolate's ${mb(this.capacity.bytes)} MB and ${seconds(this.capacity.work)} s; this one needs ${mb(r.bytes)} MB and ${seconds(r.work)} s. Retry after ${RETRY_AFTER_S} s`,
            { 'Retry-After': String(RETRY_AFTER_S), 'Cache-Control': 'no-store' }, // CORS exposes both (routes/middleware.ts)
          );
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    } finally {
      this.queue.splice(this.queue.indexOf(rest), 1);
    }
    return this.take(rest, h);
  }

  resetHighWater(): void {
    this.highWater.bytes = this.bytes;
    this.highWater.work = this.work;
    this.queued = 0;
  }

  /** Requests waiting for room. */
  get waiting(): number {
    return this.queue.length;
  }

  private fits(r: Reservation): boolean {
    return this.bytes + r.bytes <= this.capacity.bytes && this.work + r.work <= this.capacity.work;
  }

  /** Takes `r`; the release also gives back `held`, counted already. */
  private take(r: Reservation, held: number): () => void {
    this.bytes += r.bytes;
    this.work += r.work;
    this.mark();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.bytes -= r.bytes + held;
      this.work -= r.work;
    };
  }

  private mark(): void {
    this.highWater.bytes = Math.max(this.highWater.bytes, this.bytes);
    this.highWater.work = Math.max(this.highWater.work, this.work);
  }
}

/** The ledger of this isolate (module state is per isolate). */
export const isolateLedger = new Ledger({ bytes: LEDGER_BYTES, work: LEDGER_WORK_NS }, LEDGER_WAIT_MS);

/**
 * Runs `render` holding the plan's reservation (released however it ends). Every call site that
 * renders a plan goes through this; `held`: bytes of the plan's estimate the caller holds already
 * (the original's), counted while it waits.
 */
export async function withReservation<T>(plan: { peakBytes: number; work: number }, render: () => Promise<T>, held = 0): Promise<T> {
  const release = await isolateLedger.reserve({ bytes: plan.peakBytes, work: plan.work }, held);
  try {
    return await render();
  } finally {
    release();
  }
}

/** NaN or over the capacity counts as the whole capacity. */
function bounded(v: number, cap: number): number {
  return v >= 0 && v <= cap ? v : cap;
}

function mb(bytes: number): number {
  return Math.ceil(bytes / (1024 * 1024));
}

function seconds(ns: number): string {
  return (ns / 1e9).toFixed(1);
}
