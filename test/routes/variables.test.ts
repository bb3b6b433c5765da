// Variables, expressions and conditions through the delivery route: sizes chosen against the
// original's header before any pixel, the canonical form as the cache key, 400s with a reason.
import { beforeAll, describe, expect, it } from 'vitest';
import { CLOUD, dims, fixture, get, image, upload } from './worker';

const base = `/${CLOUD}/image/upload`;

beforeAll(async () => {
  await upload('vars/wide', await fixture('medium.jpg')); // 640x427
  await upload('vars/tall', await fixture('small.jpg')); // 200x303
  await upload('vars/mark', await fixture('blue-40x20.png'));
});

describe('variables and conditions through the Worker', () => {
  const cases: [string, string][] = [
    ['if_w_gt_500/c_scale,w_300/if_else/c_scale,w_100/if_end/vars/wide.jpg', '300x200'],
    ['if_w_gt_500/c_scale,w_300/if_else/c_scale,w_100/if_end/vars/tall.jpg', '100x152'],
    ['$small_150/c_scale,w_$small/vars/wide.jpg', '150x100'],
    ['c_scale,w_$a_mul_2_add_10,$a_100/vars/wide.jpg', '210x140'],
    ['c_crop,w_iw_div_2,h_ih_div_2/vars/wide.jpg', '320x214'],
    ['if_ar_lt_1,c_scale,h_100/vars/tall.jpg', '66x100'],
    ['if_ar_lt_1,c_scale,h_100/vars/wide.jpg', '640x427'],
    ['$d_2/c_scale,w_100,dpr_$d/vars/wide.jpg', '200x133'],
    ['$w_50/l_vars:mark/c_scale,w_$w/fl_layer_apply,g_north_west/vars/tall.png', '200x303'],
  ];
  for (const [path, size] of cases)
    it(`${path} → ${size}`, async () => {
      const { res, header } = await image(`${base}/${path}`);
      expect(res.status, res.headers.get('X-Cld-Error') ?? '').toBe(200);
      expect(dims(header)).toBe(size);
    });

  it('shares one derived image between spellings of the same transformation', async () => {
    const a = await get(`${base}/$a_100,c_scale,w_$a/vars/wide.jpg`);
    const b = await get(`${base}/c_scale,w_$a,$a_100/vars/wide.jpg`);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(['hit-edge', 'hit-r2']).toContain(b.headers.get('X-Dprox-Cache'));
  });

  it('a watermark placed by variables is the same image as the one placed in pixels', async () => {
    const computed = await image(`${base}/$pad_iw_mul_0.05/l_vars:mark/fl_layer_apply,g_south_east,x_$pad,y_$pad/vars/wide.png`);
    const literal = await image(`${base}/l_vars:mark/fl_layer_apply,g_south_east,x_32,y_32/vars/wide.png`);
    const other = await image(`${base}/l_vars:mark/fl_layer_apply,g_south_east,x_10,y_10/vars/wide.png`);
    expect(computed.res.status, computed.res.headers.get('X-Cld-Error') ?? '').toBe(200);
    expect(computed.bytes).toEqual(literal.bytes);
    expect(computed.bytes).not.toEqual(other.bytes);
  });

  const refusals: [string, RegExp][] = [
    ['l_vars:mark/fl_layer_apply,x_w_div_2', /placement may read variables, iw, ih and iar/],
    ['c_scale,w_$missing', /Undefined variable \$missing/],
    ['if_fc_gt_0/e_sepia/if_end', /face_count/],
    ['if_w_gt_1/c_scale,w_5', /without if_end/],
    ['if_w_gt_1/if_h_gt_1,c_scale,w_5/if_end/if_end', /[Nn]ested/],
    ['c_scale,w_iw_mul_100', /Invalid width.*computed from/],
    ['c_scale,w_iw_div_0', /Division by zero/],
    ['$1x_5/c_scale,w_5', /Invalid variable name/],
  ];
  for (const [t, reason] of refusals)
    it(`${t} → 400`, async () => {
      const res = await get(`${base}/${t}/vars/wide.jpg`);
      expect(res.status).toBe(400);
      expect(res.headers.get('X-Cld-Error')).toMatch(reason);
    });
});
