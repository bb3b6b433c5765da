// Memory bounds of the PNG decoder (decode-png.ts), pure arithmetic for cost.ts.

/** Allocations of the kernels' bump allocator are 16-byte aligned (kernels/kernel.ts align16). */
const align16 = (n: number) => (n + 15) & ~15;

/** Pending raw bytes and RGBA output per kernel call (each at least one row). */
export const PNG_BAND_BYTES = 1 << 18;

/**
 * Kernel memory one decode takes above the heap base for an image `width` wide: the palette, two
 * raw rows, the pending band of raw rows and the RGBA band (RGBA16 rows are the widest).
 */
export function pngKernelBytes(width: number): number {
  const stride = 1 + width * 8;
  const buf = (n: number) => align16(n + 16);
  return buf(1024) + 2 * buf(stride) + buf(Math.max(PNG_BAND_BYTES, stride)) + buf(Math.max(PNG_BAND_BYTES, width * 4));
}

/** Inflated size of a PNG's image data (non-interlaced; Adam7 adds at most 7 filter bytes a row of passes). */
export function pngRawBytes(width: number, height: number, channels: number, depth: number): number {
  return height * (1 + Math.ceil((width * channels * depth) / 8)) + 7 * height;
}
