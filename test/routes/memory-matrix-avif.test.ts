// Issue #15's memory matrix, avif output (test/routes/memory-matrix.ts): own file, fresh isolate.
import { describe, it } from 'vitest';
import { type MatrixCase, runCase } from './memory-matrix';

// AVIF's encoder (30 B/px) beside the rest of the request: over the budget the planner delivers
// WebP (X-Dprox-Format-Fallback), as it does above AVIF_MAX_PIXELS.
const cases: MatrixCase[] = [
  { input: 'jpg', transformation: 'c_scale,w_1200', size: '1200x900' },
  { input: 'png', transformation: 'c_scale,w_1200', size: '1200x900' },
  { input: 'webp', transformation: 'w_700,q_auto,f_auto,dpr_2', size: '1400x1050', delivered: 'webp' },
  { input: 'png', transformation: 'dpr_2,f_auto,q_auto,w_800', size: '1600x1200', delivered: 'webp' },
  { input: 'jpg', transformation: 'c_scale,w_1633', size: '1633x1225', delivered: 'webp' },
  { input: 'webp', transformation: 'w_850,dpr_2', size: '1700x1275', delivered: 'webp' },
  { input: 'jpg', transformation: 'c_scale,w_2309', size: '2309x1732', delivered: 'webp' },
];

describe('avif output: served, WASM high-water under the estimate and the budget', () => {
  it.each(cases)('$input -> $transformation ($size)', (c) => runCase('avif', c));
});
