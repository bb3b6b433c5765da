// f_auto keeps alpha whenever a step of the chain can add it (plan/ops.ts addsAlpha), not only for the
// parameters a hand-written list named: with neither AVIF nor WebP accepted, those answer PNG.
import { beforeAll, expect, it } from 'vitest';
import { CLOUD, fixture, image, upload } from './worker';

const base = `/${CLOUD}/image/upload`;
const accept = { Accept: 'image/jpeg,image/png' };

beforeAll(async () => {
  await upload('falpha/photo', await fixture('medium-444.jpg'));
});

for (const t of ['e_make_transparent:20,co_white', 'e_gradient_fade', 'e_shadow', 'e_outline:outer', 'a_30', 'r_40', 'o_50']) {
  it(`${t},f_auto on an opaque JPEG answers PNG`, async () => {
    const { header } = await image(`${base}/${t},f_auto/falpha/photo`, accept);
    expect(header.format).toBe('png');
  });
}

for (const t of ['e_sepia', 'e_blur', 'c_scale,w_100', 'e_vignette']) {
  it(`${t},f_auto on an opaque JPEG stays JPEG`, async () => {
    const { header } = await image(`${base}/${t},f_auto/falpha/photo`, accept);
    expect(header.format).toBe('jpg');
  });
}
