/**
 * Streaming form bodies (multipart/form-data and application/x-www-form-urlencoded) for the upload
 * API. `request.formData()` reads the whole body before the handler sees a single field, so a
 * client without credentials could make the isolate hold any amount. Here each part is handed to a
 * sink as its bytes arrive: the caller decides per part (for the file part: after authenticating
 * with the fields sent before it) and every sink has its own cap, the body as a whole another one,
 * counted on the bytes pulled (chunked bodies have no Content-Length). A cap that is passed is a
 * 413 at once, and nothing more is buffered. The answer is decided without reading further, but a
 * body that is not read to its end breaks the client's HTTP/1.1 keep-alive connection (the SDKs
 * keep them; local workerd behind wrangler then answers 503 to the next request), and draining it
 * after the response does not help: so before answering, up to DRAIN_BYTES more (for DRAIN_MS at
 * most) are pulled and dropped, then the stream is cancelled. A small refused upload thus keeps
 * its connection; a large one is cut off.
 */
import { CldError } from '../errors';

export interface PartInfo {
  name: string;
  /** Present for multipart file parts (`filename="..."`, possibly empty). */
  filename?: string;
  contentType?: string;
}

/** Receives one part's bytes as they arrive; `write` may throw (a cap, a bad encoding) to stop the body. */
export interface Sink {
  write(chunk: Uint8Array): void;
  end(): void;
}

export interface FormLimits {
  /** All bytes of the body together. */
  maxBodyBytes: number;
  /** Parts (or urlencoded pairs) in all. */
  maxParts: number;
}

/** What is read and dropped of a refused body's rest (and of an epilogue), and for how long. */
export const DRAIN_BYTES = 8 * 1024 * 1024;
export const DRAIN_MS = 1000;

/** A part's headers, a field name, or the preamble: never legitimately large. */
const MAX_HEADER_BYTES = 16 * 1024;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export async function parseForm(request: Request, limits: FormLimits, onPart: (info: PartInfo) => Sink | Promise<Sink>): Promise<void> {
  const type = request.headers.get('Content-Type') ?? '';
  const multipart = /^\s*multipart\/form-data\s*(;|$)/i.test(type);
  if (!multipart && !/^\s*application\/x-www-form-urlencoded\s*(;|$)/i.test(type))
    throw new CldError(400, 'Expected a multipart/form-data or application/x-www-form-urlencoded body');
  const length = request.headers.get('Content-Length');
  if (length !== null && Number(length) > limits.maxBodyBytes)
    throw new CldError(413, `Request body too large: ${length} bytes, maximum is ${limits.maxBodyBytes}`);
  const source = new ByteSource(request.body, limits.maxBodyBytes);
  try {
    if (multipart) {
      const boundary = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(type);
      if (!boundary) throw new CldError(400, 'Malformed form body: multipart/form-data without a boundary');
      await parseMultipart(source, boundary[1] ?? boundary[2], limits, onPart);
    } else {
      await parseUrlencoded(source, limits, onPart);
    }
  } catch (e) {
    await source.drain();
    throw e;
  }
  // To the end of the stream (an epilogue, the chunked terminator): cancelling a body that was
  // read to its last delimiter still breaks the client's keep-alive connection.
  await source.drain();
}

/** A body refused before it was parsed (the isolate is busy): read and dropped as a refused form's rest is. */
export async function discardBody(request: Request): Promise<void> {
  await new ByteSource(request.body, Number.POSITIVE_INFINITY).drain();
}

/** The body's chunks, counted against the body cap as they are pulled. */
class ByteSource {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array> | null;
  private done = false;
  pulled = 0;

  constructor(
    body: ReadableStream<Uint8Array> | null,
    private readonly max: number,
  ) {
    this.reader = body ? body.getReader() : null;
    if (!body) this.done = true;
  }

