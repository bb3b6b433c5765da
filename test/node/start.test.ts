// The README's main command, as a user runs it: `npm start` in a pristine copy of the repository
// (the files git tracks or would add, no .dev.vars, no .wrangler/), on a free port. Every URL it
// prints and every example URL in the README answers as it claims; stopping it leaves no process.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join } from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '../..');
const CONTENT_TYPES: Record<string, string> = { jpg: 'image/jpeg', png: 'image/png', webp: 'image/webp', avif: 'image/avif', gif: 'image/gif' };
const SHARP_FORMATS: Record<string, string> = { jpg: 'jpeg', png: 'png', webp: 'webp', avif: 'heif', gif: 'gif' };
/** An example URL line: the URL, then optionally what it answers with, e.g. `[300x300 jpg]`. */
const EXAMPLE = /(http:\/\/127\.0\.0\.1:\d+\/[^\s)`'"<>]*)(?:\s+\[(\d+)x(\d+) (\w+)\])?/g;

interface Example {
  url: string;
  width?: number;
  height?: number;
  format?: string;
}

/** A copy of the working tree as `git clone` would give it, with the installed node_modules beside it. */
function pristineCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dprox-start-'));
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repo, encoding: 'utf8' })
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    try {
      cpSync(join(repo, file), join(dir, file));
    } catch {
      // Deleted in the working tree but still in the index: a clone would not have it either.
    }
  }
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Every process whose working directory is inside dir: npm, the script, wrangler, workerd. */
function processesIn(dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      if (cwd === dir || cwd.startsWith(`${dir}/`)) found.push(`${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').slice(0, 120)}`);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function npmStart(dir: string, port: number): Started {
  let output = '';
  const child = spawn('npm', ['start'], { cwd: dir, env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitFor(started: Started, text: string, ms = 90_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!started.output().includes(text)) {
    if (started.child.exitCode !== null) throw new Error(`npm start exited (${started.child.exitCode}) before printing "${text}":\n${started.output()}`);
    if (Date.now() > deadline) throw new Error(`npm start did not print "${text}" within ${ms} ms:\n${started.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)));
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function examplesIn(text: string, port: number): Example[] {
  const seen = new Map<string, Example>();
  for (const m of text.matchAll(EXAMPLE)) {
    const url = m[1].replace(/^http:\/\/127\.0\.0\.1:\d+/, `http://127.0.0.1:${port}`).replace(/[.,;:]+$/, '');
    const claim = m[2] ? { width: Number(m[2]), height: Number(m[3]), format: m[4] } : {};
    seen.set(url, { ...seen.get(url), url, ...claim });
  }
  return [...seen.values()];
}

/** Fetches an example; AI results answer 423 while their job runs, so those are polled. */
async function check(example: Example): Promise<void> {
  const deadline = Date.now() + 120_000;
  let res = await fetch(example.url);
  while (res.status === 423 && Date.now() < deadline) {
    await res.arrayBuffer();
    await new Promise((r) => setTimeout(r, 500));
    res = await fetch(example.url);
  }
  const body = Buffer.from(await res.arrayBuffer());
  expect(res.status, `${example.url}: ${res.headers.get('X-Cld-Error')}`).toBe(200);
  if (!example.format) return;
  expect(res.headers.get('Content-Type'), example.url).toBe(CONTENT_TYPES[example.format]);
  const meta = await sharp(body).metadata();
  expect({ url: example.url, size: `${meta.width}x${meta.height}`, format: meta.format }).toEqual({
    url: example.url,
    size: `${example.width}x${example.height}`,
    format: SHARP_FORMATS[example.format],
  });
}

async function stop(started: Started, dir: string, port: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  started.child.kill(signal);
  await within(started.exited, 20_000, `npm start after ${signal}`);
  // workerd may take a moment after its parent to let go of the port.
  const deadline = Date.now() + 10_000;
  while ((processesIn(dir).length || !(await portIsFree(port))) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  expect(processesIn(dir), 'processes left behind').toEqual([]);
  expect(await portIsFree(port), `port ${port} still in use`).toBe(true);
}

function samplePublicIds(dir: string): string[] {
  const files = readdirSync(join(dir, 'samples')).filter((f) => /\.(png|jpe?g|webp|gif)$/i.test(f));
  const aliases = [...readFileSync(join(dir, 'scripts/dev.mjs'), 'utf8').matchAll(/ALIASES = \{([^}]*)\}/g)].flatMap((m) =>
    [...m[1].matchAll(/(\w+):/g)].map((a) => a[1]),
  );
  return [...files.map((f) => basename(f, extname(f))), ...aliases].sort();
}

describe('npm start from a pristine copy', () => {
  let dir: string;
  let port: number;
  const running: Started[] = [];

  beforeAll(async () => {
    dir = pristineCopy();
    port = await freePort();
  });
  // A failed test must not leave its server behind for the next one.
  afterEach(async () => {
    for (const s of running.splice(0)) {
      if (s.child.exitCode === null && s.child.signalCode === null) {
        s.child.kill('SIGTERM');
        await within(s.exited, 20_000, 'npm start after SIGTERM').catch(() => s.child.kill('SIGKILL'));
      }
    }
    const deadline = Date.now() + 10_000;
    while ((processesIn(dir).length || !(await portIsFree(port))) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    for (const line of processesIn(dir)) process.kill(Number(line.split(' ')[0]), 'SIGKILL');
  });
  afterAll(() => {
    for (const s of running) if (s.child.exitCode === null) s.child.kill('SIGKILL');
    for (const line of processesIn(dir ?? '/nonexistent')) process.kill(Number(line.split(' ')[0]), 'SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('serves every URL it prints and every README example as claimed, lists the samples on the demo page, and SIGTERM stops everything', async () => {
    const started = npmStart(dir, port);
    running.push(started);
    await waitFor(started, 'Stop with Ctrl-C.');
    const printed = examplesIn(started.output(), port);
    const readme = examplesIn(readFileSync(join(dir, 'README.md'), 'utf8'), port);
    // The script prints the demo page, the plain examples, the docs' DPR example at 1/2/3 and two signed AI URLs.
    expect(printed.length).toBeGreaterThanOrEqual(13);
    expect(printed.filter((e) => /\/dpr_[123]\.0\//.test(e.url)).map((e) => e.width)).toEqual([100, 200, 300]);
    expect(printed.filter((e) => /\/s--[\w-]{8}--\/.*e_(upscale|gen_restore)/.test(e.url))).toHaveLength(2);
    expect(readme.filter((e) => e.format).length).toBeGreaterThanOrEqual(3);
    for (const example of [...printed, ...readme]) await check(example);

    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(page.headers.get('Content-Type')).toMatch(/^text\/html/);
    const gallery = (await (await fetch(`http://127.0.0.1:${port}/_dprox/demo/images`)).json()) as { images: { public_id: string }[] };
    expect(gallery.images.map((i) => i.public_id)).toEqual(expect.arrayContaining(samplePublicIds(dir)));
    await stop(started, dir, port);
    expect(started.output()).not.toContain('Your types might be out of date');
  });

  it('a second start finds the seeded samples and starts cleanly; SIGKILL of the script still stops wrangler', async () => {
    const started = npmStart(dir, port);
    running.push(started);
    await waitFor(started, 'Stop with Ctrl-C.');
    expect(started.output()).not.toMatch(/^seeded /m);
    expect(started.output()).toMatch(/already in local R2/);
    await check(examplesIn(started.output(), port).find((e) => e.url.includes('astronaut.jpg'))!);
    // The script itself, killed without a chance to clean up: its guard ends wrangler's process group.
    const script = processesIn(dir).find((p) => p.includes('scripts/dev.mjs'))!;
    expect(script).toBeDefined();
    process.kill(Number(script.split(' ')[0]), 'SIGKILL');
    await stop(started, dir, port, 'SIGTERM');
  });

  it('a port already in use is one clear line and a non-zero exit', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', () => r()));
    try {
      const started = npmStart(dir, port);
      running.push(started);
      const code = await within(started.exited, 30_000, 'npm start on a busy port');
      expect(code).not.toBe(0);
      expect(started.output()).toMatch(new RegExp(`^dprox: port ${port} on 127\\.0\\.0\\.1 is already in use`, 'm'));
      expect(processesIn(dir)).toEqual([]);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it('a sample that cannot be seeded is one clear line, a non-zero exit and no process left', async () => {
    writeFileSync(join(dir, 'samples', 'broken.png'), 'not an image');
    try {
      const started = npmStart(dir, port);
      running.push(started);
      const code = await within(started.exited, 90_000, 'npm start with a broken sample');
      expect(code).not.toBe(0);
      expect(started.output()).toMatch(/^dprox: seeding the samples failed: upload broken: 400/m);
      await stop(started, dir, port);
    } finally {
      rmSync(join(dir, 'samples', 'broken.png'));
    }
  });
});
