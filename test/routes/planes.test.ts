// Through the Worker: JPEG -> resize / crop / orient -> JPEG deliveries take the YCbCr planar path
// (pixels/ycc.ts): the body is byte for byte what that path writes for the plan of the URL.
import { beforeAll, describe, expect, it } from 'vitest';
import { readHeader } from '../../src/codecs/header';
import { buildPlan } from '../../src/plan/plan';
import { encodeViaPlanes, planarChain } from '../../src/pixels/ycc';
import { parseComponent } from '../../src/url/component';
import { CLOUD, fixture, image, upload } from './worker';

const originals = { 'planes/medium': 'medium.jpg', 'planes/444': 'medium-444.jpg', 'planes/12mp': '12mp.jpg' } as const;

beforeAll(async () => {
  for (const [id, file] of Object.entries(originals)) await upload(id, await fixture(file));
});

describe('the planar path through the Worker', () => {
  it.each([
    ['planes/medium', 'c_fill,w_300,h_200,q_80'],
    ['planes/medium', 'w_333,q_70'],
    ['planes/444', 'c_fill,w_150,h_150,q_80'],
    ['planes/medium', 'c_crop,w_301,h_201,x_101,y_57/c_scale,w_151,q_80'],
    ['planes/12mp', 'c_fill,w_800,h_600,q_80'],
  ] as const)('%s %s', async (id, transformation) => {
    const original = await fixture(originals[id]);
    const header = readHeader(original);
    const plan = buildPlan({
      components: transformation.split('/').map(parseComponent),
      header,
      inputBytes: original.length,
      output: { format: 'jpg', quality: Number(/q_(\d+)/.exec(transformation)?.[1]), progressive: false },
    });
    const chain = planarChain(header, plan.steps);
    expect(chain, plan.steps.map((s) => s.op).join(',')).not.toBeNull();
    const want = encodeViaPlanes(original, chain!)!.bytes;
    const { bytes, header: out } = await image(`/${CLOUD}/image/upload/${transformation}/${id}.jpg`);
    expect([out.width, out.height]).toEqual([plan.width, plan.height]);
    expect(bytes.length).toBe(want.length);
    expect(bytes.every((b, i) => b === want[i])).toBe(true);
  });
});