  async next(): Promise<Uint8Array | null> {
    if (this.done || !this.reader) return null;
    const { done, value } = await this.reader.read();
    if (done) {
      this.done = true;
      return null;
    }
    this.pulled += value.byteLength;
    if (this.pulled > this.max) throw new CldError(413, `Request body too large: more than ${this.max} bytes`);
    return value;
  }

  /** Stops reading: whatever the client has not sent yet is never pulled. */
  async close(): Promise<void> {
    if (this.done || !this.reader) return;
    this.done = true;
    await this.reader.cancel().catch(() => undefined);
  }

  /** Reads and drops up to DRAIN_BYTES more (for DRAIN_MS at most), then stops. */
  async drain(): Promise<void> {
    if (this.done || !this.reader) return;
    const deadline = Date.now() + DRAIN_MS;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), DRAIN_MS)));
    try {
      for (let n = 0; n < DRAIN_BYTES && Date.now() < deadline; ) {
        const read = await Promise.race([this.reader.read(), late]);
        if (!read) break;
        if (read.done) {
          this.done = true;
          return;
        }
        n += read.value.byteLength;
        this.pulled += read.value.byteLength;
      }
    } catch {
      /* the client went away */
    } finally {
      clearTimeout(timer);
    }
    await this.close();
  }
}

async function parseMultipart(source: ByteSource, boundary: string, limits: FormLimits, onPart: (info: PartInfo) => Sink | Promise<Sink>): Promise<void> {
  // A leading CRLF makes the first delimiter look like every other one.
  const delimiter = encoder.encode(`\r\n--${boundary}`);
  const keep = delimiter.length - 1;
  let buf: Uint8Array = encoder.encode('\r\n');
  let pos = 0;
  let eof = false;
  const more = async (): Promise<boolean> => {
    if (eof) return false;
    const chunk = await source.next();
    if (!chunk) {
      eof = true;
      return false;
    }
    buf = pos >= buf.length ? chunk : concat(buf.subarray(pos), chunk);
    pos = 0;
    return true;
  };
  const malformed = (why: string) => new CldError(400, `Malformed form body: ${why}`);

  // Preamble, up to the first delimiter.
  for (;;) {
    const at = indexOf(buf, delimiter, pos);
    if (at >= 0) {
      pos = at + delimiter.length;
      break;
    }
    pos = Math.max(pos, buf.length - keep);
    if (buf.length > MAX_HEADER_BYTES) throw malformed('no boundary');
    if (!(await more())) throw malformed('no boundary');
  }

  let parts = 0;
  for (;;) {
    // After a delimiter: "--" ends the body, CRLF starts a part (transport padding is allowed before it).
    let lineEnd: number;
    while ((lineEnd = indexOf(buf, CRLF, pos)) < 0 && !(buf.length - pos >= 2 && buf[pos] === 45 && buf[pos + 1] === 45)) {
      if (buf.length - pos > 256) throw malformed('bad boundary line');
      if (!(await more())) throw malformed('unterminated body');
    }
    if (buf[pos] === 45 && buf[pos + 1] === 45) return;
    if (!/^[ \t]*$/.test(decoder.decode(buf.subarray(pos, lineEnd)))) throw malformed('bad boundary line');
    pos = lineEnd + 2;

    if (++parts > limits.maxParts) throw new CldError(413, `Too many form fields: more than ${limits.maxParts}`);
    let headersEnd: number;
    while ((headersEnd = indexOf(buf, CRLFCRLF, pos - 2)) < 0) {
      if (buf.length - pos > MAX_HEADER_BYTES) throw malformed('part headers too large');
      if (!(await more())) throw malformed('unterminated part headers');
    }
    const info = partInfo(headersEnd < pos ? '' : decoder.decode(buf.subarray(pos, headersEnd)));
    if (!info) throw malformed('a part without Content-Disposition: form-data; name=...');
    pos = Math.max(pos, headersEnd + 4);
    const sink = await onPart(info);

    for (;;) {
      const at = indexOf(buf, delimiter, pos);
      if (at >= 0) {
        if (at > pos) sink.write(buf.subarray(pos, at));
        sink.end();
        pos = at + delimiter.length;
        break;
      }
      const safe = buf.length - keep;
      if (safe > pos) {
        sink.write(buf.subarray(pos, safe));
        pos = safe;
      }
      if (!(await more())) throw malformed('unterminated part');
    }
  }
}

