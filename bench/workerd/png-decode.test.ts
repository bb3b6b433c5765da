// Decode time of a 2000x1500 RGBA photo PNG (Kodak kodim03 scaled by scripts/fixtures.mjs) with
// the own decoder. Prints; asserts nothing about time (local workerd's clock advances during CPU
// work). Measured here against the squoosh decoder it replaced (commit 41fa355, same workerd, 2
// shared cores): own with the runtime's DecompressionStream 86-110 ms (median 94), squoosh 96-131
// ms (median 102); inflate was ~85% of it. With libdeflate (deflate.ts): 36-41 ms.
import { expect, it } from 'vitest';
import { decode } from '../../src/codecs/decode';
import { readHeader } from '../../src/codecs/header';
import { fixture } from '../../test/pixels/util';

it('3 MP RGBA PNG decode time', async () => {
  const bytes = await fixture('photo-3mp-alpha.png');
  const h = readHeader(bytes);
  const rows: string[] = [];
  for (let run = 0; run < 5; run++) {
    const t = performance.now();
    const r = await decode(bytes, h);
    rows.push(`run ${run}: ${(performance.now() - t).toFixed(0)} ms`);
    expect(r.opaque).toBe(false);
  }
  console.log(`${h.width}x${h.height} RGBA PNG, ${bytes.length} B\n${rows.join('\n')}`);
});
