// Issue #15's memory matrix, webp output (test/routes/memory-matrix.ts): own file, fresh isolate.
import { describe, it } from 'vitest';
import { type MatrixCase, runCase } from './memory-matrix';

const cases: MatrixCase[] = [
  { input: 'jpg', transformation: 'c_scale,w_1200', size: '1200x900' },
  { input: 'png', transformation: 'c_scale,w_1200', size: '1200x900' },
  { input: 'webp', transformation: 'c_scale,w_1200', size: '1200x900' },
  // q_auto, before the larger outputs: the large encoder's instance keeps its largest encode's memory.
  { input: 'webp', transformation: 'w_700,q_auto,f_auto,dpr_2', size: '1400x1050' },
  { input: 'png', transformation: 'dpr_2,f_auto,q_auto,w_800', size: '1600x1200' },
  { input: 'webp', transformation: 'w_850,dpr_2', size: '1700x1275' },
  { input: 'jpg', transformation: 'c_pad,w_2000,h_1200,b_black', size: '2000x1200' },
  { input: 'webp', transformation: 'c_scale,w_2.0', size: '2000x1500' },
  { input: 'jpg', transformation: 'c_scale,w_2.0', size: '2000x1500' },
  { input: 'png', transformation: 'c_scale,w_2.0', size: '2000x1500' },
  { input: 'jpg', transformation: 'c_scale,w_2309', size: '2309x1732' },
  { input: 'png', transformation: 'c_scale,w_2309', size: '2309x1732' },
  { input: 'webp', transformation: 'c_scale,w_2309', size: '2309x1732' },
  { input: 'jpg', transformation: 'c_fill,w_2000,h_2000,e_vibrance', size: '2000x2000' },
  // Last: an effect holds whole images in the resample kernel's memory, which stays grown.
  { input: 'png', transformation: 'c_fill,w_1700,h_1275,e_sharpen', size: '1700x1275' },
];

describe('webp output: served, WASM high-water under the estimate and the budget', () => {
  it.each(cases)('$input -> $transformation ($size)', (c) => runCase('webp', c));
});