const CRLF = encoder.encode('\r\n');
const CRLFCRLF = encoder.encode('\r\n\r\n');

function partInfo(headers: string): PartInfo | null {
  let info: PartInfo | null = null;
  let contentType: string | undefined;
  for (const line of headers.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-type') contentType = value;
    if (name !== 'content-disposition' || !/^form-data\s*(;|$)/i.test(value)) continue;
    const param = (key: string) => {
      const m = new RegExp(`;\\s*${key}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]*))`, 'i').exec(value);
      return m ? (m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]) : undefined;
    };
    const fieldName = param('name');
    if (fieldName === undefined) return null;
    info = { name: fieldName };
    const filename = param('filename');
    if (filename !== undefined) info.filename = filename;
  }
  if (info && contentType) info.contentType = contentType;
  return info;
}

async function parseUrlencoded(source: ByteSource, limits: FormLimits, onPart: (info: PartInfo) => Sink | Promise<Sink>): Promise<void> {
  let name: number[] = [];
  let sink: Sink | null = null;
  let parts = 0;
  // A percent escape split across chunks: its bytes so far.
  let partialEscape = '';
  const value = new PercentDecoder();
  const startValue = async () => {
    if (++parts > limits.maxParts) throw new CldError(413, `Too many form fields: more than ${limits.maxParts}`);
    sink = await onPart({ name: percentDecode(name) });
    name = [];
  };
  for (let chunk = await source.next(); chunk; chunk = await source.next()) {
    let i = 0;
    while (i < chunk.length) {
      if (!sink) {
        const b = chunk[i++];
        if (b === 0x3d /* = */) await startValue();
        else if (b === 0x26 /* & */) {
          if (name.length) {
            await startValue();
            sink!.end();
            sink = null;
          }
        } else {
          name.push(b);
          if (name.length > MAX_HEADER_BYTES) throw new CldError(400, 'Malformed form body: field name too long');
        }
        continue;
      }
      const amp = chunk.indexOf(0x26, i);
      const end = amp < 0 ? chunk.length : amp;
      ({ escape: partialEscape } = value.feed(chunk.subarray(i, end), partialEscape, sink));
      i = end;
      if (amp >= 0) {
        if (partialEscape) throw new CldError(400, 'Malformed form body: bad percent-encoding');
        (sink as Sink).end();
        sink = null;
        i = amp + 1;
      }
    }
  }
  if (partialEscape) throw new CldError(400, 'Malformed form body: bad percent-encoding');
  if (!sink && name.length) await startValue();
  if (sink) (sink as Sink).end();
}

/** application/x-www-form-urlencoded value bytes: `+` is a space, `%XX` a byte. */
class PercentDecoder {
  feed(bytes: Uint8Array, pending: string, sink: Sink): { escape: string } {
    const out = new Uint8Array(bytes.length);
    let n = 0;
    let partialEscape = pending;
    for (const b of bytes) {
      if (partialEscape) {
        partialEscape += String.fromCharCode(b);
        if (partialEscape.length === 3) {
          const v = parseInt(partialEscape.slice(1), 16);
          if (!/^%[0-9a-f]{2}$/i.test(partialEscape)) throw new CldError(400, 'Malformed form body: bad percent-encoding');
          out[n++] = v;
          partialEscape = '';
        }
      } else if (b === 0x25) partialEscape = '%';
      else out[n++] = b === 0x2b ? 0x20 : b;
    }
    if (n) sink.write(out.subarray(0, n));
    return { escape: partialEscape };
  }
}

