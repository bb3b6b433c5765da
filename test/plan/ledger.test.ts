// The ledger's rules, on a private instance with a short wait (no Worker, no pixels).
import { describe, expect, it } from 'vitest';
import { Ledger } from '../../src/delivery/ledger';
import { CldError } from '../../src/url/errors';

const MB = 2 ** 20;
const make = (waitMs = 200) => new Ledger({ bytes: 100 * MB, work: 4e9 }, waitMs);

describe('Ledger', () => {
  it('admits what fits at once and counts it until released (twice is harmless)', async () => {
    const l = make();
    const a = await l.reserve({ bytes: 60 * MB, work: 1e9 });
    const b = await l.reserve({ bytes: 40 * MB, work: 3e9 });
    expect([l.bytes, l.work]).toEqual([100 * MB, 4e9]);
    a();
    a();
    b();
    expect([l.bytes, l.work]).toEqual([0, 0]);
    expect(l.highWater).toEqual({ bytes: 100 * MB, work: 4e9 });
  });

  it('a reservation that does not fit waits for a release, first come first served', async () => {
    const l = make(2000);
    const held = await l.reserve({ bytes: 80 * MB, work: 0 });
    const order: string[] = [];
    const big = l.reserve({ bytes: 50 * MB, work: 0 }).then((r) => {
      order.push('big');
      return r;
    });
    // Fits beside the held 80 MB, but arrives after `big`: it does not overtake it.
    const small = l.reserve({ bytes: 10 * MB, work: 0 }).then((r) => {
      order.push('small');
      return r;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(order).toEqual([]);
    expect(l.waiting).toBe(2);
    held();
    const [releaseBig, releaseSmall] = await Promise.all([big, small]);
    expect(order).toEqual(['big', 'small']);
    expect(l.bytes).toBe(60 * MB);
    releaseBig();
    releaseSmall();
    expect(l.waiting).toBe(0);
  });

  it('work counts like bytes', async () => {
    const l = make(50);
    const held = await l.reserve({ bytes: 0, work: 3e9 });
    await expect(l.reserve({ bytes: 0, work: 2e9 })).rejects.toThrow(/^Server busy/);
    held();
  });

  it('after the wait it is a 503 with Retry-After, and leaves the queue', async () => {
    const l = make(50);
    const held = await l.reserve({ bytes: 100 * MB, work: 0 });
    const e = await l.reserve({ bytes: 1 * MB, work: 0 }).catch((x) => x);
    expect(e).toBeInstanceOf(CldError);
    expect(e.status).toBe(503);
    expect(e.headers).toMatchObject({ 'Retry-After': '2', 'Cache-Control': 'no-store' });
    expect(e.message).toBe(
      "Server busy: the renders in progress hold 100 MB and 0.0 s of the isolate's 100 MB and 4.0 s; this one needs 1 MB and 0.0 s. Retry after 2 s",
    );
    expect(l.waiting).toBe(0);
    held();
    expect(l.bytes).toBe(0);
  });

  it('NaN or more than the capacity counts as the whole capacity, so it can still run alone', async () => {
    const l = make(50);
    const a = await l.reserve({ bytes: NaN, work: Infinity });
    expect([l.bytes, l.work]).toEqual([100 * MB, 4e9]);
    await expect(l.reserve({ bytes: 1, work: 0 })).rejects.toThrow(/^Server busy/);
    a();
    const b = await l.reserve({ bytes: 500 * MB, work: 0 });
    expect(l.bytes).toBe(100 * MB);
    b();
  });

  it('what a waiting request already holds (its original) counts while it waits, and is given back however it ends', async () => {
    const l = make(100);
    const first = await l.reserve({ bytes: 70 * MB, work: 0 }, 10 * MB);
    expect(l.bytes).toBe(70 * MB); // admitted at once: its original is part of its 70 MB
    const waiting = l.reserve({ bytes: 50 * MB, work: 0 }, 20 * MB);
    await new Promise((r) => setTimeout(r, 20));
    expect(l.bytes).toBe(90 * MB);
    first();
    const release = await waiting;
    expect(l.bytes).toBe(50 * MB);
    release();
    expect(l.bytes).toBe(0);
    const held = await l.reserve({ bytes: 90 * MB, work: 0 });
    await expect(l.reserve({ bytes: 20 * MB, work: 0 }, 5 * MB)).rejects.toThrow(/^Server busy: the renders in progress hold 90 MB/);
    expect(l.bytes).toBe(90 * MB);
    held();
    expect(l.bytes).toBe(0);
  });
});
