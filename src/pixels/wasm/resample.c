// Separable filter kernel (resize and blur) in WebAssembly SIMD: one f32x4 per RGBA pixel.
// Build: scripts/build-wasm.sh (clang --target=wasm32 -msimd128). No libc: memory is laid out by
// the caller (resample-wasm.ts), which passes byte offsets into this module's exported memory.
//
// The caller (resample-wasm.ts) streams rows: each source row is converted once to float
// (premultiplied by alpha when asked) into a ring of `ysize` rows; each output row sums its
// vertical taps into one float row, then filters horizontally straight to 8 bits. The module's
// memory holds only the taps, the ring, one float row and one row in and out.
#include <wasm_simd128.h>
#include <stdint.h>

typedef float f32;

static void to_float_row(const uint8_t *src, f32 *dst, int width, int premultiply) {
  const v128_t inv255 = wasm_f32x4_splat(1.0f / 255.0f);
  for (int x = 0; x < width; x++) {
    v128_t px = wasm_v128_load32_zero(src + x * 4);
    v128_t f = wasm_f32x4_convert_u32x4(wasm_u32x4_extend_low_u16x8(wasm_u16x8_extend_low_u8x16(px)));
    if (premultiply) {
      v128_t a = wasm_i32x4_shuffle(f, f, 3, 3, 3, 3);
      v128_t m = wasm_f32x4_mul(f, wasm_f32x4_mul(a, inv255));
      f = wasm_i32x4_shuffle(m, f, 0, 1, 2, 7); // keep alpha itself unscaled
    }
    wasm_v128_store(dst + x * 4, f);
  }
}

/** One source row (8-bit RGBA) to float, premultiplied when asked: the caller keeps a ring of them. */
__attribute__((export_name("load_row")))
void load_row(const uint8_t *src, f32 *dst, int width, int premultiply) { to_float_row(src, dst, width, premultiply); }

/**
 * One output row: the vertical taps over ring rows y0..y0+ysize-1 (row y lives in slot y % ysize)
 * summed into `row`, then the horizontal taps straight to 8-bit RGBA in `out`.
 */
__attribute__((export_name("emit_row")))
void emit_row(const f32 *ring, int in_w, int y0, int ysize, const f32 *wy, f32 *row,
              const int32_t *xstart, const f32 *xweights, int xsize, int out_w, uint8_t *out, int premultiply) {
  const v128_t zero = wasm_f32x4_splat(0.0f);
  const v128_t max = wasm_f32x4_splat(255.0f);
  const v128_t half = wasm_f32x4_splat(0.5f);
  const int stride = in_w * 4;
  // Vertical taps: each pixel's sum kept in registers over a group of up to 32 ring rows (one store
  // per pixel and group; long kernels, such as a big downscale without shrink-on-load, take several).
  int first = 1;
  for (int k0 = 0; k0 < ysize; k0 += 32) {
    const f32 *rows[32];
    f32 w[32];
    int n = 0;
    for (int k = k0; k < ysize && k < k0 + 32; k++) {
      if (wy[k] == 0.0f) continue;
      rows[n] = ring + ((y0 + k) % ysize) * stride;
      w[n++] = wy[k];
    }
    if (n == 0) continue;
    int x = 0;
    for (; x + 8 <= stride; x += 8) {
      v128_t a = first ? zero : wasm_v128_load(row + x);
      v128_t b = first ? zero : wasm_v128_load(row + x + 4);
      for (int k = 0; k < n; k++) {
        v128_t wk = wasm_f32x4_splat(w[k]);
        a = wasm_f32x4_add(a, wasm_f32x4_mul(wasm_v128_load(rows[k] + x), wk));
        b = wasm_f32x4_add(b, wasm_f32x4_mul(wasm_v128_load(rows[k] + x + 4), wk));
      }
      wasm_v128_store(row + x, a);
      wasm_v128_store(row + x + 4, b);
    }
    for (; x < stride; x += 4) {
      v128_t a = first ? zero : wasm_v128_load(row + x);
      for (int k = 0; k < n; k++) a = wasm_f32x4_add(a, wasm_f32x4_mul(wasm_v128_load(rows[k] + x), wasm_f32x4_splat(w[k])));
      wasm_v128_store(row + x, a);
    }
    first = 0;
  }
  if (first)
    for (int x = 0; x < stride; x += 4) wasm_v128_store(row + x, zero);
  for (int ox = 0; ox < out_w; ox++) {
    const f32 *p = row + xstart[ox] * 4;
    const f32 *wx = xweights + ox * xsize;
    v128_t acc = wasm_f32x4_mul(wasm_v128_load(p), wasm_f32x4_splat(wx[0]));
    for (int k = 1; k < xsize; k++) acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_v128_load(p + k * 4), wasm_f32x4_splat(wx[k])));
    if (premultiply) {
      f32 a = wasm_f32x4_extract_lane(acc, 3);
      if (a > 0.5f) {
        v128_t scaled = wasm_f32x4_mul(acc, wasm_f32x4_splat(255.0f / a));
        acc = wasm_i32x4_shuffle(scaled, acc, 0, 1, 2, 7);
      } else {
        acc = wasm_i32x4_shuffle(zero, acc, 0, 1, 2, 7);
      }
    }
    acc = wasm_f32x4_add(wasm_f32x4_min(wasm_f32x4_max(acc, zero), max), half);
    v128_t i = wasm_i32x4_trunc_sat_f32x4(acc);
    v128_t s = wasm_u16x8_narrow_i32x4(i, i);
    v128_t b = wasm_u8x16_narrow_i16x8(s, s);
    wasm_v128_store32_lane(out + ox * 4, b, 0);
  }
}