function percentDecode(bytes: number[]): string {
  const text = String.fromCharCode(...bytes).replace(/\+/g, ' ');
  try {
    return decodeURIComponent(text);
  } catch {
    throw new CldError(400, 'Malformed form body: bad percent-encoding');
  }
}

/** Collects a text field up to `max` bytes. */
export class TextSink implements Sink {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;

  constructor(
    private readonly name: string,
    private readonly max: number,
    private readonly done: (value: string) => void,
  ) {}

  write(chunk: Uint8Array): void {
    this.size += chunk.byteLength;
    if (this.size > this.max) throw new CldError(413, `Parameter ${this.name} is too large: more than ${this.max} bytes`);
    this.chunks.push(chunk.slice());
  }

  end(): void {
    this.done(decoder.decode(concat(...this.chunks)));
  }
}

/**
 * Collects file bytes up to `max`. With a size hint (the body's Content-Length) the buffer is
 * allocated once; without one (a chunked body) the chunks are joined at the end.
 */
export class BytesSink implements Sink {
  private buffer: Uint8Array | null;
  private readonly chunks: Uint8Array[] = [];
  size = 0;

  constructor(
    private readonly max: number,
    private readonly tooLarge: (size: number) => CldError,
    sizeHint?: number,
  ) {
    this.buffer = sizeHint && sizeHint > 0 ? new Uint8Array(Math.min(sizeHint, max)) : null;
  }

  write(chunk: Uint8Array): void {
    if (this.size + chunk.byteLength > this.max) throw this.tooLarge(this.size + chunk.byteLength);
    if (this.buffer && this.size + chunk.byteLength <= this.buffer.length) this.buffer.set(chunk, this.size);
    else {
      if (this.buffer) {
        this.chunks.push(this.buffer.subarray(0, this.size));
        this.buffer = null;
      }
      this.chunks.push(chunk);
    }
    this.size += chunk.byteLength;
  }

  end(): void {}

  /** The bytes in one array: joining a chunked body's pieces holds them twice for a moment. */
  bytes(): Uint8Array {
    if (this.buffer) return this.buffer.subarray(0, this.size);
    if (this.chunks.length > 1) this.chunks.splice(0, this.chunks.length, concat(...this.chunks));
    return this.chunks[0] ?? new Uint8Array(0);
  }

  /** The first `n` bytes (fewer if there are not as many), without joining the rest. */
  prefix(n: number): Uint8Array {
    if (this.buffer) return this.buffer.subarray(0, Math.min(n, this.size));
    const parts: Uint8Array[] = [];
    let size = 0;
    for (const c of this.chunks) {
      if (size >= n) break;
      parts.push(c.subarray(0, n - size));
      size += parts[parts.length - 1].byteLength;
    }
    return parts.length === 1 ? parts[0] : concat(...parts);
  }

  /** The bytes as a stream of known length (for R2), a new one each call, without joining them. */
  stream(): ReadableStream<Uint8Array> {
    const parts = this.buffer ? [this.buffer.subarray(0, this.size)] : this.chunks;
    const { readable, writable } = new FixedLengthStream(this.size);
    const writer = writable.getWriter();
    void (async () => {
      for (const part of parts) await writer.write(part);
      await writer.close();
    })().catch(() => undefined);
    return readable;
  }
}

const BASE64 = new Int16Array(256).fill(-1);
for (const [i, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].entries()) BASE64[c.charCodeAt(0)] = i;

/**
 * A `file` field sent as text: an http(s) URL (handed to `onUrl` at the end, at most maxUrl
 * characters: routes/upload.ts fetches it), or else a data URI for DataUriSink.
 */
export class TextFileSink implements Sink {
  private head: Uint8Array = new Uint8Array(0);
  private target: Sink | undefined;
  private url: string | undefined;
  private readonly decoder = new TextDecoder();

  constructor(
    readonly out: BytesSink,
    private readonly onUrl: (url: string) => void,
    private readonly maxUrl: number,
  ) {}

