// Separable filter kernel (resize and blur) in WebAssembly SIMD.
// Build: scripts/build-wasm.sh (clang --target=wasm32 -msimd128). No libc: memory is laid out by
// the caller (resample-wasm.ts), which passes byte offsets into this module's exported memory.
//
// The caller (resample-wasm.ts) streams rows: each source row is converted once to 16-bit fixed
// point (value x 64, premultiplied by alpha when asked) into a ring of `ysize` rows; each output
// row sums its vertical taps (weights in Q14, two taps per i32x4.dot) into one 16-bit row, then
// filters it horizontally the same way (two neighbouring pixels per i32x4.dot) straight to 8 bits.
// The module's memory holds only the taps, the ring, one 16-bit row and one row in and out.
#include <wasm_simd128.h>
#include <stdint.h>

typedef float f32;

/** Ring samples are 8-bit values times 64; weights are Q14: a vertical sum is scaled by 2^20. */
#define RING_SHIFT 6
#define WEIGHT_BITS 14

static inline int wq14(f32 w) {
  w *= (f32)(1 << WEIGHT_BITS);
  return (int)(w < 0 ? w - 0.5f : w + 0.5f);
}

static void to_ring_row(const uint8_t *src, int16_t *dst, int width, int premultiply) {
  const v128_t inv255 = wasm_f32x4_splat(1.0f / 255.0f);
  const v128_t scale = wasm_f32x4_splat((float)(1 << RING_SHIFT)), half = wasm_f32x4_splat(0.5f);
  int x = 0;
  if (!premultiply) {
    for (; x + 4 <= width; x += 4) { // four pixels: u8 -> i16, times 64
      v128_t px = wasm_v128_load(src + x * 4);
      wasm_v128_store(dst + x * 4, wasm_i16x8_shl(wasm_u16x8_extend_low_u8x16(px), RING_SHIFT));
      wasm_v128_store(dst + x * 4 + 8, wasm_i16x8_shl(wasm_u16x8_extend_high_u8x16(px), RING_SHIFT));
    }
  }
  for (; x < width; x++) {
    v128_t px = wasm_v128_load32_zero(src + x * 4);
    v128_t f = wasm_f32x4_convert_u32x4(wasm_u32x4_extend_low_u16x8(wasm_u16x8_extend_low_u8x16(px)));
    if (premultiply) {
      v128_t a = wasm_i32x4_shuffle(f, f, 3, 3, 3, 3);
      v128_t m = wasm_f32x4_mul(f, wasm_f32x4_mul(a, inv255));
      f = wasm_i32x4_shuffle(m, f, 0, 1, 2, 7); // keep alpha itself unscaled
    }
    v128_t i = wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_add(wasm_f32x4_mul(f, scale), half));
    wasm_v128_store64_lane(dst + x * 4, wasm_i16x8_narrow_i32x4(i, i), 0);
  }
}

/** One source row (8-bit RGBA) into the ring, premultiplied when asked. */
__attribute__((export_name("load_row")))
void load_row(const uint8_t *src, int16_t *dst, int width, int premultiply) { to_ring_row(src, dst, width, premultiply); }

/**
 * The vertical taps over ring rows y0..y0+ysize-1 (row y lives in slot y % ysize), `stride` 16-bit
 * samples each (a multiple of 4), summed into `row`.
 */
