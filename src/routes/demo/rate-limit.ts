/**
 * A token bucket per client for the demo's comparisons endpoint, the one that mints signed AI
 * URLs: each answer lets its client start two AI jobs. In this isolate's memory, so a client that
 * reaches several isolates (or locations) gets a bucket in each: a bound on one visitor's burst,
 * not a global quota (a Durable Object would be one, at a round trip per call).
 */
export interface RateLimit {
  /** Tokens a client starts with and holds at most. */
  capacity: number;
  /** Seconds for one token to come back. */
  refillSeconds: number;
}

export const DEMO_COMPARISONS_LIMIT: RateLimit = { capacity: 12, refillSeconds: 10 };

/** Clients remembered at most; past that, the oldest entries are dropped (a fresh client starts full anyway). */
const MAX_CLIENTS = 10_000;

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly limit: RateLimit) {}

  /** Takes a token for `client`: 0 when granted, else the seconds until one is back (Retry-After). */
  take(client: string, now = Date.now()): number {
    const { capacity, refillSeconds } = this.limit;
    const previous = this.buckets.get(client);
    const tokens = previous ? Math.min(capacity, previous.tokens + (now - previous.at) / 1000 / refillSeconds) : capacity;
    this.buckets.delete(client); // re-inserted last: the Map's order is least recently seen first
    if (tokens >= 1) {
      this.buckets.set(client, { tokens: tokens - 1, at: now });
      this.evict();
      return 0;
    }
    this.buckets.set(client, { tokens, at: now });
    return Math.max(1, Math.ceil((1 - tokens) * refillSeconds));
  }

  private evict(): void {
    for (const key of this.buckets.keys()) {
      if (this.buckets.size <= MAX_CLIENTS) break;
      this.buckets.delete(key);
    }
  }
}

/**
 * The client's address as Cloudflare gives it, IPv6 by its /64 (one subscriber's network holds
 * all of it); requests without one (wrangler dev, tests) share one bucket.
 */
export function clientKey(request: Request): string {
  const ip = request.headers.get('CF-Connecting-IP');
  if (!ip) return 'local';
  if (!ip.includes(':')) return ip;
  const [head, tail] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
