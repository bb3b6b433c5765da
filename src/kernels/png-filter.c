// PNG row filters for the encoder (encode-png.ts), in WebAssembly SIMD: every candidate filter of
// a row (None, Sub, Up, Average, Paeth) and the choice among them by the smallest sum of absolute
// differences, as libpng's adaptive filtering. Forward filters read only unfiltered bytes, so
// there is no dependency along the row: sixteen bytes at a time. No libc; memory laid out by the
// caller: the current and previous rows each preceded by `ch` zero bytes, five candidate rows.
#include <wasm_simd128.h>
#include <stdint.h>

typedef v128_t v;

/** Sum of |signed byte| of n bytes (n a multiple of 16, trailing bytes zero). */
static uint32_t sad(const uint8_t *p, int n) {
  v acc = wasm_i32x4_splat(0);
  for (int i = 0; i < n; i += 16) {
    v a = wasm_i8x16_abs(wasm_v128_load(p + i)); // -128 -> 0x80 = 128 as unsigned
    acc = wasm_i32x4_add(acc, wasm_u32x4_extadd_pairwise_u16x8(wasm_u16x8_extadd_pairwise_u8x16(a)));
  }
  return (uint32_t)(wasm_i32x4_extract_lane(acc, 0) + wasm_i32x4_extract_lane(acc, 1) + wasm_i32x4_extract_lane(acc, 2) + wasm_i32x4_extract_lane(acc, 3));
}

/** Paeth predictor of 8 samples (i16 lanes). */
static inline v paeth8(v a, v b, v c) {
  v pa = wasm_i16x8_abs(wasm_i16x8_sub(b, c));                           // |p - a|, p = a + b - c
  v pb = wasm_i16x8_abs(wasm_i16x8_sub(a, c));                           // |p - b|
  v pc = wasm_i16x8_abs(wasm_i16x8_sub(wasm_i16x8_add(a, b), wasm_i16x8_add(c, c))); // |p - c|
  v use_a = wasm_v128_and(wasm_i16x8_le(pa, pb), wasm_i16x8_le(pa, pc));
  v use_b = wasm_i16x8_le(pb, pc);
  return wasm_v128_bitselect(a, wasm_v128_bitselect(b, c, use_b), use_a);
}

/**
 * Filters one row of `stride` bytes (`ch` bytes per pixel): cur and prev point at the row's first
 * byte, with `ch` zero bytes before each (and prev all zero for the first row). The five
 * candidates go to out + type * padded, where padded = stride rounded up to 16. Returns the type
 * with the smallest sum of absolute differences (ties: the lower type).
 */
__attribute__((export_name("filter_row")))
int filter_row(const uint8_t *cur, const uint8_t *prev, int stride, int ch, uint8_t *out) {
  const int padded = (stride + 15) & ~15;
  uint8_t *none = out, *sub = out + padded, *up = out + 2 * padded, *avg = out + 3 * padded, *pae = out + 4 * padded;
  for (int i = 0; i < padded; i += 16) {
    v x = wasm_v128_load(cur + i), a = wasm_v128_load(cur + i - ch), b = wasm_v128_load(prev + i), c = wasm_v128_load(prev + i - ch);
    if (i + 16 > stride) { // zero the bytes past the row so that they add nothing to the sums
      uint8_t m[16];
      for (int k = 0; k < 16; k++) m[k] = i + k < stride ? 0xFF : 0;
      v keep = wasm_v128_load(m);
      x = wasm_v128_and(x, keep); a = wasm_v128_and(a, keep); b = wasm_v128_and(b, keep); c = wasm_v128_and(c, keep);
    }
    wasm_v128_store(none + i, x);
    wasm_v128_store(sub + i, wasm_i8x16_sub(x, a));
    wasm_v128_store(up + i, wasm_i8x16_sub(x, b));
    // floor((a + b) / 2) without overflow: (a & b) + ((a ^ b) >> 1)
    v half = wasm_i8x16_add(wasm_v128_and(a, b), wasm_u8x16_shr(wasm_v128_xor(a, b), 1));
    wasm_v128_store(avg + i, wasm_i8x16_sub(x, half));
    v lo = paeth8(wasm_u16x8_extend_low_u8x16(a), wasm_u16x8_extend_low_u8x16(b), wasm_u16x8_extend_low_u8x16(c));
    v hi = paeth8(wasm_u16x8_extend_high_u8x16(a), wasm_u16x8_extend_high_u8x16(b), wasm_u16x8_extend_high_u8x16(c));
    wasm_v128_store(pae + i, wasm_i8x16_sub(x, wasm_u8x16_narrow_i16x8(lo, hi)));
  }
  int best = 0;
  uint32_t bestSum = sad(none, padded);
  for (int t = 1; t < 5; t++) {
    uint32_t s = sad(out + t * padded, padded);
    if (s < bestSum) bestSum = s, best = t;
  }
  return best;
}