static void vertical_taps(const int16_t *ring, int stride, int y0, int ysize, const f32 *wy, int16_t *row) {
  // Vertical taps in Q14, rounded so that they still sum to exactly 1 (the largest takes the rest).
  int sum = 0, big = 0, bigq = -65536;
  for (int k = 0; k < ysize; k++) {
    int q = wq14(wy[k]);
    sum += q;
    if (q > bigq) bigq = q, big = k;
  }
  const int fix = (1 << WEIGHT_BITS) - sum;
  const v128_t round14 = wasm_i32x4_splat(1 << (WEIGHT_BITS - 1));
  // Groups of up to 64 non-zero taps (a big downscale without shrink-on-load has thousands): each
  // group's sums go into `row`, the first group's stored, the others' added.
  int first = 1;
  for (int k0 = 0; k0 < ysize; k0 += 64) {
    const int16_t *rows[66];
    int16_t wq[66];
    int n = 0;
    for (int k = k0; k < ysize && k < k0 + 64; k++) {
      int q = wq14(wy[k]) + (k == big ? fix : 0);
      if (q == 0) continue;
      rows[n] = ring + ((y0 + k) % ysize) * stride;
      wq[n++] = (int16_t)q;
    }
    if (n == 0) continue;
    if (n & 1) { // pairs: the last one gets a zero weight
      rows[n] = rows[n - 1];
      wq[n++] = 0;
    }
    v128_t wp[33]; // each pair of weights, (w[k], w[k+1]) in every i32 lane
    for (int k = 0; k < n; k += 2) wp[k >> 1] = wasm_i32x4_splat((int32_t)((uint32_t)(uint16_t)wq[k] | ((uint32_t)(uint16_t)wq[k + 1] << 16)));
    // Two pixels (eight i16) per step; each pair of taps is one i32x4.dot per pixel (rows k and
    // k+1 interleaved by 16-bit lanes: punpcklwd/punpckhwd, then pmaddwd on x64).
    int x = 0;
    for (; x + 8 <= stride; x += 8) {
      v128_t a0 = wasm_i32x4_splat(0), a1 = wasm_i32x4_splat(0);
      for (int k = 0; k < n; k += 2) {
        v128_t p = wasm_v128_load(rows[k] + x), q = wasm_v128_load(rows[k + 1] + x);
        a0 = wasm_i32x4_add(a0, wasm_i32x4_dot_i16x8(wasm_i16x8_shuffle(p, q, 0, 8, 1, 9, 2, 10, 3, 11), wp[k >> 1]));
        a1 = wasm_i32x4_add(a1, wasm_i32x4_dot_i16x8(wasm_i16x8_shuffle(p, q, 4, 12, 5, 13, 6, 14, 7, 15), wp[k >> 1]));
      }
      // Back to value x 64 (rounded), two pixels per store; later groups add, saturating.
      v128_t r = wasm_i16x8_narrow_i32x4(wasm_i32x4_shr(wasm_i32x4_add(a0, round14), WEIGHT_BITS), wasm_i32x4_shr(wasm_i32x4_add(a1, round14), WEIGHT_BITS));
      wasm_v128_store(row + x, first ? r : wasm_i16x8_add_sat(r, wasm_v128_load(row + x)));
    }
    for (; x < stride; x += 4) { // an odd last pixel
      for (int c = 0; c < 4; c++) {
        int32_t acc = 0;
        for (int k = 0; k < n; k++) acc += (int32_t)rows[k][x + c] * wq[k];
        int v = (acc + (1 << (WEIGHT_BITS - 1))) >> WEIGHT_BITS;
        if (!first) v += row[x + c];
        row[x + c] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
      }
    }
    first = 0;
  }
  if (first)
    for (int i = 0; i < stride; i++) row[i] = 0;
}

/**
 * One output row: the vertical taps summed into `row` (vertical_taps), then the horizontal taps
 * straight to 8-bit RGBA in `out`.
 */
