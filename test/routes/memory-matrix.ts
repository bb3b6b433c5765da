// Issue #15's memory matrix: input format x output format x output size, through the Worker, each
// output format in its own test file (a fresh isolate), sizes ascending so that every module's
// memory (which never shrinks) is the high-water of the cases so far. For each case: the planner's
// estimate (as the route builds it) and the WASM memory of the modules the request uses, which must
// stay under that estimate, under the 100 MiB budget, and the whole isolate's under 128 MB.
import { expect } from 'vitest';
import { readHeader } from '../../src/codecs/header';
import { resolveHints } from '../../src/plan/hints';
import { chooseOutput } from '../../src/plan/output';
import { WEBP_LOW_MEMORY_PIXELS } from '../../src/plan/cost/model';
import { buildPlan, MEMORY_BUDGET, mayBeTransparent } from '../../src/plan/plan';
import { parseComponent } from '../../src/url/component';
import { CLOUD, dims, fixture, get, image, upload, wasmMemory } from './worker';

const MB = 1024 * 1024;
export type Out = 'jpg' | 'png' | 'webp' | 'avif';
type In = 'jpg' | 'png' | 'webp';

export interface MatrixCase {
  input: In;
  transformation: string;
  size: string;
  /** The format delivered (AVIF over AVIF_MAX_PIXELS is WebP). */
  delivered?: Out;
}

const DECODER: Record<In, string[]> = { jpg: ['jpegTurbo'], png: ['pngUnfilter', 'deflate'], webp: ['webpDec'] };
const ENCODER: Record<Out, string[]> = { jpg: ['jpegEnc', 'mozjpegEnc'], png: ['pngFilter', 'deflate'], webp: ['webpEnc'], avif: ['avifEnc'] };
const SEARCH_DECODER: Record<Out, string[]> = { jpg: ['jpegTurbo'], png: [], webp: ['webpDec'], avif: ['avifDec'] };
const ACCEPT: Record<Out, string> = { jpg: 'image/jpeg', png: 'image/png', webp: 'image/webp,image/*', avif: 'image/avif,image/webp,image/*' };

let uploaded = false;
async function originals(): Promise<void> {
  if (uploaded) return;
  for (const f of ['jpg', 'png', 'webp'] as const) await upload(`matrix/photo-${f}`, await fixture(`photo-1000.${f}`));
  uploaded = true;
}

/** The plan the route builds for this request (delivery.ts: hints, output choice, buildPlan). */
async function estimate(input: In, transformation: string, ext: Out): Promise<{ peak: number; format: Out }> {
  const bytes = await fixture(`photo-1000.${input}`);
  const header = readHeader(bytes);
  const parsed = transformation.split('/').map(parseComponent);
  const { components } = resolveHints(parsed, new Headers({ Accept: ACCEPT[ext] }));
  const output = chooseOutput({
    components,
    extension: ext,
    originalFormat: header.format,
    mayBeTransparent: () => mayBeTransparent({ components, header }),
    accept: ACCEPT[ext],
  });
  const plan = buildPlan({ components, header, inputBytes: bytes.byteLength, output });
  return { peak: plan.peakBytes, format: plan.output.format as Out };
}

export const rows: string[] = [];

export async function runCase(out: Out, c: MatrixCase): Promise<void> {
  await originals();
  const { peak, format } = await estimate(c.input, c.transformation, out);
  const delivered = c.delivered ?? out;
  expect(format).toBe(delivered);
  const { header } = await image(`/${CLOUD}/image/upload/${c.transformation}/matrix/photo-${c.input}.${out}`, { Accept: ACCEPT[out] });
  expect(dims(header)).toBe(c.size);
  expect(header.format).toBe(delivered);
  const { total, modules } = await wasmMemory();
  const auto = /q_auto/.test(c.transformation);
  // A WebP over WEBP_LOW_MEMORY_PIXELS is encoded by a fresh instance ('webpEncLarge', what the last
  // one reached); q_auto's probes on the sample use the shared one.
  const [w, h] = c.size.split('x').map(Number);
  const encoder = delivered === 'webp' && w * h > WEBP_LOW_MEMORY_PIXELS ? ['webpEncLarge', ...(auto ? ['webpEnc'] : [])] : ENCODER[delivered];
  const used = new Set([...DECODER[c.input], 'resample', ...encoder, ...(auto ? SEARCH_DECODER[delivered] : [])]);
  const measured = Object.entries(modules).reduce((n, [name, bytes]) => n + (used.has(name) ? bytes : 0), 0);
  const row = `${c.input} -> ${out} ${c.transformation} (${c.size}${delivered !== out ? ` as ${delivered}` : ''}): estimate ${(peak / MB).toFixed(1)} MB, WASM high-water ${(measured / MB).toFixed(1)} MB, isolate ${(total / MB).toFixed(1)} MB`;
  rows.push(row);
  console.log(row, JSON.stringify(modules));
  expect(measured).toBeLessThan(peak);
  expect(peak).toBeLessThanOrEqual(MEMORY_BUDGET);
  expect(total).toBeLessThan(128e6);
}

export async function refusedCase(out: Out, c: MatrixCase): Promise<void> {
  await originals();
  const res = await get(`/${CLOUD}/image/upload/${c.transformation}/matrix/photo-${c.input}.${out}`, { Accept: ACCEPT[out] });
  expect(res.status).toBe(400);
  expect(res.headers.get('X-Cld-Error')).toMatch(new RegExp(`Image too large to process: 1000x750 ${c.input} to ${c.size} needs about \\d+ MB`));
  await res.body?.cancel();
}
