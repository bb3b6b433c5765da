// Per-step timing of the 12 MP pipeline (local workerd's clock advances during CPU work).
import { PhotonImage, SamplingFilter, resize as photonResize } from '@cf-wasm/photon';
import { it } from 'vitest';
import { chooseShrink } from '../../src/plan/cost/model';
import { decode } from '../../src/codecs/decode';
import { encode } from '../../src/codecs/encode';
import { readHeader } from '../../src/codecs/header';
import { resize } from '../../src/ops/resize';
import { fixture } from '../../test/pixels/util';

it('12 MP JPEG -> shrink-on-load -> 800x600 -> JPEG q80', async () => {
  const bytes = await fixture('12mp.jpg');
  const rows: string[] = [];
  for (let run = 0; run < 3; run++) {
    let t = performance.now();
    const h = readHeader(bytes);
    const s = chooseShrink(h, 800, 600);
    const r = await decode(bytes, h, s);
    const tDec = performance.now() - t;
    t = performance.now();
    const small = resize(r, 800, 600);
    const tRes = performance.now() - t;
    t = performance.now();
    const out = await encode(small, 'jpg', { quality: 80 });
    const tEnc = performance.now() - t;
    // photon Lanczos3 on the same decoded raster
    const img = new PhotonImage(r.data, r.width, r.height);
    t = performance.now();
    const p = photonResize(img, 800, 600, SamplingFilter.Lanczos3);
    const tPh = performance.now() - t;
    p.free();
    img.free();
    rows.push(
      `run ${run}: shrink ${s} -> ${r.width}x${r.height} decode ${tDec.toFixed(0)} ms, resize ${tRes.toFixed(0)} ms (photon ${tPh.toFixed(0)} ms), encode ${tEnc.toFixed(0)} ms, ${out.length} B`,
    );
  }
  console.log(rows.join('\n'));
});

it('resize timings (Lanczos3, opaque): 3000x2000 -> 2400x1600 and 1000x750 -> 800x600', () => {
  const rows: string[] = [];
  for (const [w, h, ow, oh] of [
    [3000, 2000, 2400, 1600],
    [1000, 750, 800, 600],
  ]) {
    const data = new Uint8Array(w * h * 4);
    for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
    const r = { width: w, height: h, data, opaque: true };
    const times: number[] = [];
    for (let run = 0; run < 5; run++) {
      const t = performance.now();
      resize(r, ow, oh);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    rows.push(`${w}x${h} -> ${ow}x${oh}: median ${times[2].toFixed(1)} ms`);
  }
  console.log(rows.join('\n'));
});