__attribute__((export_name("emit_row")))
void emit_row(const int16_t *ring, int in_w, int y0, int ysize, const f32 *wy, int16_t *row,
              const int32_t *xstart, const int32_t *xpairs, int npairs, int out_w, uint8_t *out, int premultiply) {
  const v128_t zero = wasm_f32x4_splat(0.0f);
  const v128_t max = wasm_f32x4_splat(255.0f);
  const v128_t half = wasm_f32x4_splat(0.5f);
  const v128_t unscale = wasm_f32x4_splat(1.0f / (f32)(1 << (WEIGHT_BITS + RING_SHIFT)));
  vertical_taps(ring, in_w * 4, y0, ysize, wy, row);
  // Horizontal taps: the row's pixels k and k+1 are neighbours, so one load holds a tap pair;
  // its channels interleaved as (r_k, r_k+1, g_k, g_k+1, ...) meet the packed weights in i32x4.dot.
  const v128_t round20 = wasm_i32x4_splat(1 << (WEIGHT_BITS + RING_SHIFT - 1));
  for (int ox = 0; ox < out_w; ox++) {
    const int16_t *p = row + xstart[ox] * 4;
    const int32_t *wp = xpairs + ox * npairs;
    v128_t acc = wasm_i32x4_splat(0);
    for (int j = 0; j < npairs; j++) {
      v128_t two = wasm_v128_load(p + j * 8);
      v128_t pairs = wasm_i8x16_shuffle(two, two, 0, 1, 8, 9, 2, 3, 10, 11, 4, 5, 12, 13, 6, 7, 14, 15);
      acc = wasm_i32x4_add(acc, wasm_i32x4_dot_i16x8(pairs, wasm_i32x4_splat(wp[j])));
    }
    v128_t i;
    if (premultiply) {
      v128_t f = wasm_f32x4_mul(wasm_f32x4_convert_i32x4(acc), unscale);
      f32 a = wasm_f32x4_extract_lane(f, 3);
      if (a > 0.5f) {
        v128_t scaled = wasm_f32x4_mul(f, wasm_f32x4_splat(255.0f / a));
        f = wasm_i32x4_shuffle(scaled, f, 0, 1, 2, 7);
      } else {
        f = wasm_i32x4_shuffle(zero, f, 0, 1, 2, 7);
      }
      i = wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_add(wasm_f32x4_min(wasm_f32x4_max(f, zero), max), half));
    } else {
      i = wasm_i32x4_shr(wasm_i32x4_add(acc, round20), WEIGHT_BITS + RING_SHIFT);
    }
    v128_t s = wasm_i16x8_narrow_i32x4(i, i);
    wasm_v128_store32_lane(out + ox * 4, wasm_u8x16_narrow_i16x8(s, s), 0);
  }
}

/**
 * One output row of a single-channel plane (a JPEG's Y, Cb or Cr): the vertical taps over ring
 * rows of `stride` samples (the plane's width rounded up to 4), then the horizontal taps as
 * emit_row's without premultiplication, so each sample comes out as emit_row would give one
 * channel of it. `xpairs` has `ngroups` groups of eight taps (four Q14 pairs, zero-padded) per
 * output sample: one i32x4.dot per group; `row` has 8 samples of slack past `stride`.
 */
__attribute__((export_name("emit_plane_row")))
void emit_plane_row(const int16_t *ring, int stride, int y0, int ysize, const f32 *wy, int16_t *row,
                    const int32_t *xstart, const int32_t *xpairs, int ngroups, int out_w, uint8_t *out) {
  vertical_taps(ring, stride, y0, ysize, wy, row);
  const v128_t round20 = wasm_i32x4_splat(1 << (WEIGHT_BITS + RING_SHIFT - 1));
  int ox = 0;
  for (; ox + 4 <= out_w; ox += 4) {
    v128_t acc[4];
    for (int i = 0; i < 4; i++) {
      const int16_t *p = row + xstart[ox + i];
      const v128_t *w = (const v128_t *)(xpairs + (ox + i) * ngroups * 4);
      v128_t a = wasm_i32x4_dot_i16x8(wasm_v128_load(p), wasm_v128_load(w));
      for (int g = 1; g < ngroups; g++) a = wasm_i32x4_add(a, wasm_i32x4_dot_i16x8(wasm_v128_load(p + g * 8), wasm_v128_load(w + g)));
      acc[i] = a;
    }
    // Four horizontal sums at once: lanes (acc0, acc1, acc2, acc3).
    v128_t t0 = wasm_i32x4_add(wasm_i32x4_shuffle(acc[0], acc[1], 0, 4, 1, 5), wasm_i32x4_shuffle(acc[0], acc[1], 2, 6, 3, 7));
    v128_t t1 = wasm_i32x4_add(wasm_i32x4_shuffle(acc[2], acc[3], 0, 4, 1, 5), wasm_i32x4_shuffle(acc[2], acc[3], 2, 6, 3, 7));
    v128_t sums = wasm_i32x4_add(wasm_i32x4_shuffle(t0, t1, 0, 1, 4, 5), wasm_i32x4_shuffle(t0, t1, 2, 3, 6, 7));
    v128_t i32 = wasm_i32x4_shr(wasm_i32x4_add(sums, round20), WEIGHT_BITS + RING_SHIFT);
    v128_t s16 = wasm_i16x8_narrow_i32x4(i32, i32);
    wasm_v128_store32_lane(out + ox, wasm_u8x16_narrow_i16x8(s16, s16), 0);
  }
  for (; ox < out_w; ox++) {
    const int16_t *p = row + xstart[ox];
    const int16_t *w = (const int16_t *)(xpairs + ox * ngroups * 4);
    int32_t acc = 0;
    for (int k = 0; k < ngroups * 8; k++) acc += (int32_t)p[k] * w[k];
    int vv = (acc + (1 << (WEIGHT_BITS + RING_SHIFT - 1))) >> (WEIGHT_BITS + RING_SHIFT);
    out[ox] = (uint8_t)(vv < 0 ? 0 : vv > 255 ? 255 : vv);
  }
}