/**
 * Premium downscaling's detail step (pixels/detail.ts): out = src + amount * (src - blurred) on R, G,
 * B, clamped per channel to the range of the pixel's 3x3 neighbourhood in src (edges repeated), so
 * edges steepen without halos; alpha is src's. Four pixels per vector; whole w x h RGBA images.
 */
__attribute__((export_name("detail")))
void detail(const uint8_t *src, const uint8_t *blurred, uint8_t *out, int w, int h, float amount) {
  const int stride = w * 4;
  const v128_t k = wasm_f32x4_splat(amount), half = wasm_f32x4_splat(0.5f), zero = wasm_f32x4_splat(0.0f);
  const v128_t alpha = wasm_i32x4_splat((int)0xFF000000);
  for (int y = 0; y < h; y++) {
    const uint8_t *rows[3] = {src + (y > 0 ? y - 1 : 0) * stride, src + y * stride, src + (y < h - 1 ? y + 1 : y) * stride};
    for (int x = 0; x < w; x += 4) {
      const int n = w - x < 4 ? w - x : 4;
      v128_t lo = wasm_i8x16_splat((char)0xFF), hi = wasm_i8x16_splat(0), c = wasm_i8x16_splat(0), b = wasm_i8x16_splat(0);
      uint8_t tmp[16];
      if (n == 4 && x > 0 && x + 4 < w) {
        for (int r = 0; r < 3; r++) {
          const uint8_t *p = rows[r] + x * 4;
          v128_t m = wasm_v128_load(p), l = wasm_v128_load(p - 4), rr = wasm_v128_load(p + 4);
          lo = wasm_u8x16_min(lo, wasm_u8x16_min(m, wasm_u8x16_min(l, rr)));
          hi = wasm_u8x16_max(hi, wasm_u8x16_max(m, wasm_u8x16_max(l, rr)));
        }
        c = wasm_v128_load(src + y * stride + x * 4);
        b = wasm_v128_load(blurred + y * stride + x * 4);
      } else { // image edges: gather with the edge pixel repeated
        uint8_t l8[16], h8[16], c8[16] = {0}, b8[16] = {0};
        for (int i = 0; i < 16; i++) { l8[i] = 255; h8[i] = 0; }
        for (int i = 0; i < n; i++) {
          for (int r = 0; r < 3; r++)
            for (int dx = -1; dx <= 1; dx++) {
              int xx = x + i + dx;
              xx = xx < 0 ? 0 : xx >= w ? w - 1 : xx;
              for (int ch = 0; ch < 4; ch++) {
                uint8_t v = rows[r][xx * 4 + ch];
                if (v < l8[i * 4 + ch]) l8[i * 4 + ch] = v;
                if (v > h8[i * 4 + ch]) h8[i * 4 + ch] = v;
              }
            }
          for (int ch = 0; ch < 4; ch++) {
            c8[i * 4 + ch] = src[y * stride + (x + i) * 4 + ch];
            b8[i * 4 + ch] = blurred[y * stride + (x + i) * 4 + ch];
          }
        }
        lo = wasm_v128_load(l8); hi = wasm_v128_load(h8); c = wasm_v128_load(c8); b = wasm_v128_load(b8);
      }
      // Per pixel in float: v = c + k (c - b), then clamp to [lo, hi] (in 8 bits).
      v128_t res[4];
      for (int p = 0; p < 4; p++) {
        v128_t cf, bf;
        switch (p) { // lanes of pixel p as f32x4
          case 0: cf = wasm_u32x4_extend_low_u16x8(wasm_u16x8_extend_low_u8x16(c)); bf = wasm_u32x4_extend_low_u16x8(wasm_u16x8_extend_low_u8x16(b)); break;
          case 1: cf = wasm_u32x4_extend_high_u16x8(wasm_u16x8_extend_low_u8x16(c)); bf = wasm_u32x4_extend_high_u16x8(wasm_u16x8_extend_low_u8x16(b)); break;
          case 2: cf = wasm_u32x4_extend_low_u16x8(wasm_u16x8_extend_high_u8x16(c)); bf = wasm_u32x4_extend_low_u16x8(wasm_u16x8_extend_high_u8x16(b)); break;
          default: cf = wasm_u32x4_extend_high_u16x8(wasm_u16x8_extend_high_u8x16(c)); bf = wasm_u32x4_extend_high_u16x8(wasm_u16x8_extend_high_u8x16(b)); break;
        }
        v128_t fc = wasm_f32x4_convert_i32x4(cf), fb = wasm_f32x4_convert_i32x4(bf);
        v128_t vv = wasm_f32x4_add(fc, wasm_f32x4_mul(k, wasm_f32x4_sub(fc, fb)));
        res[p] = wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_add(wasm_f32x4_max(vv, zero), half));
      }
      v128_t s = wasm_u8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(res[0], res[1]), wasm_i16x8_narrow_i32x4(res[2], res[3]));
      s = wasm_u8x16_max(wasm_u8x16_min(s, hi), lo);
      s = wasm_v128_bitselect(c, s, alpha); // alpha from src
      if (n == 4) wasm_v128_store(out + y * stride + x * 4, s);
      else {
        wasm_v128_store(tmp, s);
        for (int i = 0; i < n * 4; i++) out[y * stride + x * 4 + i] = tmp[i];
      }
    }
  }
}
