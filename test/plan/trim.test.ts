import { describe, expect, it } from 'vitest';
import { errorOf } from '../url/error-of';
import { jpegHeader, plan } from './helpers';

const photo = jpegHeader(1000, 800);

describe('e_trim in the planner', () => {
  it('admits the request on the untrimmed size and plans the rest again on the trimmed one', () => {
    const p = plan('e_trim/c_scale,w_100', photo);
    expect(p.steps.find((s) => s.op === 'trim')).toMatchObject({ width: 1000, height: 800, tolerance: 0.1 });
    expect(p.steps.find((s) => s.op === 'resize')).toMatchObject({ width: 100, height: 80 }); // the bound
    const rest = p.afterTrim!({ width: 300, height: 400, opaque: true });
    expect(rest.steps.filter((s) => s.op !== 'encode')).toEqual([{ op: 'resize', width: 100, height: 133 }]);
    expect(rest.steps.at(-1)).toMatchObject({ op: 'encode', format: 'jpg', width: 100, height: 133 });
  });
  it('a second trim continues from the first continuation', () => {
    const p = plan('e_trim/c_scale,w_0.5/e_trim:20:white/c_scale,w_10', photo);
    const first = p.afterTrim!({ width: 400, height: 200, opaque: true });
    expect(first.steps.find((s) => s.op === 'resize')).toMatchObject({ width: 200, height: 100 });
    const second = first.afterTrim!({ width: 50, height: 100, opaque: true });
    expect(second.steps.find((s) => s.op === 'resize')).toMatchObject({ width: 10, height: 20 });
  });
  it('a transparent trimmed image going to JPEG is flattened', () => {
    const rest = plan('e_trim', photo).afterTrim!({ width: 10, height: 10, opaque: false });
    expect(rest.steps.map((s) => s.op)).toEqual(['flatten', 'encode']);
  });
  it('refuses variables with it', () => {
    expect(errorOf(() => plan('$w_100/e_trim/c_scale,w_$w', photo)).message).toMatch(/e_trim cannot be combined with variables/);
  });
});
