/**
 * Value grammars shared by the parameter table. Each parser takes the raw value text (after `key_`)
 * and returns a typed value or throws ParamError with what was expected.
 */
import { ParamError } from './errors';

/** A width or height: pixels, a ratio of the input (`0.5`, `4.0`), the input's own size, or a client hint. */
export type Dimension =
  | { kind: 'px'; value: number }
  | { kind: 'ratio'; value: number }
  | { kind: 'input'; of: 'width' | 'height' }
  | { kind: 'auto'; step: number; fallback?: number };

/** x / y: pixels (may be negative) or a fraction of the input size. */
export type Offset = { kind: 'px'; value: number } | { kind: 'ratio'; value: number };

export const MAX_PIXELS_PER_SIDE = 25_000;
const INT = /^\d+$/;
const DECIMAL = /^\d*\.\d+$|^\d+\.\d*$/;
const SIGNED_INT = /^-?\d+$/;
const SIGNED_DECIMAL = /^-?(\d*\.\d+|\d+\.\d*)$/;

export function positiveInt(name: string, raw: string, min: number, max: number): number {
  if (!INT.test(raw)) throw new ParamError(name, raw, `an integer from ${min} to ${max}`);
  const n = Number(raw);
  if (n < min || n > max) throw new ParamError(name, raw, `an integer from ${min} to ${max}`);
  return n;
}

export function dimension(name: 'width' | 'height', allowAuto: boolean) {
  const expected = `a positive integer of pixels (at most ${MAX_PIXELS_PER_SIDE}), a decimal ratio such as 0.5 or 4.0, iw, ih${allowAuto ? ' or auto[:step][:fallback]' : ''}`;
  return (raw: string): Dimension => {
    if (INT.test(raw)) {
      const n = Number(raw);
      if (n < 1 || n > MAX_PIXELS_PER_SIDE) throw new ParamError(name, raw, expected);
      return { kind: 'px', value: n };
    }
    if (DECIMAL.test(raw)) {
      const n = Number(raw);
      if (!(n > 0) || n > 100) throw new ParamError(name, raw, expected);
      return { kind: 'ratio', value: n };
    }
    if (raw === 'iw' || raw === 'ow') return { kind: 'input', of: 'width' };
    if (raw === 'ih' || raw === 'oh') return { kind: 'input', of: 'height' };
    if (allowAuto && (raw === 'auto' || raw.startsWith('auto:'))) {
      const [, step = '100', fallback, ...rest] = raw.split(':');
      if (rest.length || !INT.test(step) || Number(step) < 1 || (fallback !== undefined && !INT.test(fallback))) throw new ParamError(name, raw, expected);
      const fb = fallback === undefined ? undefined : Number(fallback);
      if (fb !== undefined && (fb < 1 || fb > MAX_PIXELS_PER_SIDE)) throw new ParamError(name, raw, expected);
      return { kind: 'auto', step: Math.min(Number(step), MAX_PIXELS_PER_SIDE), fallback: fb };
    }
    throw new ParamError(name, raw, expected);
  };
}

export function formatDimension(d: Dimension): string {
  switch (d.kind) {
    case 'px':
      return String(d.value);
    case 'ratio':
      return decimal(d.value);
    case 'input':
      return d.of === 'width' ? 'iw' : 'ih';
    case 'auto':
      return `auto:${d.step}${d.fallback !== undefined ? `:${d.fallback}` : ''}`;
  }
}

export function offset(name: 'x' | 'y') {
  return (raw: string): Offset => {
    if (SIGNED_INT.test(raw) && Math.abs(Number(raw)) <= MAX_PIXELS_PER_SIDE) return { kind: 'px', value: Number(raw) };
    if (SIGNED_DECIMAL.test(raw) && Math.abs(Number(raw)) <= 1) return { kind: 'ratio', value: Number(raw) };
    throw new ParamError(name, raw, `an integer of pixels or a decimal fraction from -1.0 to 1.0`);
  };
}

export function formatOffset(o: Offset): string {
  return o.kind === 'px' ? String(o.value) : decimal(o.value);
}

/** `16:9` or `1.5`, as width / height. */
export function aspectRatio(raw: string): number {
  const expected = 'a ratio such as 16:9 or a decimal such as 1.5';
  const m = /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(raw);
  const value = m ? Number(m[1]) / Number(m[2]) : DECIMAL.test(raw) || INT.test(raw) ? Number(raw) : NaN;
  if (!(value >= 0.001 && value <= 1000)) throw new ParamError('aspect_ratio', raw, expected);
  return value;
}

/** Decimal with at least one fractional digit, the way SDKs print ratios (`4.0`, `0.5`). */
export function decimal(n: number): string {
  const s = String(Number(n.toFixed(6)));
  return s.includes('.') ? s : `${s}.0`;
}

export function oneOf<T extends string>(name: string, values: readonly T[]) {
  return (raw: string): T => {
    if ((values as readonly string[]).includes(raw)) return raw as T;
    throw new ParamError(name, raw, `one of ${values.join(', ')}`);
  };
}
