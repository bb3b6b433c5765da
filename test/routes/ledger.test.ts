// The isolate's ledger (src/delivery/ledger.ts): concurrent renders together stay within the isolate's
// budget; a render that finds no room within LEDGER_WAIT_MS is a 503 with Retry-After, never an
// out-of-memory. Own file: a fresh isolate, so its WASM memory is this file's high-water.
import { beforeAll, describe, expect, it } from 'vitest';
import { isolateLedger, LEDGER_BYTES, RETRY_AFTER_S } from '../../src/delivery/ledger';
import { exports } from 'cloudflare:workers';
import { MAX_UPLOAD_BYTES } from '../../src/routes/upload';
import { CLOUD, fixture, get, signedForm, upload, wasmMemory } from './worker';

const base = `/${CLOUD}/image/upload`;
let version = 1;
const fresh = () => `v${version++}`; // a new derived image each time: a render, never a cache hit

beforeAll(async () => {
  await upload('ledger/medium', await fixture('medium.jpg')); // 640x427
  await upload('ledger/badge', await fixture('rgb.png')); // over the 64 KB a layer's header read takes: its body is read at render time
});

describe('isolate ledger', () => {
  it('a render that finds the ledger full waits, then is a 503 with Retry-After; once released it is served', async () => {
    const release = await isolateLedger.reserve({ bytes: LEDGER_BYTES, work: 0 });
    let res: Response;
    try {
      res = await get(`${base}/w_300/${fresh()}/ledger/medium.jpg`);
    } finally {
      release();
    }
    expect(res.status).toBe(503);
    expect(res.headers.get('Retry-After')).toBe(String(RETRY_AFTER_S));
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    expect(res.headers.get('X-Cld-Error')).toMatch(
      /^Server busy: the renders in progress hold 100 MB .*; this one needs \d+ MB and \d\.\d s\. Retry after 2 s$/,
    );
    await res.arrayBuffer();
    expect(isolateLedger.waiting).toBe(0);
    const again = await get(`${base}/w_300/${fresh()}/ledger/medium.jpg`);
    expect(again.status).toBe(200);
    await again.arrayBuffer();
    expect(isolateLedger.bytes).toBe(0);
  });

  it('with part of the ledger held by a render in flight, concurrent renders that fit beside it are 200 and those that do not are 503', async () => {
    // As a render awaiting its codec's first instantiation holds its reservation: the room left is 30 MB.
    const release = await isolateLedger.reserve({ bytes: LEDGER_BYTES - 30 * 2 ** 20, work: 0 });
    try {
      const small = await Promise.all(Array.from({ length: 6 }, () => get(`${base}/w_100/${fresh()}/ledger/medium.jpg`)));
      // 1408x939 AVIF: ~60 MB estimated each (cost.ts): none fits in the 30 MB left, and 6 of them add up to several ledgers.
      const big = await Promise.all(Array.from({ length: 6 }, () => get(`${base}/w_2.2/${fresh()}/ledger/medium.avif`)));
      for (const r of small) expect(r.status, r.headers.get('X-Cld-Error') ?? '').toBe(200);
      for (const r of big) {
        expect(r.status).toBe(503);
        expect(r.headers.get('Retry-After')).toBe(String(RETRY_AFTER_S));
        expect(r.headers.get('X-Cld-Error')).toMatch(/^Server busy: .* this one needs (5\d|6\d) MB/);
      }
      await Promise.all([...small, ...big].map((r) => r.arrayBuffer()));
    } finally {
      release();
    }
    expect(isolateLedger.waiting).toBe(0);
  });

  it('12 concurrent AVIF renders from a cold encoder (the burst of issue #11): each is 200 or 503 with Retry-After, the reservations never exceed the ledger, nor the WASM memory the budget', async () => {
    isolateLedger.resetHighWater();
    const results = await Promise.all(
      Array.from({ length: 12 }, async () => {
        const res = await get(`${base}/w_2.2/${fresh()}/ledger/medium.avif`);
        await res.arrayBuffer();
        return res;
      }),
    );
    const statuses = results.map((r) => r.status);
    const wasm = (await wasmMemory()).total;
    console.log(
      'statuses',
      statuses.join(' '),
      `ledger high-water ${(isolateLedger.highWater.bytes / 2 ** 20).toFixed(1)} MB`,
      `wasm ${(wasm / 2 ** 20).toFixed(1)} MB`,
    );
    for (const r of results) {
      expect([200, 503]).toContain(r.status);
      if (r.status === 503) expect(r.headers.get('Retry-After')).toBe(String(RETRY_AFTER_S));
      else expect(r.headers.get('Content-Type')).toBe('image/avif');
    }
    expect(statuses).toContain(200);
    // One ~60 MB render at a time: never two of them together.
    expect(isolateLedger.highWater.bytes).toBeGreaterThan(40 * 2 ** 20);
    expect(isolateLedger.highWater.bytes).toBeLessThanOrEqual(LEDGER_BYTES);
    expect(isolateLedger.bytes).toBe(0);
    expect(wasm).toBeLessThanOrEqual(LEDGER_BYTES);
  });

  it('renders that overlap (a layer body is read from R2 in the middle of a render) wait for each other instead of adding up', async () => {
    isolateLedger.resetHighWater();
    // ~60 MB estimated each: no two fit together.
    const results = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const res = await get(`${base}/w_3.0/l_ledger:badge,w_200/fl_layer_apply,g_south_east/${fresh()}/ledger/medium.png`);
        await res.arrayBuffer();
        return res;
      }),
    );
    console.log(
      'layered',
      results.map((r) => r.status).join(' '),
      `queued ${isolateLedger.queued}`,
      `high-water ${(isolateLedger.highWater.bytes / 2 ** 20).toFixed(1)} MB`,
    );
    for (const r of results) expect([200, 503]).toContain(r.status);
    expect(results.map((r) => r.status)).toContain(200);
    expect(isolateLedger.queued).toBeGreaterThan(0);
    expect(isolateLedger.highWater.bytes).toBeLessThanOrEqual(LEDGER_BYTES);
    expect(isolateLedger.bytes).toBe(0);
  });

  it('an upload reserves its body: its Content-Length, or the whole cap when it is chunked', async () => {
    // 30 MB left: a small upload with a Content-Length fits, a chunked one (it may grow to the 40 MB cap) waits, then is a 503.
    const release = await isolateLedger.reserve({ bytes: LEDGER_BYTES - 30 * 2 ** 20, work: 0 });
    try {
      const form = await signedForm({ public_id: 'ledger/sized' }, await fixture('small.jpg'));
      const sized = await exports.default.fetch(new Request(`http://localhost/v1_1/${CLOUD}/image/upload`, { method: 'POST', body: form }));
      expect(sized.status, await sized.clone().text()).toBe(200);
      await sized.arrayBuffer();
      const bytes = new Uint8Array(await new Response(await signedForm({ public_id: 'ledger/chunked' }, await fixture('small.jpg'))).arrayBuffer());
      const type = new Response(await signedForm({}, new Uint8Array(1))).headers.get('Content-Type');
      let pulled = 0;
      const body = new ReadableStream({
        pull(c) {
          if (pulled >= bytes.length) return c.close();
          c.enqueue(bytes.subarray(pulled, pulled + 4096));
          pulled += 4096;
        },
      });
      const chunked = await exports.default.fetch(
        new Request(`http://localhost/v1_1/${CLOUD}/image/upload`, { method: 'POST', body, headers: { 'Content-Type': type! } }),
      );
      expect(chunked.status).toBe(503);
      expect(chunked.headers.get('Retry-After')).toBe(String(RETRY_AFTER_S));
      expect(((await chunked.json()) as { error: { message: string } }).error.message).toMatch(/needs 40 MB/);
      expect(MAX_UPLOAD_BYTES).toBe(40 * 2 ** 20);
    } finally {
      release();
    }
    expect(isolateLedger.bytes).toBe(0);
  });
});
