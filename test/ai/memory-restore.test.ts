// gen_restore alone in a fresh isolate (memory.test.ts runs upscale first, whose high-water mark
// hides restore's): ORT wasm memory per tile size, in growing order.
import { expect, it } from 'vitest';
import { inferImage } from '../../src/ai/infer';
import { AI_MODELS } from '../../src/ai/models';
import { aiWasmMemory } from '../../src/ai/ort';
import { crop } from '../../src/ops/crop';
import { loadCached, MB, maxTile } from './measure';

it('gen_restore: ORT wasm memory per tile size (128, default, 384)', async () => {
  const photo = await loadCached('medium.jpg'); // 640x427, fetched before ORT loads
  await inferImage('gen_restore', crop(photo, 0, 0, 16, 16)); // load, create, warm up
  const lines = [`gen_restore alone, after session creation and a warm-up: ORT wasm memory ${(aiWasmMemory() / MB).toFixed(1)} MB`];
  lines.push((await maxTile('gen_restore', 128, photo)).line);
  const def = await maxTile('gen_restore', AI_MODELS.gen_restore.tile, photo);
  lines.push(def.line);
  lines.push((await maxTile('gen_restore', 384, photo)).line);
  console.log(lines.join('\n'));
  expect(def.memory).toBeLessThan(64 * MB);
});
