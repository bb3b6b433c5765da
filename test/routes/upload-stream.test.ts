// Upload bodies are parsed as they stream: credentials sent before the file are checked before it
// is read, the file and the body are capped while they arrive, and of a refused body at most
// DRAIN_BYTES more are read and dropped (so that a small one keeps its keep-alive connection).
import { env } from 'cloudflare:workers';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { DRAIN_BYTES, DRAIN_MS } from '../../src/routes/multipart';
import { MAX_UPLOAD_BYTES } from '../../src/routes/upload';
import { apiSignature } from '../../src/url/signature';
import { CLOUD, fixture, image, SECRET } from './worker';

const endpoint = `http://localhost/v1_1/${CLOUD}/image/upload`;
const BOUNDARY = 'dproxTestBoundary7MA4YWxkTrZu0gW';
const MiB = 1024 * 1024;
const enc = new TextEncoder();

function field(name: string, value: string): string {
  return `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
}
const fileHead = (filename = 'big.jpg') =>
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: image/jpeg\r\n\r\n`;
const closing = `\r\n--${BOUNDARY}--\r\n`;

/**
 * A chunked body (no Content-Length) that makes its bytes only when the Worker pulls them:
 * `before` and `after` around a file part of `fileBytes` bytes (`file` repeated, else 0xAB).
 */
function pulledBody(before: string, fileBytes: number, after: string, file?: Uint8Array, chunkBytes = 64 * 1024, stallAfterBefore = false) {
  const source = file ?? new Uint8Array(chunkBytes).fill(0xab);
  const pieces = function* () {
    yield enc.encode(before);
    for (let sent = 0; sent < fileBytes; ) {
      const n = Math.min(chunkBytes, fileBytes - sent, source.length - (sent % source.length));
      yield source.subarray(sent % source.length, (sent % source.length) + n);
      sent += n;
    }
    yield enc.encode(after);
  };
  const it = pieces();
  const counter = { pulled: 0, total: before.length + fileBytes + after.length };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (stallAfterBefore && counter.pulled > 0) return new Promise<void>(() => {}); // the client stops sending
        const next = it.next();
        if (next.done) return controller.close();
        counter.pulled += next.value.byteLength;
        controller.enqueue(next.value.slice());
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, counter };
}