  write(chunk: Uint8Array): void {
    if (this.target) this.target.write(chunk);
    else if (this.url !== undefined) this.append(chunk);
    else {
      this.head = concat(this.head, chunk);
      if (this.head.length >= 8) this.decide();
    }
  }

  end(): void {
    if (!this.target && this.url === undefined) this.decide();
    if (this.target) this.target.end();
    else this.onUrl((this.url ?? '') + this.decoder.decode());
  }

  private decide(): void {
    const head = this.head;
    this.head = new Uint8Array(0);
    if (/^https?:\/\//i.test(String.fromCharCode(...head.subarray(0, 8)))) {
      this.url = '';
      this.append(head);
    } else {
      this.target = new DataUriSink(this.out);
      this.target.write(head);
    }
  }

  private append(chunk: Uint8Array): void {
    this.url += this.decoder.decode(chunk, { stream: true });
    if ((this.url as string).length > this.maxUrl) throw new CldError(400, `Remote URL is longer than ${this.maxUrl} characters`);
  }
}

/**
 * A `file` field sent as text: a base64 data URI, decoded as it streams into a BytesSink (never
 * held as text). Remote URLs are TextFileSink's.
 */
export class DataUriSink implements Sink {
  private prefix = '';
  private started = false;
  private quad = new Uint8Array(4);
  private quadLength = 0;
  private padding = 0;

  constructor(readonly out: BytesSink) {}

  write(chunk: Uint8Array): void {
    let i = 0;
    if (!this.started) {
      while (i < chunk.length && chunk[i] !== 0x2c /* , */ && this.prefix.length < 512) this.prefix += String.fromCharCode(chunk[i++]);
      if (i === chunk.length && this.prefix.length < 512) return;
      if (chunk[i] !== 0x2c || !/^data:[\w/+.-]*(;[\w-]+=[\w-]+)*;base64$/.test(this.prefix)) throw this.invalid();
      this.started = true;
      i++;
    }
    const out = new Uint8Array(Math.ceil(((chunk.length - i + this.quadLength) * 3) / 4));
    let n = 0;
    for (; i < chunk.length; i++) {
      const c = chunk[i];
      if (c === 0x3d /* = */) {
        this.padding++;
        continue;
      }
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
      const v = BASE64[c];
      if (v < 0 || this.padding) throw new CldError(400, 'Invalid base64 in data URI');
      this.quad[this.quadLength++] = v;
      if (this.quadLength === 4) {
        const q = this.quad;
        out[n++] = (q[0] << 2) | (q[1] >> 4);
        out[n++] = ((q[1] & 15) << 4) | (q[2] >> 2);
        out[n++] = ((q[2] & 3) << 6) | q[3];
        this.quadLength = 0;
      }
    }
    if (n) this.out.write(out.subarray(0, n));
  }

  end(): void {
    if (!this.started) throw this.invalid();
    const q = this.quad;
    if (this.quadLength === 1 || this.padding > 2) throw new CldError(400, 'Invalid base64 in data URI');
    if (this.quadLength === 2) this.out.write(new Uint8Array([(q[0] << 2) | (q[1] >> 4)]));
    if (this.quadLength === 3) this.out.write(new Uint8Array([(q[0] << 2) | (q[1] >> 4), ((q[1] & 15) << 4) | (q[2] >> 2)]));
  }

  private invalid(): CldError {
    if (/^https?:\/\//i.test(this.prefix)) return new CldError(400, 'Uploading from a remote URL is not supported: send the file bytes');
    return new CldError(400, 'Invalid file parameter: expected file bytes or a base64 data URI');
  }
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0];
  const last = haystack.length - needle.length;
  for (let i = haystack.indexOf(first, Math.max(0, from)); i >= 0 && i <= last; i = haystack.indexOf(first, i + 1)) {
    let j = 1;
    while (j < needle.length && haystack[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  let size = 0;
  for (const p of parts) size += p.byteLength;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
