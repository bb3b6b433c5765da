/**
 * The colour maths the planner hands to ops/color.ts: 3x4 matrices of documented colour transforms
 * (the CSS Filter Effects matrices, W3C Filter Effects Module Level 1 §13) and the joining of
 * consecutive colour stages into one step.
 */
import type { ColorMatrix, ColorStage, Rgba } from './steps';

// biome-ignore format: a matrix
export const IDENTITY: ColorMatrix = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0];

/** Channels multiplied by r, g, b, then `offset` added (0-255 scale). */
export function scale(r: number, g = r, b = r, offset = 0): ColorMatrix {
  // biome-ignore format: a matrix
  return [r, 0, 0, offset, 0, g, 0, offset, 0, 0, b, offset];
}

/** CSS sepia(a): 1 is the full sepia matrix, 0 the identity. */
export function sepia(a: number): ColorMatrix {
  const k = 1 - a;
  // biome-ignore format: the matrix's rows
  return [
    0.393 + 0.607 * k, 0.769 - 0.769 * k, 0.189 - 0.189 * k, 0,
    0.349 - 0.349 * k, 0.686 + 0.314 * k, 0.168 - 0.168 * k, 0,
    0.272 - 0.272 * k, 0.534 - 0.534 * k, 0.131 + 0.869 * k, 0,
  ];
}

/** CSS saturate(s): 0 is gray (Rec. 709 luma), 1 the identity, above 1 more saturated. */
export function saturate(s: number): ColorMatrix {
  // biome-ignore format: the matrix's rows
  return [
    0.213 + 0.787 * s, 0.715 - 0.715 * s, 0.072 - 0.072 * s, 0,
    0.213 - 0.213 * s, 0.715 + 0.285 * s, 0.072 - 0.072 * s, 0,
    0.213 - 0.213 * s, 0.715 - 0.715 * s, 0.072 + 0.928 * s, 0,
  ];
}

/** CSS hue-rotate(degrees): luma-preserving rotation of the hue. */
export function hueRotate(degrees: number): ColorMatrix {
  const c = Math.cos((degrees * Math.PI) / 180);
  const s = Math.sin((degrees * Math.PI) / 180);
  // biome-ignore format: the matrix's rows
  return [
    0.213 + c * 0.787 - s * 0.213, 0.715 - c * 0.715 - s * 0.715, 0.072 - c * 0.072 + s * 0.928, 0,
    0.213 - c * 0.213 + s * 0.143, 0.715 + c * 0.285 + s * 0.14, 0.072 - c * 0.072 - s * 0.283, 0,
    0.213 - c * 0.213 - s * 0.787, 0.715 - c * 0.715 + s * 0.715, 0.072 + c * 0.928 + s * 0.072, 0,
  ];
}

/** Blends towards `color` by a (0..1): in (1 - a) + color a. */
export function blendTowards([r, g, b]: Rgba, a: number): ColorMatrix {
  // biome-ignore format: a matrix
  return [1 - a, 0, 0, r * a, 0, 1 - a, 0, g * a, 0, 0, 1 - a, b * a];
}

/** A 3x3 (or the RGB part of a 4x4) row-major matrix on 0..1 values, as e_recolor gives it. */
export function fromRows(values: readonly number[]): ColorMatrix {
  const n = values.length === 16 ? 4 : 3;
  const m: number[] = [];
  for (let r = 0; r < 3; r++) m.push(values[r * n], values[r * n + 1], values[r * n + 2], n === 4 ? values[r * n + 3] * 255 : 0);
  return m as unknown as ColorMatrix;
}

/** The matrix of applying `first`, then `then`. */
export function composeColor(first: ColorMatrix, then: ColorMatrix): ColorMatrix {
  const out: number[] = [];
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) out.push(then[r * 4] * first[c] + then[r * 4 + 1] * first[4 + c] + then[r * 4 + 2] * first[8 + c]);
    out.push(then[r * 4] * first[3] + then[r * 4 + 1] * first[7] + then[r * 4 + 2] * first[11] + then[r * 4 + 3]);
  }
  return out as unknown as ColorMatrix;
}

/** `a` then `b` as one list, neighbouring matrices multiplied into one. */
export function joinStages(a: readonly ColorStage[], b: readonly ColorStage[]): ColorStage[] {
  const out = [...a];
  for (const s of b) {
    const last = out.at(-1);
    if (last && 'matrix' in last && 'matrix' in s) out[out.length - 1] = { matrix: composeColor(last.matrix, s.matrix) };
    else out.push(s);
  }
  return out;
}