async function post(body: ReadableStream<Uint8Array> | string, headers: Record<string, string> = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(endpoint, { method: 'POST', body, headers: { 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`, ...headers } }),
    env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

async function signedFields(params: Record<string, string>, secret = SECRET): Promise<string> {
  const all = { timestamp: String(Math.floor(Date.now() / 1000)), ...params };
  const signature = await apiSignature(all, secret);
  return Object.entries({ ...all, api_key: env.API_KEY, signature })
    .map(([k, v]) => field(k, v))
    .join('');
}

const errorOf = async (res: Response) => ((await res.json()) as { error: { message: string } }).error.message;

describe('streamed upload bodies', () => {
  it('no credentials and a 200 MB file part: refused once the cap is passed, the rest never pulled', async () => {
    const withHead = pulledBody(fileHead(), 200 * MiB, closing);
    const t0 = Date.now();
    const res = await post(withHead.stream);
    expect(res.status).toBe(413);
    expect(await errorOf(res)).toMatch(/File size too large/);
    console.log(`200 MB unauthenticated body: ${res.status} after ${Date.now() - t0} ms, ${(withHead.counter.pulled / MiB).toFixed(1)} MiB pulled`);
    // The file part is buffered at most up to the cap (credentials may follow it), never further;
    // then at most DRAIN_BYTES are read and dropped.
    expect(withHead.counter.pulled).toBeLessThan(MAX_UPLOAD_BYTES + DRAIN_BYTES + MiB);
    expect(withHead.counter.pulled).toBeLessThan(withHead.counter.total / 4);
  });

  it('a wrong signature sent before the file is a 401 before the file is read', async () => {
    const { stream, counter } = pulledBody((await signedFields({ public_id: 'stream/never' }, 'wrong-secret')) + fileHead(), 200 * MiB, closing);
    const res = await post(stream);
    expect(res.status).toBe(401);
    expect(await errorOf(res)).toMatch(/Invalid Signature/);
    expect(counter.pulled).toBeLessThan(DRAIN_BYTES + MiB);
  });

  it('a wrong signature sent before the file is decided with no file byte: a client that stalls there still gets its 401', async () => {
    const { stream, counter } = pulledBody(
      (await signedFields({ public_id: 'stream/stalled' }, 'wrong-secret')) + fileHead(),
      200 * MiB,
      closing,
      undefined,
      64 * 1024,
      true,
    );
    const t0 = Date.now();
    const res = await post(stream);
    expect(res.status).toBe(401);
    expect(Date.now() - t0).toBeLessThan(DRAIN_MS + 2000);
    expect(counter.pulled).toBeLessThan(4096); // the fields and the file part's headers only
  });

  it('fields without credentials before the file: buffered to the cap at most, then refused', async () => {
    const { stream, counter } = pulledBody(field('public_id', 'stream/anon') + fileHead(), 200 * MiB, closing);
    const res = await post(stream);
    expect(res.status).toBe(413);
    expect(counter.pulled).toBeLessThan(MAX_UPLOAD_BYTES + DRAIN_BYTES + MiB);
  });

  it('the unsigned preset, then a file over the cap: 413 as soon as the cap is passed', async () => {
    const { stream, counter } = pulledBody(field('upload_preset', 'browser_uploads') + fileHead(), MAX_UPLOAD_BYTES + 10 * MiB, closing);
    const res = await post(stream);
    expect(res.status).toBe(413);
    expect(counter.pulled).toBeLessThan(MAX_UPLOAD_BYTES + DRAIN_BYTES + MiB);
  });

  it('a Content-Length over the body cap is a 413 before anything is read', async () => {
    const { stream, counter } = pulledBody((await signedFields({ public_id: 'stream/cl' })) + fileHead(), 100 * MiB, closing);
    const res = await post(stream, { 'Content-Length': String(100 * MiB) });
    expect(res.status).toBe(413);
    expect(counter.pulled).toBeLessThan(DRAIN_BYTES + MiB);
  });

  it('a signed chunked upload in 7-byte pieces (boundaries split across chunks) is stored byte for byte', async () => {
    const jpg = await fixture('small.jpg');
    const { stream } = pulledBody((await signedFields({ public_id: 'stream/pieces' })) + fileHead('pieces.jpg'), jpg.length, closing, jpg, 7);
    const res = await post(stream);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ public_id: 'stream/pieces', bytes: jpg.length, width: 200, original_filename: 'pieces' });
    const stored = new Uint8Array(await (await env.IMAGES.get(`original/${CLOUD}/upload/stream/pieces`))!.arrayBuffer());
    expect(stored).toEqual(jpg);
  });

  it('a 30 MB chunked upload is stored from the pieces it arrived in, byte for byte', async () => {
    // A JPEG followed by 30 MB of padding after its end: its header is read from the first bytes.
    const jpg = await fixture('small.jpg');
    const padded = new Uint8Array(jpg.length + 30 * MiB);
    padded.set(jpg);
    for (let i = jpg.length; i < padded.length; i++) padded[i] = i & 0xff;
    const { stream } = pulledBody((await signedFields({ public_id: 'stream/padded' })) + fileHead('padded.jpg'), padded.length, closing, padded);
    const res = await post(stream);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ public_id: 'stream/padded', bytes: padded.length, width: 200, height: 303, format: 'jpg' });
    const stored = new Uint8Array(await (await env.IMAGES.get(`original/${CLOUD}/upload/stream/padded`))!.arrayBuffer());
    expect(stored.length).toBe(padded.length);
    const sha = async (b: Uint8Array) => new Uint8Array(await crypto.subtle.digest('SHA-256', b));
    expect(await sha(stored)).toEqual(await sha(padded));
  });

  it('fields after the file: buffered (within the cap), then authenticated with every field', async () => {
    const jpg = await fixture('small.jpg');
    const body = async (secret: string) => {
      const fields = enc.encode(`\r\n${await signedFields({ public_id: 'stream/file-first' }, secret)}--${BOUNDARY}--\r\n`);
      const head = enc.encode(fileHead());
      const all = new Uint8Array(head.length + jpg.length + fields.length);
      all.set(head);
      all.set(jpg, head.length);
      all.set(fields, head.length + jpg.length);
      return all;
    };
    const refused = await post(new Blob([await body('wrong-secret')]).stream());
    expect(refused.status).toBe(401);
    expect(await env.IMAGES.head(`original/${CLOUD}/upload/stream/file-first`)).toBeNull();
    const res = await post(new Blob([await body(SECRET)]).stream());
    expect(res.status).toBe(200);
    expect(new Uint8Array(await (await env.IMAGES.get(`original/${CLOUD}/upload/stream/file-first`))!.arrayBuffer())).toEqual(jpg);
  });

  it('urlencoded bodies with a base64 data URI file', async () => {
    const png = await fixture('alpha.png');
    let binary = '';
    for (const b of png) binary += String.fromCharCode(b);
    const all = { timestamp: String(Math.floor(Date.now() / 1000)), public_id: 'stream/urlencoded' };
    const body = new URLSearchParams({
      ...all,
      api_key: env.API_KEY,
      signature: await apiSignature(all, SECRET),
      file: `data:image/png;base64,${btoa(binary)}`,
    });
    const res = await post(body.toString(), { 'Content-Type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ public_id: 'stream/urlencoded', format: 'png', width: 256, bytes: png.length });
    expect((await image(`/${CLOUD}/image/upload/stream/urlencoded.png`)).bytes).toEqual(png);
  });
});
