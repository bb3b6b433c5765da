// Own file = fresh isolate: the resample kernel's WASM memory starts from nothing. The geometry steps
// that resize and blur inside (pad-blurred, fill-pad) must estimate at least what that memory grows
// to, beside the JS rasters they hold (their input and output, counted apart here).
import { expect, it } from 'vitest';
import { wasmMemory } from '../../src/kernels/memory';
import { fillPad } from '../../src/ops/fill-pad';
import { padBlurred } from '../../src/ops/pad-blurred';
import { stepSpec } from '../../src/plan/ops';
import type { Step } from '../../src/plan/steps';
import { load } from './util';

const ctx = {
  header: { format: 'png', width: 0, height: 0, hasAlpha: false, orientation: 1, progressive: false, animated: false, components: 3 },
  inputBytes: 0,
} as const;
const rgba = (s: { width: number; height: number }) => s.width * s.height * 4;

function estimate(step: Step, input: { width: number; height: number }): number {
  const m = stepSpec(step.op).memory(step as never, input, false, ctx);
  return (m.held ?? 0) + (m.working ?? 0);
}

it('pad-blurred and fill-pad: the estimate covers the kernel memory beside input and output', async () => {
  const src = await load('medium-444.jpg'); // 600x400
  const blurred: Step = { op: 'pad-blurred', x: 0, y: 200, width: 1200, height: 1200, fill: { kind: 'blurred', sigma: 5, brightness: 0 } };
  const big = { ...src, width: 1200, height: 800, data: new Uint8Array(1200 * 800 * 4).fill(128) };
  padBlurred(big, 1200, 1200, 0, 200, blurred.fill);
  const afterBlurred = wasmMemory().resample;
  console.log('pad-blurred 1200x800 -> 1200x1200: resample', afterBlurred, 'estimate', estimate(blurred, big));
  expect(afterBlurred).toBeLessThanOrEqual(estimate(blurred, big) - rgba(big) - rgba(blurred));

  const fp: Step = { op: 'fill-pad', width: 1000, height: 1000, fill: { kind: 'blurred', sigma: 8, brightness: 0 } };
  fillPad(src, 1000, 1000, fp.fill);
  const afterFill = wasmMemory().resample;
  console.log('fill-pad 600x400 -> 1000x1000 (blurred): resample', afterFill, 'estimate', estimate(fp, src));
  expect(afterFill).toBeLessThanOrEqual(estimate(fp, src) - rgba(src) - rgba(fp));
});
