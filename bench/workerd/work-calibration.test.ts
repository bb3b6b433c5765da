// Calibration of the work model (plan/cost/model.ts WORK_NS), as test/pixels/cost.test.ts calibrates the
// memory model: each case goes through the Worker (DIAGNOSTICS: Server-Timing per step kind) and the
// measured milliseconds are logged beside the model's, per step kind. Nothing here asserts on time
// (a loaded machine is slower, and the model is an upper bound meant for any machine): the
// assertions are on the estimates, which must cover what was measured on the machine that set the
// constants; rerun this file and read its log after changing a kernel.
import { beforeAll, describe, expect, it } from 'vitest';
import { readHeader } from '../../src/codecs/header';
import { buildPlan } from '../../src/plan/plan';
import { stepWork } from '../../src/plan/cost/work';
import { parseComponent } from '../../src/url/component';
import type { OutputFormat } from '../../src/url/params';
import { CLOUD, fixture, get, upload } from '../../test/routes/worker';

const base = `/${CLOUD}/image/upload`;
const SOURCES = [
  '12mp.jpg',
  '24mp.jpg',
  '50mp.jpg',
  'medium.jpg',
  'photo-3mp-alpha.png',
  'rgb.png',
  'lossy.webp',
  '2mp.avif',
  'still.gif',
  '24mp-progressive.jpg',
];
const bytesOf = new Map<string, Uint8Array>();

beforeAll(async () => {
  for (const name of SOURCES) {
    const bytes = await fixture(name);
    bytesOf.set(name, bytes);
    await upload(`work/${name.replace('.', '-')}`, bytes);
  }
});

const CASES: [string, string, OutputFormat][] = [
  ['12mp.jpg', 'c_fill,w_800,h_600', 'jpg'],
  ['12mp.jpg', 'w_800', 'webp'],
  ['photo-3mp-alpha.png', 'w_400', 'png'],
  ['24mp.jpg', 'w_2400', 'jpg'],
  ['50mp.jpg', 'w_1000', 'jpg'],
  ['24mp-progressive.jpg', 'w_1000', 'jpg'],
  ['medium.jpg', 'w_4.0', 'jpg'],
  ['medium.jpg', 'w_3.0/a_90/a_hflip/e_grayscale', 'png'],
  ['medium.jpg', 'e_blur:200', 'jpg'],
  ['12mp.jpg', 'w_2000/e_blur:2000', 'jpg'],
  ['medium.jpg', 'w_2.0/e_sharpen', 'webp'],
  ['medium.jpg', 'c_fill,w_600,h_300,g_auto', 'webp'],
  ['medium.jpg', 'w_2.0/r_max/o_50/b_rgb:ff0000', 'jpg'],
  ['medium.jpg', 'w_1.5', 'avif'],
  ['medium.jpg', 'q_auto', 'webp'],
  ['2mp.avif', 'w_800', 'jpg'],
  ['lossy.webp', 'w_2.0', 'jpg'],
  ['rgb.png', 'w_3.0', 'jpg'],
  ['still.gif', 'w_2.0', 'png'],
];

function serverTiming(res: Response): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of (res.headers.get('Server-Timing') ?? '').split(',')) {
    const m = /^\s*([\w-]+);dur=([\d.]+)/.exec(part);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

describe('work model calibration (logged: measured ms / modelled ms per step kind)', () => {
  it.each(CASES)('%s %s .%s', async (source, t, format) => {
    const bytes = bytesOf.get(source) ?? new Uint8Array();
    const header = readHeader(bytes);
    const components = t.split('/').map(parseComponent);
    const auto = components.find((c) => c.q?.kind === 'auto')?.q;
    const plan = buildPlan({
      components,
      header,
      inputBytes: bytes.length,
      output: { format, quality: 80, progressive: false, ...(auto?.kind === 'auto' ? { auto: auto.level } : {}) },
    });
    const modelled: Record<string, number> = {};
    stepWork(plan.steps, header).forEach((ns, i) => {
      const op = plan.steps[i].op === 'detail' ? 'detail' : plan.steps[i].op;
      modelled[op] = (modelled[op] ?? 0) + ns / 1e6;
    });
    // The first request of a kind also compiles and instantiates its codecs: measure the second.
    const url = (v: number) => `${base}/${t}/v${v}/work/${source.replace('.', '-')}.${format}`;
    await (await get(url(Date.now()))).arrayBuffer();
    const res = await get(url(Date.now() + 1));
    expect(res.status, res.headers.get('X-Cld-Error') ?? '').toBe(200);
    await res.arrayBuffer();
    const measured = serverTiming(res);
    const rows = Object.entries(modelled).map(([op, m]) => `${op} ${(measured[op] ?? 0).toFixed(1)}/${m.toFixed(1)}`);
    const render = Object.keys(modelled).reduce((a, op) => a + (measured[op] ?? 0), 0);
    console.log(
      `work ${source} ${t} .${plan.output.format}: ${rows.join(', ')}; all ${render.toFixed(1)}/${(plan.work / 1e6).toFixed(1)} ms (total ${measured.total?.toFixed(1)})`,
    );
    expect(plan.work).toBeGreaterThan(0);
  });
});
