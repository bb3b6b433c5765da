// PNG row reconstruction (filter types None/Sub/Up/Average/Paeth) and expansion to 8-bit RGBA,
// in one pass per row. Build: scripts/build-wasm.sh (clang --target=wasm32 -msimd128). No libc:
// memory is laid out by the caller (png-decode.ts), which inflates the image data with the
// runtime's zlib and hands this module bands of raw rows (filter byte + packed samples).
//
// Sub/Average/Paeth depend on the reconstructed pixel to the left, so a row is sequential pixel
// by pixel; the channels of one pixel (bpp bytes, up to 8) go through SIMD lanes together.
// Buffers written here may take up to 8 bytes past their end: the caller pads them by 16.
#include <wasm_simd128.h>
#include <stdint.h>

typedef uint8_t u8;

static inline int iabs(int x) { return x < 0 ? -x : x; }

static inline u8 paeth(int a, int b, int c) {
  int pa = iabs(b - c), pb = iabs(a - c), pc = iabs(a + b - 2 * c);
  return (u8)(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
}

/** Reconstructs one row of `rb` bytes into dst (never aliasing src or prev). 0, or -1 for a bad filter type. */
static int unfilter(int filter, const u8 *restrict src, const u8 *restrict prev, u8 *restrict dst, int rb, int bpp) {
  switch (filter) {
    case 0:
      __builtin_memcpy(dst, src, rb);
      return 0;
    case 2:
      for (int i = 0; i < rb; i++) dst[i] = src[i] + prev[i];
      return 0;
    case 1:
      if (bpp >= 3) {
        v128_t a = wasm_i64x2_splat(0);
        for (int i = 0; i < rb; i += bpp) {
          a = wasm_i8x16_add(wasm_v128_load64_zero(src + i), a);
          wasm_v128_store64_lane(dst + i, a, 0);
        }
      } else {
        for (int i = 0; i < bpp; i++) dst[i] = src[i];
        for (int i = bpp; i < rb; i++) dst[i] = src[i] + dst[i - bpp];
      }
      return 0;
    case 3:
      if (bpp >= 3) {
        const v128_t lo = wasm_i16x8_splat(0xff);
        v128_t a = wasm_i64x2_splat(0);
        for (int i = 0; i < rb; i += bpp) {
          v128_t x = wasm_u16x8_load8x8(src + i), b = wasm_u16x8_load8x8(prev + i);
          a = wasm_v128_and(wasm_i16x8_add(x, wasm_u16x8_shr(wasm_i16x8_add(a, b), 1)), lo);
          wasm_v128_store64_lane(dst + i, wasm_u8x16_narrow_i16x8(a, a), 0);
        }
      } else {
        for (int i = 0; i < bpp; i++) dst[i] = src[i] + (prev[i] >> 1);
        for (int i = bpp; i < rb; i++) dst[i] = src[i] + ((dst[i - bpp] + prev[i]) >> 1);
      }
      return 0;
    case 4:
      if (bpp >= 3) {
        const v128_t lo = wasm_i16x8_splat(0xff);
        v128_t a = wasm_i64x2_splat(0), c = a;
        for (int i = 0; i < rb; i += bpp) {
          v128_t x = wasm_u16x8_load8x8(src + i), b = wasm_u16x8_load8x8(prev + i);
          v128_t pa_ = wasm_i16x8_sub(b, c), pb_ = wasm_i16x8_sub(a, c);
          v128_t pc = wasm_i16x8_abs(wasm_i16x8_add(pa_, pb_));
          v128_t pa = wasm_i16x8_abs(pa_), pb = wasm_i16x8_abs(pb_);
          v128_t useA = wasm_v128_and(wasm_i16x8_le(pa, pb), wasm_i16x8_le(pa, pc));
          v128_t pred = wasm_v128_bitselect(a, wasm_v128_bitselect(b, c, wasm_i16x8_le(pb, pc)), useA);
          a = wasm_v128_and(wasm_i16x8_add(x, pred), lo);
          c = b;
          wasm_v128_store64_lane(dst + i, wasm_u8x16_narrow_i16x8(a, a), 0);
        }
      } else {
        for (int i = 0; i < bpp; i++) dst[i] = src[i] + prev[i];
        for (int i = bpp; i < rb; i++) dst[i] = src[i] + paeth(dst[i - bpp], prev[i], prev[i - bpp]);
      }
      return 0;
    default:
      return -1;
  }
}

static inline uint32_t rgba(uint32_t r, uint32_t g, uint32_t b, uint32_t a) { return r | g << 8 | b << 16 | a << 24; }

/**
 * One reconstructed row at its colour type and bit depth to RGBA8 (16-bit: the high byte).
 * tRNS: key >= 0 makes the matching gray (k0) or RGB (k0, k1, k2) sample transparent (compared at
 * the full bit depth); palette entries are RGBA with tRNS alpha. Returns the AND of the alphas.
 */
static uint32_t expand(const u8 *restrict s, uint32_t *restrict out, int width, int ct, int depth,
                       const uint32_t *restrict pal, int key, int k1, int k2) {
  uint32_t and = 0xff;
  if (ct == 6 && depth == 8) {
    // dst was the output row itself: only the alpha AND is left to do.
    const u8 *o = (const u8 *)out;
    v128_t acc = wasm_i8x16_splat(-1);
    int x = 0;
    for (; x + 4 <= width; x += 4) acc = wasm_v128_and(acc, wasm_v128_load(o + x * 4));
    uint32_t m = wasm_i32x4_extract_lane(acc, 0) & wasm_i32x4_extract_lane(acc, 1) & wasm_i32x4_extract_lane(acc, 2) & wasm_i32x4_extract_lane(acc, 3);
    for (; x < width; x++) m &= out[x];
    return m >> 24;
  }
  switch (ct) {
    case 0:
      if (depth < 8) {
        const int mask = (1 << depth) - 1, scale = 255 / mask;
        for (int x = 0; x < width; x++) {
          int bit = x * depth;
          int v = (s[bit >> 3] >> (8 - depth - (bit & 7))) & mask;
          uint32_t a = v == key ? 0 : 255, g = v * scale;
          and &= a;
          out[x] = rgba(g, g, g, a);
        }
      } else if (depth == 8) {
        for (int x = 0; x < width; x++) {
          uint32_t g = s[x], a = (int)g == key ? 0 : 255;
          and &= a;
          out[x] = rgba(g, g, g, a);
        }
      } else {
        for (int x = 0; x < width; x++) {
          uint32_t g = s[2 * x], a = (int)(g << 8 | s[2 * x + 1]) == key ? 0 : 255;
          and &= a;
          out[x] = rgba(g, g, g, a);
        }
      }
      return and;
    case 2:
      if (depth == 8) {
        if (key < 0) {
          for (int x = 0; x < width; x++) out[x] = rgba(s[3 * x], s[3 * x + 1], s[3 * x + 2], 255);
          return 255;
        }
        for (int x = 0; x < width; x++) {
          const u8 *p = s + 3 * x;
          uint32_t a = p[0] == key && p[1] == k1 && p[2] == k2 ? 0 : 255;
          and &= a;
          out[x] = rgba(p[0], p[1], p[2], a);
        }
      } else {
        for (int x = 0; x < width; x++) {
          const u8 *p = s + 6 * x;
          uint32_t a = (p[0] << 8 | p[1]) == key && (p[2] << 8 | p[3]) == k1 && (p[4] << 8 | p[5]) == k2 ? 0 : 255;
          and &= a;
          out[x] = rgba(p[0], p[2], p[4], a);
        }
      }
      return and;
    case 3: {
      uint32_t all = 0xffffffffu;
      if (depth == 8) {
        for (int x = 0; x < width; x++) all &= out[x] = pal[s[x]];
      } else {
        const int mask = (1 << depth) - 1;
        for (int x = 0; x < width; x++) {
          int bit = x * depth;
          all &= out[x] = pal[(s[bit >> 3] >> (8 - depth - (bit & 7))) & mask];
        }
      }
      return all >> 24;
    }
    case 4:
      for (int x = 0, step = depth / 4; x < width; x++) {
        const u8 *p = s + step * x;
        uint32_t g = p[0], a = p[step / 2];
        and &= a;
        out[x] = rgba(g, g, g, a);
      }
      return and;
    default: // 6, 16-bit
      for (int x = 0; x < width; x++) {
        const u8 *p = s + 8 * x;
        and &= p[6];
        out[x] = rgba(p[0], p[2], p[4], p[6]);
      }
      return and;
  }
}

/**
 * Reconstructs and expands `n` consecutive raw rows (each a filter byte then rb bytes) of an image
 * or Adam7 pass `width` pixels wide. `prev` holds the row above the first (zeros at the top of the
 * image or pass) and receives the last one; `scratch` is one more row. Output: n rows of RGBA8 at
 * `out`. Returns the AND of all output alphas (0..255), or -1 for a bad filter type.
 */
__attribute__((export_name("rows")))
int rows(const u8 *raw, int n, int width, int ct, int depth, u8 *prev, u8 *scratch,
         const uint32_t *pal, int key, int k1, int k2, u8 *out) {
  const int channels = ct == 0 || ct == 3 ? 1 : ct == 2 ? 3 : ct == 4 ? 2 : 4;
  const int bits = channels * depth;
  const int rb = (width * bits + 7) >> 3, bpp = bits < 8 ? 1 : bits >> 3;
  const int direct = ct == 6 && depth == 8;
  const u8 *up = prev;
  u8 *spare = scratch;
  uint32_t and = 0xff;
  for (int r = 0; r < n; r++) {
    const u8 *src = raw + r * (rb + 1);
    u8 *o = out + r * width * 4;
    u8 *dst = direct ? o : spare;
    if (unfilter(src[0], src + 1, up, dst, rb, bpp)) return -1;
    and &= expand(dst, (uint32_t *)o, width, ct, depth, pal, key, k1, k2);
    if (!direct) spare = (u8 *)up;
    up = dst;
  }
  if (n > 0 && up != prev) __builtin_memcpy(prev, up, rb);
  return (int)and;
}
