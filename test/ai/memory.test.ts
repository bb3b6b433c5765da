// ORT's wasm memory per tile size and the speed of each model, with a fresh ORT (each test file
// has its own module instances, so src/ai/ort.ts starts unloaded here). Wasm memory never shrinks and both sessions share ORT's one memory, so
// each figure is the high-water mark after that step; steps run in growing order.
import { expect, it } from 'vitest';
import { inferImage } from '../../src/ai/infer';
import { AI_MODELS, type AiModelName } from '../../src/ai/models';
import { aiSession, aiWasmMemory } from '../../src/ai/ort';
import { crop } from '../../src/ops/crop';
import { loadCached, MB, maxTile, tiledRate } from './measure';

it('upscale: ORT wasm memory per tile size (128, default, 192), under 64 MB with both default tiles; s/MP', async () => {
  const photo = await loadCached('medium.jpg'); // 640x427, fetched before ORT loads
  expect(aiWasmMemory()).toBe(0); // ORT is loaded lazily: nothing yet in this isolate
  let t = performance.now();
  await aiSession('upscale');
  const tLoad = performance.now() - t;
  const memSession = aiWasmMemory();
  t = performance.now();
  await aiSession('gen_restore');
  const tCreate = performance.now() - t;
  const lines = [
    `ORT load + upscale session ${tLoad.toFixed(0)} ms, gen_restore session ${tCreate.toFixed(0)} ms; ORT wasm memory after both: ${(memSession / MB).toFixed(1)} MB`,
  ];
  // Warm-up: a session's first run is slower (kernel set-up); keeps the timings comparable.
  for (const model of ['upscale', 'gen_restore'] as AiModelName[]) await inferImage(model, crop(photo, 0, 0, 16, 16));

  lines.push((await maxTile('upscale', 128, photo)).line);
  lines.push((await maxTile('upscale', AI_MODELS.upscale.tile, photo)).line);
  lines.push((await maxTile('gen_restore', AI_MODELS.gen_restore.tile, photo)).line);
  const memDefault = aiWasmMemory(); // both models at their default tiles in one isolate
  lines.push(`=> both default tiles in one isolate: ORT wasm memory ${(memDefault / MB).toFixed(1)} MB`);
  lines.push(await tiledRate('upscale', photo, 320, 240));
  lines.push(await tiledRate('gen_restore', photo, 640, 427));
  lines.push((await maxTile('upscale', 192, photo)).line);
  console.log(lines.join('\n'));
  expect(memDefault).toBeLessThan(64 * MB);
});
