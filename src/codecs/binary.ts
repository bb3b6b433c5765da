/** Byte readers shared by the header parsers: bounds-checked by the callers through need(). */
import { ImageError } from '../pixels/errors';

export const invalid = (detail?: string) => new ImageError(detail ? `Invalid image file: ${detail}` : 'Invalid image file');

export function ascii(b: Uint8Array, at: number, n: number): string {
  let s = '';
  for (let i = 0; i < n && at + i < b.length; i++) s += String.fromCharCode(b[at + i]);
  return s;
}
export const u16be = (b: Uint8Array, i: number) => (b[i] << 8) | b[i + 1];
export const u16le = (b: Uint8Array, i: number) => b[i] | (b[i + 1] << 8);
export const u24le = (b: Uint8Array, i: number) => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16);
export const u32be = (b: Uint8Array, i: number) => ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
export const u32le = (b: Uint8Array, i: number) => (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;

export function need(b: Uint8Array, end: number, what: string): void {
  if (end > b.length) throw invalid(`truncated ${what}`);
}
