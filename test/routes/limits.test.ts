// Issue #11's reproducers through the Worker: each is refused with a 400 (414 for the URL) naming
// the limit, from the plan alone: nothing is decoded (the WASM memory does not move, and there is
// no Server-Timing, which only a render adds).
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_COMPONENTS, MAX_PATH_LENGTH } from '../../src/plan/limits';
import { CLOUD, dims, fixture, get, image, upload, wasmMemory } from './worker';

const base = `/${CLOUD}/image/upload`;

beforeAll(async () => {
  await upload('limits/medium', await fixture('medium.jpg')); // 640x427
  await upload('limits/small-png', await fixture('p3.png')); // 300x200
  await upload('limits/12mp', await fixture('12mp.jpg')); // 4000x3000
});

async function refused(path: string, status: number, reason: RegExp): Promise<void> {
  const before = (await wasmMemory()).total;
  const res = await get(path);
  expect(res.status, `${path.slice(0, 120)}: ${res.headers.get('X-Cld-Error')}`).toBe(status);
  expect(res.headers.get('X-Cld-Error')).toMatch(reason);
  expect(res.headers.get('Server-Timing')).toBeNull();
  await res.arrayBuffer();
  expect((await wasmMemory()).total).toBe(before);
}

describe('issue #11 reproducers are refused before anything is decoded', () => {
  it('80 chained w_100.0 (each a 100x upscale) is a 400 at the first size over the limit', async () => {
    await refused(
      `${base}/${Array(80).fill('w_100.0').join('/')}/limits/medium.jpg`,
      400,
      /component 1 would be 64000x42700, over the 25000 px per side limit/,
    );
  });

  it('c_fill,w_1,h_25000,dpr_5 and c_fill,w_1,h_25000 on a 300x200 PNG are 400s', async () => {
    await refused(`${base}/c_fill,w_1,h_25000,dpr_5/limits/small-png.png`, 400, /over the 25000 px per side limit/);
    await refused(`${base}/c_fill,w_1,h_25000/limits/small-png.png`, 400, /over the 25000 px per side limit/);
  });

  it('10 x e_blur:2000 on 2000x1500 is a 400 over the work budget', async () => {
    await refused(`${base}/w_2000/${Array(10).fill('e_blur:2000').join('/')}/limits/12mp.jpg`, 400, /^Transformation too expensive: .* over the 2\.0 s limit$/);
  });

  it(`300 x a_hflip is a 400: at most ${MAX_COMPONENTS} components`, async () => {
    await refused(
      `${base}/${Array(300).fill('a_hflip').join('/')}/limits/medium.jpg`,
      400,
      new RegExp(`^Too many transformation components: 300, at most ${MAX_COMPONENTS} in one URL$`),
    );
  });

  it(`a path over ${MAX_PATH_LENGTH} characters is a 414`, async () => {
    await refused(`${base}/c_scale,w_100/${'a'.repeat(MAX_PATH_LENGTH)}.jpg`, 414, /^URL too long: \d+ characters, at most 8192$/);
  });
});

describe('ordinary URLs are still served', () => {
  it.each([
    ['c_fill,w_800,h_600,q_80', 'limits/12mp.jpg', '800x600'],
    ['w_800,q_75', 'limits/12mp.webp', '800x600'],
    ['w_2000/e_blur:2000', 'limits/12mp.jpg', '2000x1500'],
    ['c_fill,w_300,h_300,g_auto/e_sharpen/r_max', 'limits/medium.png', '300x300'],
    [`${Array(MAX_COMPONENTS).fill('a_hflip').join('/')}`, 'limits/medium.jpg', '640x427'],
  ])('%s %s', async (t, id, size) => {
    const { header } = await image(`${base}/${t}/${id}`);
    expect(dims(header)).toBe(size);
  });
});
