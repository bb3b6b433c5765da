// vitest globalSetup (runs in Node, not in workerd): a real HTTP origin on 127.0.0.1 and a random
// port for the remote fetcher's tests. Tests read its base URL with inject('remoteOrigin'); the
// workers' outboundService in vitest.config.ts forwards requests for its host (and for the alias
// host ORIGIN_ALIAS on the same port) here, everything else keeps going to the notifications sink.
//
// Endpoints (GET):
//   /img/<fixture>[?type=<content-type>|none]  a file of test/.fixtures with ETag and Last-Modified, 304 on a match
//   /redirect/<n>/<path>                       n hops of 302 through itself, then <path>
//   /to?l=<location>[&status=<3xx>]            one redirect to any Location
//   /status/<code>                             an empty answer with that status
//   /html, /text-as-image, /svg                 bodies that are not raster images
//   /slow-headers                              no answer for 3 s
//   /slow-body                                 a PNG's first bytes, then nothing for 3 s
//   /endless                                   image/png without Content-Length, 8 MB of it (endless for the caps tested)
//   /huge-length                               Content-Length: 10 GB, a few bytes, then nothing
//   /short-body                                Content-Length: 100000, 1000 bytes sent, connection closed
//   /mutable/<id>                              a fixture chosen by /set/<id>?fixture=<name> (medium.jpg until then), as /img/
//   /set/<id>?fixture=<name>                   changes what /mutable/<id> serves
//   /hits?p=<path>                             {"total", "conditional", "notModified"}: the requests for <path> so far (/hits and /set not counted)
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** http://127.0.0.1:<port> of the test origin. */
    remoteOrigin: string;
  }
}

/** A host name the outboundService maps onto the test origin: shows an allowlisted name being fetched. */
export const ORIGIN_ALIAS = 'origin.test';
/** The environment variable through which vitest.config.ts's outboundService learns the origin's port. */
export const ORIGIN_PORT_ENV = 'DPROX_TEST_ORIGIN_PORT';

const fixtureDir = join(import.meta.dirname, '../.fixtures');
const LAST_MODIFIED = 'Wed, 01 Jan 2025 00:00:00 GMT';
const TYPES: Record<string, string> = { jpg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif', avif: 'image/avif', txt: 'text/plain' };
/** How long the slow endpoints hold on (past every test's deadline, short enough not to linger). */
const HOLD_MS = 3_000;

const sockets = new Set<import('node:net').Socket>();

const hits = new Map<string, { total: number; conditional: number; notModified: number }>();
const mutable = new Map<string, string>();

/** A fixture with ETag and Last-Modified (the same for every fixture: a changed file is told by its ETag), 304 on a match. */
async function serveFixture(req: IncomingMessage, res: ServerResponse, url: URL, name: string): Promise<void> {
  let body: Buffer;
  try {
    body = await readFile(join(fixtureDir, name));
  } catch {
    res.writeHead(404).end('no such fixture');
    return;
  }
  const etag = `"${createHash('sha1').update(body).digest('hex')}"`;
  const headers: Record<string, string> = { ETag: etag, 'Last-Modified': LAST_MODIFIED };
  const type = url.searchParams.get('type') ?? TYPES[name.split('.').pop() ?? ''] ?? 'application/octet-stream';
  if (type !== 'none') headers['Content-Type'] = type;
  const inm = req.headers['if-none-match'];
  const ims = req.headers['if-modified-since'];
  if ((inm && inm === etag) || (!inm && ims && Date.parse(ims) >= Date.parse(LAST_MODIFIED))) {
    const count = hits.get(url.pathname + url.search);
    if (count) count.notModified++;
    res.writeHead(304, headers).end();
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Length': String(body.length) }).end(body);
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://origin');
  const path = url.pathname;
  let m: RegExpMatchArray | null;
  if (path === '/hits') {
    res
      .writeHead(200, { 'Content-Type': 'application/json' })
      .end(JSON.stringify(hits.get(url.searchParams.get('p') ?? '') ?? { total: 0, conditional: 0, notModified: 0 }));
    return;
  }
  if ((m = path.match(/^\/set\/([\w.-]+)$/))) {
    mutable.set(m[1], url.searchParams.get('fixture') ?? 'medium.jpg');
    res.writeHead(200).end('ok');
    return;
  }
  const count = hits.get(path + url.search) ?? { total: 0, conditional: 0, notModified: 0 };
  hits.set(path + url.search, count);
  count.total++;
  if (req.headers['if-none-match'] || req.headers['if-modified-since']) count.conditional++;
  if ((m = path.match(/^\/img\/([\w.-]+)$/))) {
    await serveFixture(req, res, url, m[1]);
  } else if ((m = path.match(/^\/mutable\/([\w.-]+)$/))) {
    await serveFixture(req, res, url, mutable.get(m[1]) ?? 'medium.jpg');
  } else if ((m = path.match(/^\/redirect\/(\d+)(\/.*)$/))) {
    const n = Number(m[1]);
    res.writeHead(302, { Location: n > 1 ? `/redirect/${n - 1}${m[2]}` : m[2] }).end();
  } else if (path === '/to') {
    res.writeHead(Number(url.searchParams.get('status') ?? 302), { Location: url.searchParams.get('l') ?? '/' }).end();
  } else if ((m = path.match(/^\/status\/(\d{3})$/))) {
    res.writeHead(Number(m[1]), { 'Content-Type': 'text/plain' }).end();
  } else if (path === '/html') {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end('<!doctype html><title>not an image</title>');
  } else if (path === '/text-as-image') {
    res.writeHead(200, { 'Content-Type': 'image/png' }).end('this is plain text, whatever the header says');
  } else if (path === '/svg') {
    res.writeHead(200, { 'Content-Type': 'image/svg+xml' }).end('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
  } else if (path === '/slow-headers') {
    setTimeout(() => res.writeHead(200, { 'Content-Type': 'image/png' }).end(), HOLD_MS).unref();
  } else if (path === '/slow-body') {
    res.writeHead(200, { 'Content-Type': 'image/png' });
    res.write((await readFile(join(fixtureDir, 'alpha.png'))).subarray(0, 64));
    setTimeout(() => res.end(), HOLD_MS).unref();
  } else if (path === '/huge-length') {
    res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': String(10 * 1024 ** 3) });
    res.write((await readFile(join(fixtureDir, 'alpha.png'))).subarray(0, 64));
    setTimeout(() => res.destroy(), HOLD_MS).unref();
  } else if (path === '/short-body') {
    // Written on the socket: Node's own response object refuses to send less than it declared.
    const png = (await readFile(join(fixtureDir, 'alpha.png'))).subarray(0, 1000);
    res.socket?.end(Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n'), png]));
  } else if (path === '/endless') {
    res.writeHead(200, { 'Content-Type': 'image/png' });
    res.write(await readFile(join(fixtureDir, 'alpha.png')));
    const chunk = Buffer.alloc(64 * 1024);
    let left = 128; // 8 MB: a bound, so that a body nobody reads any more does not stream forever
    const pump = () => {
      while (left-- > 0) if (!res.write(chunk)) return void res.once('drain', pump);
      res.end();
    };
    res.on('close', () => (left = 0));
    pump();
  } else {
    res.writeHead(404).end('unknown test origin path');
  }
}

let server: Server | undefined;

export async function setup(project: TestProject): Promise<void> {
  server = createServer((req, res) => {
    handle(req, res).catch((e) => res.destroy(e));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  process.env[ORIGIN_PORT_ENV] = String(port);
  project.provide('remoteOrigin', `http://127.0.0.1:${port}`);
}

export async function teardown(): Promise<void> {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
}
