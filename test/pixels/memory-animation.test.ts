// Own file = fresh isolate: the WASM memories start from nothing. An animation is rendered one frame
// at a time: the WASM high-water stays within the plan's estimate, and the frames kept until the end
// (the encoded output) within the encode step's allowance.
import { expect, it } from 'vitest';
import { readHeader } from '../../src/codecs/header';
import { wasmMemory, wasmMemoryTotal } from '../../src/kernels/memory';
import { renderAndEncode } from '../../src/pixels/run';
import { gifFrameBytes, webpFrameBytes } from '../../src/plan/cost/model';
import { chooseOutput } from '../../src/plan/output';
import { buildPlan } from '../../src/plan/plan';
import { parseComponent } from '../../src/url/component';
import { fixture } from './util';

async function render(name: string, transformation: string, extension: 'gif' | 'webp') {
  const bytes = await fixture(name);
  const header = readHeader(bytes);
  const components = transformation.split('/').map(parseComponent);
  const output = chooseOutput({
    components,
    extension,
    originalFormat: header.format,
    mayBeTransparent: () => header.hasAlpha,
    accept: null,
    animatedOriginal: true,
  });
  const plan = buildPlan({ components, header, inputBytes: bytes.length, output });
  const started = performance.now();
  const encoded = await renderAndEncode(bytes, header, plan);
  const ms = performance.now() - started;
  return { plan, encoded, header: readHeader(encoded.bytes), ms };
}

it('animated WebP from an animated WebP, 6 frames at 160x120: WASM within the plan, output within its allowance', async () => {
  expect(wasmMemoryTotal()).toBe(0);
  const { plan, encoded, header } = await render('anim-photo.webp', 'fl_animated,q_90', 'webp');
  expect(header.frames).toBe(6);
  const wasm = wasmMemoryTotal();
  console.log('animated WebP: WASM', wasm, 'plan peak', plan.peakBytes, 'output', encoded.bytes.length, 'allowed', 6 * webpFrameBytes(160 * 120));
  expect(wasm).toBeLessThanOrEqual(plan.peakBytes);
  expect(encoded.bytes.length).toBeLessThanOrEqual(6 * webpFrameBytes(160 * 120));
});

it('animated GIF, 110 frames of a 1000x920 screen resized to 100x92: within the plan, far under the frames held whole', async () => {
  const { plan, encoded, header, ms } = await render('anim-long.gif', 'c_scale,w_100', 'gif');
  expect(plan.animation).toBe('110 frames');
  expect([header.width, header.height, header.frames]).toEqual([100, 92, 110]);
  expect(encoded.bytes.length).toBeLessThanOrEqual(110 * gifFrameBytes(100 * 92));
  // 110 decoded screens would be 405 MB: the plan holds the decoder's canvas and one frame's rasters.
  // The GIF path's only WASM is the resampler (the WebP codecs above stay at their high-water).
  const resample = wasmMemory().resample ?? 0;
  console.log(
    '110-frame GIF: plan peak',
    plan.peakBytes,
    'output',
    encoded.bytes.length,
    'resampler WASM',
    resample,
    'work estimated',
    (plan.work / 1e6).toFixed(0),
    'ms, took',
    ms.toFixed(0),
    'ms',
  );
  expect(plan.peakBytes).toBeLessThan(40 * 1024 * 1024);
  expect(resample).toBeLessThanOrEqual(plan.peakBytes);
});