/**
 * The horizontal taps of every output pixel (xsize floats each) as Q14 pairs packed in int32
 * (low half tap 2j, high half tap 2j+1; an odd last tap pairs with 0), rounded so that each
 * pixel's sum to exactly 1: npairs = (xsize + 1) / 2 int32 per output pixel.
 */
__attribute__((export_name("prepare_x")))
void prepare_x(const f32 *xweights, int out_w, int xsize, int32_t *pairs) {
  const int npairs = (xsize + 1) / 2;
  for (int ox = 0; ox < out_w; ox++) {
    const f32 *w = xweights + ox * xsize;
    int sum = 0, big = 0, bigq = -65536;
    for (int k = 0; k < xsize; k++) {
      int q = wq14(w[k]);
      sum += q;
      if (q > bigq) bigq = q, big = k;
    }
    const int fix = (1 << WEIGHT_BITS) - sum;
    for (int j = 0; j < npairs; j++) {
      int k = 2 * j;
      int lo = wq14(w[k]) + (k == big ? fix : 0);
      int hi = k + 1 < xsize ? wq14(w[k + 1]) + (k + 1 == big ? fix : 0) : 0;
      pairs[ox * npairs + j] = (int32_t)((uint32_t)(uint16_t)lo | ((uint32_t)(uint16_t)hi << 16));
    }
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

/**
 * A whole image through the filter in one call (blur, sharpen, premium's detail: small rasters,
 * where driving the rows from JS costs more than the arithmetic): the same ring and rows as the
 * streamed path, so the same bytes. `slots` has room for ysize ints; `ring` for ysize rows.
 */
__attribute__((export_name("filter_image")))
void filter_image(const uint8_t *src, int in_w, int in_h, const int32_t *ystart, const f32 *yweights, int ysize,
                  const int32_t *xstart, const int32_t *xpairs, int npairs, int out_w, int out_h,
                  int16_t *ring, int32_t *slots, int16_t *row, uint8_t *out, int premultiply) {
  (void)in_h;
  for (int k = 0; k < ysize; k++) slots[k] = -1;
  for (int oy = 0; oy < out_h; oy++) {
    const int y0 = ystart[oy];
    for (int sy = y0; sy < y0 + ysize; sy++) {
      const int slot = sy % ysize;
      if (slots[slot] == sy) continue;
      to_ring_row(src + (uint32_t)sy * in_w * 4, ring + (uint32_t)slot * in_w * 4, in_w, premultiply);
      slots[slot] = sy;
    }
    emit_row(ring, in_w, y0, ysize, yweights + oy * ysize, row, xstart, xpairs, npairs, out_w, out + (uint32_t)oy * out_w * 4, premultiply);
  }
}
