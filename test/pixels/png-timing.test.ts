// Decode time of a 2000x1500 RGBA photo PNG (Kodak kodim03 scaled by scripts/fixtures.mjs), the
// own decoder against the previous one (squoosh's Rust `png` in wasm). Prints; asserts nothing
// about time (local workerd's clock advances during CPU work).
import { expect, it } from 'vitest';
import { decode, decodePngSquoosh } from '../../src/pixels/decode';
import { readHeader } from '../../src/pixels/header';
import { fixture } from './util';

it('3 MP RGBA PNG decode: own vs squoosh', async () => {
  const bytes = await fixture('photo-3mp-alpha.png');
  const h = readHeader(bytes);
  const rows: string[] = [];
  for (let run = 0; run < 5; run++) {
    let t = performance.now();
    const a = await decode(bytes, h);
    const own = performance.now() - t;
    t = performance.now();
    const b = decodePngSquoosh(bytes, h);
    const old = performance.now() - t;
    if (run === 0) {
      let same = a.data.length === b.data.length;
      for (let i = 0; same && i < a.data.length; i++) same = a.data[i] === b.data[i];
      expect(same).toBe(true);
    }
    rows.push(`run ${run}: own ${own.toFixed(0)} ms, squoosh ${old.toFixed(0)} ms`);
  }
  console.log(`${h.width}x${h.height} RGBA PNG, ${bytes.length} B\n${rows.join('\n')}`);
});
