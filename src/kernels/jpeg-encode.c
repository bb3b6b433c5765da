// Baseline JPEG encoder (ITU T.81): 4:2:0 (or 4:4:4, q_<n>:444) YCbCr, float AAN forward DCT, IJG-scaled Annex K
// quantisation tables, Huffman tables optimised for the image (Annex K.2, as libjpeg's
// optimize_coding). Two calls: jpeg_analyze() transforms and quantises every block into the
// caller's coefficient buffer and builds the tables; jpeg_write() emits the file. No libc.
#include <stdint.h>
#include <wasm_simd128.h>

typedef float f32;

static const uint8_t ZIGZAG[64] = {
    0,  1,  8,  16, 9,  2,  3,  10, 17, 24, 32, 25, 18, 11, 4,  5,  12, 19, 26, 33, 40, 48,
    41, 34, 27, 20, 13, 6,  7,  14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23,
    30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63};

// Annex K.1 tables in natural (row-major) order.
static const uint8_t STD_LUMA_Q[64] = {
    16, 11, 10, 16, 24,  40,  51,  61,  12, 12, 14, 19, 26,  58,  60,  55,
    14, 13, 16, 24, 40,  57,  69,  56,  14, 17, 22, 29, 51,  87,  80,  62,
    18, 22, 37, 56, 68,  109, 103, 77,  24, 35, 55, 64, 81,  104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99};
static const uint8_t STD_CHROMA_Q[64] = {
    17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99,
    99, 99, 47, 66, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
    99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99};

static uint8_t qtable[2][64];  // natural order
static f32 divisor[2][64];     // 1 / (q * AAN scale * 8), natural order

// Huffman tables: 0 DC luma, 1 AC luma, 2 DC chroma, 3 AC chroma.
static uint32_t freq[4][257];
static uint8_t bits[4][17];
static uint8_t huffval[4][256];
static int nvals[4];
static uint16_t code[4][256];
static uint8_t codelen[4][256];

static int g_width, g_height, g_mcux, g_mcuy;
// 1: 4:4:4, an 8x8 MCU of one luma and two full-resolution chroma blocks; 0: 4:2:0, 16x16 MCUs.
// Only the two-pass encoder has it; the streaming encoder below is 4:2:0.
static int g_444;

static void set_quality(int quality) {
  if (quality < 1) quality = 1;
  if (quality > 100) quality = 100;
  int scale = quality < 50 ? 5000 / quality : 200 - quality * 2;
  static const f32 aan[8] = {1.0f, 1.387039845f, 1.306562965f, 1.175875602f,
                             1.0f, 0.785694958f, 0.541196100f, 0.275899379f};
  for (int t = 0; t < 2; t++) {
    const uint8_t *std = t ? STD_CHROMA_Q : STD_LUMA_Q;
    for (int i = 0; i < 64; i++) {
      int q = (std[i] * scale + 50) / 100;
      if (q < 1) q = 1;
      if (q > 255) q = 255;
      qtable[t][i] = (uint8_t)q;
      divisor[t][i] = 1.0f / ((f32)q * aan[i >> 3] * aan[i & 7] * 8.0f);
    }
  }
}

static inline int nbits(int v) {
  if (v < 0) v = -v;
  return v ? 32 - __builtin_clz((unsigned)v) : 0;
}

typedef v128_t v;

/** The 1-D AAN DCT of jfdctflt.c applied lane-wise to eight vectors (in place). */
static inline void dct8(v *p) {
  v tmp0 = wasm_f32x4_add(p[0], p[7]), tmp7 = wasm_f32x4_sub(p[0], p[7]);
  v tmp1 = wasm_f32x4_add(p[1], p[6]), tmp6 = wasm_f32x4_sub(p[1], p[6]);
  v tmp2 = wasm_f32x4_add(p[2], p[5]), tmp5 = wasm_f32x4_sub(p[2], p[5]);
  v tmp3 = wasm_f32x4_add(p[3], p[4]), tmp4 = wasm_f32x4_sub(p[3], p[4]);
  v tmp10 = wasm_f32x4_add(tmp0, tmp3), tmp13 = wasm_f32x4_sub(tmp0, tmp3);
  v tmp11 = wasm_f32x4_add(tmp1, tmp2), tmp12 = wasm_f32x4_sub(tmp1, tmp2);
  p[0] = wasm_f32x4_add(tmp10, tmp11);
  p[4] = wasm_f32x4_sub(tmp10, tmp11);
  v z1 = wasm_f32x4_mul(wasm_f32x4_add(tmp12, tmp13), wasm_f32x4_splat(0.707106781f));
  p[2] = wasm_f32x4_add(tmp13, z1);
  p[6] = wasm_f32x4_sub(tmp13, z1);
  tmp10 = wasm_f32x4_add(tmp4, tmp5);
  tmp11 = wasm_f32x4_add(tmp5, tmp6);
  tmp12 = wasm_f32x4_add(tmp6, tmp7);
  v z5 = wasm_f32x4_mul(wasm_f32x4_sub(tmp10, tmp12), wasm_f32x4_splat(0.382683433f));
  v z2 = wasm_f32x4_add(wasm_f32x4_mul(tmp10, wasm_f32x4_splat(0.541196100f)), z5);
  v z4 = wasm_f32x4_add(wasm_f32x4_mul(tmp12, wasm_f32x4_splat(1.306562965f)), z5);
  v z3 = wasm_f32x4_mul(tmp11, wasm_f32x4_splat(0.707106781f));
  v z11 = wasm_f32x4_add(tmp7, z3), z13 = wasm_f32x4_sub(tmp7, z3);
  p[5] = wasm_f32x4_add(z13, z2);
  p[3] = wasm_f32x4_sub(z13, z2);
  p[1] = wasm_f32x4_add(z11, z4);
  p[7] = wasm_f32x4_sub(z11, z4);
}

static inline void transpose4(v *a, v *b, v *c, v *d) {
  v t0 = wasm_i32x4_shuffle(*a, *b, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(*a, *b, 2, 6, 3, 7);
  v t2 = wasm_i32x4_shuffle(*c, *d, 0, 4, 1, 5), t3 = wasm_i32x4_shuffle(*c, *d, 2, 6, 3, 7);
  *a = wasm_i64x2_shuffle(t0, t2, 0, 2);
  *b = wasm_i64x2_shuffle(t0, t2, 1, 3);
  *c = wasm_i64x2_shuffle(t1, t3, 0, 2);
  *d = wasm_i64x2_shuffle(t1, t3, 1, 3);
}

/** 8x8 floats as [half][row] vectors (columns 4*half..4*half+3) -> transposed in place. */
static inline void transpose8(v m[2][8]) {
  transpose4(&m[0][0], &m[0][1], &m[0][2], &m[0][3]);
  transpose4(&m[1][4], &m[1][5], &m[1][6], &m[1][7]);
  v a = m[1][0], b = m[1][1], c = m[1][2], d = m[1][3];
  v e = m[0][4], f = m[0][5], g = m[0][6], h = m[0][7];
  transpose4(&a, &b, &c, &d);
  transpose4(&e, &f, &g, &h);
  m[0][4] = a; m[0][5] = b; m[0][6] = c; m[0][7] = d;
  m[1][0] = e; m[1][1] = f; m[1][2] = g; m[1][3] = h;
}

// DCT (columns, then rows, four lanes at a time), quantise, store in zigzag order.
static void quantize_block(f32 *blk, int t, int16_t *out) {
  v m[2][8];
  for (int r = 0; r < 8; r++) {
    m[0][r] = wasm_v128_load(blk + r * 8);
    m[1][r] = wasm_v128_load(blk + r * 8 + 4);
  }
  dct8(m[0]);
  dct8(m[1]);
  transpose8(m);
  dct8(m[0]);
  dct8(m[1]);
  transpose8(m);
  const f32 *dv = divisor[t];
  const v sign = wasm_i32x4_splat((int)0x80000000), half = wasm_f32x4_splat(0.5f);
  int16_t natural[64] __attribute__((aligned(16)));
  for (int r = 0; r < 8; r++) {
    v q[2];
    for (int hh = 0; hh < 2; hh++) {
      v x = wasm_f32x4_mul(m[hh][r], wasm_v128_load(dv + r * 8 + hh * 4));
      // Round half away from zero, as (int)(x +- 0.5).
      q[hh] = wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_add(x, wasm_v128_or(half, wasm_v128_and(x, sign))));
    }
    v s16 = wasm_i16x8_narrow_i32x4(q[0], q[1]);
    // Baseline limits: AC magnitudes fit 10 bits, DC (and DC differences) 11.
    const v lim = r ? wasm_i16x8_splat(1023) : wasm_i16x8_make(2047, 1023, 1023, 1023, 1023, 1023, 1023, 1023);
    s16 = wasm_i16x8_max(wasm_i16x8_min(s16, lim), wasm_i16x8_neg(lim));
    wasm_v128_store(natural + r * 8, s16);
  }
  for (int i = 0; i < 64; i++) out[i] = natural[ZIGZAG[i]];
}

/** Bit i set when zigzag coefficient i is not zero. */
static inline uint64_t nonzero_mask(const int16_t *c) {
  uint64_t m = 0;
  for (int k = 0; k < 8; k++) {
    v z = wasm_i16x8_ne(wasm_v128_load(c + k * 8), wasm_i16x8_splat(0));
    m |= (uint64_t)wasm_i16x8_bitmask(z) << (k * 8);
  }
  return m;
}

/**
 * The AC symbols of a block in zigzag order (run/size, ZRL for 16 zeros, EOB), each with its
 * coefficient and bit count (0 for ZRL and EOB): counted by encode_block, written by write_block.
 * `emit` is a constant at both call sites, so clang inlines it.
 */
static inline void ac_symbols(const int16_t *c, void (*emit)(void *ctx, int sym, int v, int n), void *ctx) {
  uint64_t m = nonzero_mask(c) & ~1ull;
  int last = 0;
  while (m) {
    int i = __builtin_ctzll(m);
    m &= m - 1;
    int run = i - last - 1;
    while (run > 15) {
      emit(ctx, 0xF0, 0, 0);
      run -= 16;
    }
    const int n = nbits(c[i]);
    emit(ctx, (run << 4) | n, c[i], n);
    last = i;
  }
  if (last != 63) emit(ctx, 0x00, 0, 0);
}

static inline void count_symbol(void *ac, int sym, int v, int n) {
  (void)v, (void)n;
  ((uint32_t *)ac)[sym]++;
}

// Quantise and count the Huffman symbols the block will use.
static int encode_block(f32 *blk, int t, int16_t *out, int prev_dc) {
  quantize_block(blk, t, out);
  freq[t * 2][nbits(out[0] - prev_dc)]++;
  ac_symbols(out, count_symbol, freq[t * 2 + 1]);
  return out[0];
}

// Annex K.2: code lengths limited to 16 bits, one code point reserved (no all-ones code).
static void build_table(int t) {
  uint32_t f[257];
  int codesize[257], others[257];
  for (int i = 0; i < 257; i++) {
    f[i] = freq[t][i];
    codesize[i] = 0;
    others[i] = -1;
  }
  f[256] = 1;
  for (;;) {
    int c1 = -1, c2 = -1;
    uint32_t v = 0xFFFFFFFFu;
    for (int i = 0; i <= 256; i++)
      if (f[i] && f[i] <= v) {
        v = f[i];
        c1 = i;
      }
    v = 0xFFFFFFFFu;
    for (int i = 0; i <= 256; i++)
      if (f[i] && f[i] <= v && i != c1) {
        v = f[i];
        c2 = i;
      }
    if (c2 < 0) break;
    f[c1] += f[c2];
    f[c2] = 0;
    codesize[c1]++;
    while (others[c1] >= 0) {
      c1 = others[c1];
      codesize[c1]++;
    }
    others[c1] = c2;
    codesize[c2]++;
    while (others[c2] >= 0) {
      c2 = others[c2];
      codesize[c2]++;
    }
  }
  int count[33] = {0};
  for (int i = 0; i <= 256; i++)
    if (codesize[i]) count[codesize[i] > 32 ? 32 : codesize[i]]++;
  for (int i = 32; i > 16; i--) {
    while (count[i] > 0) {
      int j = i - 2;
      while (count[j] == 0) j--;
      count[i] -= 2;
      count[i - 1]++;
      count[j + 1] += 2;
      count[j]--;
    }
  }
  int i = 16;
  while (count[i] == 0) i--;
  count[i]--;  // drop the reserved symbol 256's code
  for (int l = 0; l <= 16; l++) bits[t][l] = (uint8_t)count[l];
  int p = 0;
  for (int l = 1; l <= 32; l++)
    for (int s = 0; s < 256; s++)
      if (codesize[s] == l) huffval[t][p++] = (uint8_t)s;
  nvals[t] = p;
  // Annex C: canonical codes in huffval order.
  for (int s = 0; s < 256; s++) codelen[t][s] = 0;
  int k = 0;
  uint32_t c = 0;
  for (int l = 1; l <= 16; l++) {
    for (int n = 0; n < bits[t][l]; n++, k++) {
      code[t][huffval[t][k]] = (uint16_t)c++;
      codelen[t][huffval[t][k]] = (uint8_t)l;
    }
    c <<= 1;
  }
}

static void load_block(const uint8_t *rgba, int w, int h, int bx, int by, f32 *y) {
  for (int r = 0; r < 8; r++) {
    int sy = by + r;
    if (sy >= h) sy = h - 1;
    const uint8_t *row = rgba + (uint32_t)sy * w * 4;
    for (int c = 0; c < 8; c++) {
      int sx = bx + c;
      if (sx >= w) sx = w - 1;
      const uint8_t *p = row + sx * 4;
      y[r * 8 + c] = 0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2] - 128.0f;
    }
  }
}

// Chroma of a 16x16 MCU, each sample the mean of a 2x2 pixel group (edges replicated).
static void load_chroma(const uint8_t *rgba, int w, int h, int mx, int my, f32 *cb, f32 *cr) {
  for (int r = 0; r < 8; r++) {
    for (int c = 0; c < 8; c++) {
      f32 sr = 0, sg = 0, sb = 0;
      for (int dy = 0; dy < 2; dy++) {
        int sy = my + r * 2 + dy;
        if (sy >= h) sy = h - 1;
        for (int dx = 0; dx < 2; dx++) {
          int sx = mx + c * 2 + dx;
          if (sx >= w) sx = w - 1;
          const uint8_t *p = rgba + ((uint32_t)sy * w + sx) * 4;
          sr += p[0];
          sg += p[1];
          sb += p[2];
        }
      }
      sr *= 0.25f;
      sg *= 0.25f;
      sb *= 0.25f;
      cb[r * 8 + c] = -0.168735892f * sr - 0.331264108f * sg + 0.5f * sb;
      cr[r * 8 + c] = 0.5f * sr - 0.418687589f * sg - 0.081312411f * sb;
    }
  }
}

// One 16x16 MCU: four luma blocks (y[b], b = 2*row + column) and the 2x2-averaged chroma. Interior
// MCUs in SIMD (four pixels per vector); those on the right or bottom edge through the scalar
// loaders, which repeat the last column and row.
static void load_mcu(const uint8_t *strip, int w, int rows, int mx, f32 y[4][64], f32 *cb, f32 *cr) {
  const int x0 = mx * 16;
  if (x0 + 16 > w || rows < 16) {
    for (int b = 0; b < 4; b++) load_block(strip, w, rows, x0 + (b & 1) * 8, (b >> 1) * 8, y[b]);
    load_chroma(strip, w, rows, x0, 0, cb, cr);
    return;
  }
  const v rmask = wasm_i8x16_make(0, -1, -1, -1, 4, -1, -1, -1, 8, -1, -1, -1, 12, -1, -1, -1);
  const v gmask = wasm_i8x16_make(1, -1, -1, -1, 5, -1, -1, -1, 9, -1, -1, -1, 13, -1, -1, -1);
  const v bmask = wasm_i8x16_make(2, -1, -1, -1, 6, -1, -1, -1, 10, -1, -1, -1, 14, -1, -1, -1);
  const v kr = wasm_f32x4_splat(0.299f), kg = wasm_f32x4_splat(0.587f), kb = wasm_f32x4_splat(0.114f), c128 = wasm_f32x4_splat(128.0f);
  v csum[3][4] = {{0}}; // R, G, B sums of 2x2 groups: 4 vectors of 4 chroma samples for the current chroma row
  for (int r = 0; r < 16; r++) {
    const uint8_t *row = strip + (uint32_t)r * w * 4 + x0 * 4;
    v R[4], G[4], B[4];
    for (int q = 0; q < 4; q++) {
      v px = wasm_v128_load(row + q * 16);
      R[q] = wasm_f32x4_convert_i32x4(wasm_i8x16_swizzle(px, rmask));
      G[q] = wasm_f32x4_convert_i32x4(wasm_i8x16_swizzle(px, gmask));
      B[q] = wasm_f32x4_convert_i32x4(wasm_i8x16_swizzle(px, bmask));
      v Y = wasm_f32x4_sub(wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_mul(R[q], kr), wasm_f32x4_mul(G[q], kg)), wasm_f32x4_mul(B[q], kb)), c128);
      wasm_v128_store(&y[(r >> 3) * 2 + (q >> 1)][(r & 7) * 8 + (q & 1) * 4], Y);
    }
    // Horizontal pairs: 16 pixels -> 8 samples per channel, as two vectors.
    v *ch[3] = {R, G, B};
    for (int c = 0; c < 3; c++) {
      v *P = ch[c];
      v lo = wasm_f32x4_add(wasm_i32x4_shuffle(P[0], P[1], 0, 2, 4, 6), wasm_i32x4_shuffle(P[0], P[1], 1, 3, 5, 7));
      v hi = wasm_f32x4_add(wasm_i32x4_shuffle(P[2], P[3], 0, 2, 4, 6), wasm_i32x4_shuffle(P[2], P[3], 1, 3, 5, 7));
      if (r & 1) {
        csum[c][0] = wasm_f32x4_add(csum[c][0], lo);
        csum[c][1] = wasm_f32x4_add(csum[c][1], hi);
      } else {
        csum[c][0] = lo;
        csum[c][1] = hi;
      }
    }
    if (r & 1) {
      const v quarter = wasm_f32x4_splat(0.25f);
      for (int hh = 0; hh < 2; hh++) {
        v sr = wasm_f32x4_mul(csum[0][hh], quarter), sg = wasm_f32x4_mul(csum[1][hh], quarter), sb = wasm_f32x4_mul(csum[2][hh], quarter);
        v Cb = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_mul(sr, wasm_f32x4_splat(-0.168735892f)), wasm_f32x4_mul(sg, wasm_f32x4_splat(-0.331264108f))), wasm_f32x4_mul(sb, wasm_f32x4_splat(0.5f)));
        v Cr = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_mul(sr, wasm_f32x4_splat(0.5f)), wasm_f32x4_mul(sg, wasm_f32x4_splat(-0.418687589f))), wasm_f32x4_mul(sb, wasm_f32x4_splat(-0.081312411f)));
        wasm_v128_store(cb + (r >> 1) * 8 + hh * 4, Cb);
        wasm_v128_store(cr + (r >> 1) * 8 + hh * 4, Cr);
      }
    }
  }
}

// Chroma of an 8x8 block at full resolution (4:4:4), edges replicated.
static void load_chroma_444(const uint8_t *rgba, int w, int h, int bx, int by, f32 *cb, f32 *cr) {
  for (int r = 0; r < 8; r++) {
    int sy = by + r;
    if (sy >= h) sy = h - 1;
    for (int c = 0; c < 8; c++) {
      int sx = bx + c;
      if (sx >= w) sx = w - 1;
      const uint8_t *p = rgba + ((uint32_t)sy * w + sx) * 4;
      cb[r * 8 + c] = -0.168735892f * p[0] - 0.331264108f * p[1] + 0.5f * p[2];
      cr[r * 8 + c] = 0.5f * p[0] - 0.418687589f * p[1] - 0.081312411f * p[2];
    }
  }
}

/** Bytes of coefficient buffer jpeg_analyze needs for a width x height image (4:4:4 when s444). */
__attribute__((export_name("jpeg_coef_bytes")))
uint32_t jpeg_coef_bytes(int w, int h, int s444) {
  if (s444) return (uint32_t)((w + 7) / 8) * (uint32_t)((h + 7) / 8) * 3 * 64 * 2;
  uint32_t mcus = (uint32_t)((w + 15) / 16) * (uint32_t)((h + 15) / 16);
  return mcus * 6 * 64 * 2;
}

// Analysis state between jpeg_analyze_begin/rows/end: one image at a time, in one synchronous run.
static int a_dc[3];
static int16_t *a_out;

/** Starts analysing a w x h image at `quality` (4:4:4 when s444) into the caller's coefficient buffer (jpeg_coef_bytes). */
__attribute__((export_name("jpeg_analyze_begin")))
void jpeg_analyze_begin(int w, int h, int quality, int s444, int16_t *coefs) {
  g_444 = s444 != 0;
  const int m = g_444 ? 8 : 16;
  g_width = w;
  g_height = h;
  g_mcux = (w + m - 1) / m;
  g_mcuy = (h + m - 1) / m;
  set_quality(quality);
  for (int t = 0; t < 4; t++)
    for (int i = 0; i < 257; i++) freq[t][i] = 0;
  a_dc[0] = a_dc[1] = a_dc[2] = 0;
  a_out = coefs;
}

/**
 * Transforms and quantises the next MCU row from `strip` (RGBA, alpha ignored): 16 image rows, of
 * which `rows` exist (fewer at the bottom: the last is repeated), counting the Huffman symbols.
 */
__attribute__((export_name("jpeg_analyze_rows")))
void jpeg_analyze_rows(const uint8_t *strip, int rows) {
  f32 yb[4][64] __attribute__((aligned(16))), cb[64] __attribute__((aligned(16))), cr[64] __attribute__((aligned(16)));
  if (g_444) {
    // Two MCU rows of 8 image rows each (one when the strip has 8 rows or fewer).
    for (int top = 0; top < rows; top += 8) {
      const uint8_t *band = strip + (uint32_t)top * g_width * 4;
      const int n = rows - top > 8 ? 8 : rows - top;
      for (int mx = 0; mx < g_mcux; mx++) {
        load_block(band, g_width, n, mx * 8, 0, yb[0]);
        load_chroma_444(band, g_width, n, mx * 8, 0, cb, cr);
        a_dc[0] = encode_block(yb[0], 0, a_out, a_dc[0]);
        a_dc[1] = encode_block(cb, 1, a_out + 64, a_dc[1]);
        a_dc[2] = encode_block(cr, 1, a_out + 128, a_dc[2]);
        a_out += 192;
      }
    }
    return;
  }
  for (int mx = 0; mx < g_mcux; mx++) {
    load_mcu(strip, g_width, rows, mx, yb, cb, cr);
    for (int b = 0; b < 4; b++) {
      a_dc[0] = encode_block(yb[b], 0, a_out, a_dc[0]);
      a_out += 64;
    }
    a_dc[1] = encode_block(cb, 1, a_out, a_dc[1]);
    a_out += 64;
    a_dc[2] = encode_block(cr, 1, a_out, a_dc[2]);
    a_out += 64;
  }
}

// An 8x8 block of one plane (samples minus 128) at (bx, by), `w` x `h` samples exist: the last
// column and row are repeated past them. Whole interior blocks in SIMD, eight samples per row.
static void load_plane_block(const uint8_t *plane, int stride, int w, int h, int bx, int by, f32 *out) {
  if (bx + 8 <= w && by + 8 <= h) {
    const v c128 = wasm_f32x4_splat(128.0f);
    for (int r = 0; r < 8; r++) {
      v px = wasm_u16x8_load8x8(plane + (uint32_t)(by + r) * stride + bx);
      wasm_v128_store(out + r * 8, wasm_f32x4_sub(wasm_f32x4_convert_i32x4(wasm_u32x4_extend_low_u16x8(px)), c128));
      wasm_v128_store(out + r * 8 + 4, wasm_f32x4_sub(wasm_f32x4_convert_i32x4(wasm_u32x4_extend_high_u16x8(px)), c128));
    }
    return;
  }
  for (int r = 0; r < 8; r++) {
    int sy = by + r < h ? by + r : h - 1;
    for (int c = 0; c < 8; c++) {
      int sx = bx + c < w ? bx + c : w - 1;
      out[r * 8 + c] = (f32)plane[(uint32_t)sy * stride + sx] - 128.0f;
    }
  }
}

/**
 * jpeg_analyze_rows for an image given as YCbCr planes (4:2:0, after jpeg_analyze_begin with s444
 * 0): the next MCU row's 16 luma rows in y (`rows` of them exist) and its 8 chroma rows in cb and
 * cr ((rows + 1) / 2 exist, (width + 1) / 2 samples wide). No colour conversion or chroma
 * averaging: the planes are coded as they are.
 */
__attribute__((export_name("jpeg_analyze_planes")))
void jpeg_analyze_planes(const uint8_t *y, const uint8_t *cb, const uint8_t *cr, int ystride, int cstride, int rows) {
  f32 yb[64] __attribute__((aligned(16)));
  const int cw = (g_width + 1) / 2, ch = (rows + 1) / 2;
  for (int mx = 0; mx < g_mcux; mx++) {
    for (int b = 0; b < 4; b++) {
      load_plane_block(y, ystride, g_width, rows, mx * 16 + (b & 1) * 8, (b >> 1) * 8, yb);
      a_dc[0] = encode_block(yb, 0, a_out, a_dc[0]);
      a_out += 64;
    }
    load_plane_block(cb, cstride, cw, ch, mx * 8, 0, yb);
    a_dc[1] = encode_block(yb, 1, a_out, a_dc[1]);
    a_out += 64;
    load_plane_block(cr, cstride, cw, ch, mx * 8, 0, yb);
    a_dc[2] = encode_block(yb, 1, a_out, a_dc[2]);
    a_out += 64;
  }
}

/**
 * Builds the Huffman tables from the counts. Returns an upper bound of the output file's size in
 * bytes (entropy data with worst-case 0xFF stuffing, plus headers).
 */
__attribute__((export_name("jpeg_analyze_end")))
uint32_t jpeg_analyze_end(void) {
  uint64_t total = 0;
  for (int t = 0; t < 4; t++) {
    build_table(t);
    for (int s = 0; s < 256; s++) {
      int extra = (t & 1) ? (s & 15) : s;
      total += (uint64_t)freq[t][s] * (codelen[t][s] + extra);
    }
  }
  return (uint32_t)((total + 7) / 8 * 2 + 1024);
}

/** The whole image at once: begin, every MCU row, end. */
__attribute__((export_name("jpeg_analyze")))
uint32_t jpeg_analyze(const uint8_t *rgba, int w, int h, int quality, int16_t *coefs) {
  jpeg_analyze_begin(w, h, quality, 0, coefs);
  for (int my = 0; my < g_mcuy; my++) {
    int rows = h - my * 16;
    jpeg_analyze_rows(rgba + (uint32_t)my * 16 * w * 4, rows > 16 ? 16 : rows);
  }
  return jpeg_analyze_end();
}

typedef struct {
  uint8_t *p;
  uint64_t acc; // pending bits: fewer than 8 between calls, plus up to 27 (a code and its coefficient)
  int n;
} Writer;

static inline void put_bits(Writer *w, uint32_t v, int n) {
  if (!n) return;
  w->acc = (w->acc << n) | (v & (uint32_t)((1ull << n) - 1));
  w->n += n;
  while (w->n >= 8) {
    uint8_t b = (uint8_t)(w->acc >> (w->n - 8));
    *w->p++ = b;
    if (b == 0xFF) *w->p++ = 0;
    w->n -= 8;
  }
}

static inline void put_value(Writer *w, int t, int sym) { put_bits(w, code[t][sym], codelen[t][sym]); }

static inline void put_coef(Writer *w, int v, int n) { put_bits(w, v < 0 ? (uint32_t)(v - 1) : (uint32_t)v, n); }

typedef struct {
  Writer *w;
  int table;
} SymbolWriter;

// The symbol's code and the coefficient's bits in one write.
static inline void write_symbol(void *ctx, int sym, int v, int n) {
  SymbolWriter *s = ctx;
  put_bits(s->w, ((uint32_t)code[s->table][sym] << n) | ((uint32_t)(v < 0 ? v - 1 : v) & ((1u << n) - 1)), codelen[s->table][sym] + n);
}

static void write_block(Writer *w, const int16_t *c, int t, int *prev) {
  int diff = c[0] - *prev;
  *prev = c[0];
  int n = nbits(diff);
  put_value(w, t * 2, n);
  put_coef(w, diff, n);
  SymbolWriter s = {w, t * 2 + 1};
  ac_symbols(c, write_symbol, &s);
}

static uint8_t *marker(uint8_t *p, int m, int len) {
  *p++ = 0xFF;
  *p++ = (uint8_t)m;
  *p++ = (uint8_t)(len >> 8);
  *p++ = (uint8_t)len;
  return p;
}

static uint8_t *write_headers(uint8_t *p, int restart_interval) {
  *p++ = 0xFF;
  *p++ = 0xD8;
  static const uint8_t jfif[14] = {'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0};
  p = marker(p, 0xE0, 16);
  for (int i = 0; i < 14; i++) *p++ = jfif[i];
  p = marker(p, 0xDB, 2 + 2 * 65);
  for (int t = 0; t < 2; t++) {
    *p++ = (uint8_t)t;
    for (int i = 0; i < 64; i++) *p++ = qtable[t][ZIGZAG[i]];
  }
  p = marker(p, 0xC0, 17);
  *p++ = 8;
  *p++ = (uint8_t)(g_height >> 8);
  *p++ = (uint8_t)g_height;
  *p++ = (uint8_t)(g_width >> 8);
  *p++ = (uint8_t)g_width;
  *p++ = 3;
  static const uint8_t comps[9] = {1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1};
  for (int i = 0; i < 9; i++) *p++ = i == 1 && g_444 ? 0x11 : comps[i];
  static const uint8_t classes[4] = {0x00, 0x10, 0x01, 0x11};
  for (int t = 0; t < 4; t++) {
    p = marker(p, 0xC4, 2 + 1 + 16 + nvals[t]);
    *p++ = classes[t];
    for (int l = 1; l <= 16; l++) *p++ = bits[t][l];
    for (int i = 0; i < nvals[t]; i++) *p++ = huffval[t][i];
  }
  if (restart_interval > 0) {
    p = marker(p, 0xDD, 4);
    *p++ = (uint8_t)(restart_interval >> 8);
    *p++ = (uint8_t)restart_interval;
  }
  p = marker(p, 0xDA, 12);
  static const uint8_t sos[10] = {3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0};
  for (int i = 0; i < 10; i++) *p++ = sos[i];
  return p;
}

/** Writes the JPEG file for the coefficients of the last jpeg_analyze; returns its length. */
__attribute__((export_name("jpeg_write")))
uint32_t jpeg_write(const int16_t *coefs, uint8_t *out) {
  uint8_t *p = write_headers(out, 0);
  Writer w = {p, 0, 0};
  int dc[3] = {0, 0, 0};
  const int16_t *c = coefs;
  const uint32_t mcus = (uint32_t)g_mcux * g_mcuy;
  const int luma = g_444 ? 1 : 4;
  for (uint32_t m = 0; m < mcus; m++) {
    for (int b = 0; b < luma; b++, c += 64) write_block(&w, c, 0, &dc[0]);
    write_block(&w, c, 1, &dc[1]);
    c += 64;
    write_block(&w, c, 1, &dc[2]);
    c += 64;
  }
  if (w.n) put_bits(&w, 0x7F, 8 - w.n);  // pad the last byte with 1s
  p = w.p;
  *p++ = 0xFF;
  *p++ = 0xD9;
  return (uint32_t)(p - out);
}

// ---- Streaming: fixed tables, one restart interval per MCU row ----------------------------------
// For images too large to hold (AI upscales up to 8192x8192): the Annex K.3 typical Huffman tables
// instead of optimised ones (no statistics pass), and a restart marker after every MCU row, so
// every MCU row is coded independently of the others (DC predictors reset, byte-aligned). A caller
// can encode row by row, stop anywhere, and resume from the row number alone.

static const uint8_t K3_BITS[4][17] = {
    {0, 0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0},
    {0, 0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d},
    {0, 0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0},
    {0, 0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77}};
static const uint8_t K3_DC_VALS[12] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
static const uint8_t K3_AC_LUMA[162] = {
    0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07, 0x22, 0x71, 0x14,
    0x32, 0x81, 0x91, 0xa1, 0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0, 0x24, 0x33, 0x62, 0x72, 0x82, 0x09,
    0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a,
    0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65,
    0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88,
    0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9,
    0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca,
    0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea,
    0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa};
static const uint8_t K3_AC_CHROMA[162] = {
    0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71, 0x13, 0x22, 0x32,
    0x81, 0x08, 0x14, 0x42, 0x91, 0xa1, 0xb1, 0xc1, 0x09, 0x23, 0x33, 0x52, 0xf0, 0x15, 0x62, 0x72, 0xd1, 0x0a, 0x16,
    0x24, 0x34, 0xe1, 0x25, 0xf1, 0x17, 0x18, 0x19, 0x1a, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x35, 0x36, 0x37, 0x38, 0x39,
    0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64,
    0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x82, 0x83, 0x84, 0x85, 0x86,
    0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
    0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8,
    0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9,
    0xea, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa};

static void use_fixed_tables(void) {
  for (int t = 0; t < 4; t++) {
    const uint8_t *vals = t == 0 || t == 2 ? K3_DC_VALS : t == 1 ? K3_AC_LUMA : K3_AC_CHROMA;
    int n = 0;
    for (int l = 0; l <= 16; l++) {
      bits[t][l] = K3_BITS[t][l];
      n += l ? K3_BITS[t][l] : 0;
    }
    nvals[t] = n;
    for (int i = 0; i < n; i++) huffval[t][i] = vals[i];
    for (int s = 0; s < 256; s++) codelen[t][s] = 0;
    int k = 0;
    uint32_t c = 0;
    for (int l = 1; l <= 16; l++) {
      for (int j = 0; j < bits[t][l]; j++, k++) {
        code[t][huffval[t][k]] = (uint16_t)c++;
        codelen[t][huffval[t][k]] = (uint8_t)l;
      }
      c <<= 1;
    }
  }
}


// Every streaming call sets the module state up again: calls for other images may come in between.
static void stream_setup(int w, int h, int quality) {
  g_444 = 0;
  g_width = w;
  g_height = h;
  g_mcux = (w + 15) / 16;
  g_mcuy = (h + 15) / 16;
  set_quality(quality);
  use_fixed_tables();
}

/** Starts a streamed JPEG: headers with fixed tables and a restart interval of one MCU row. Returns their length. */
__attribute__((export_name("jpeg_stream_begin")))
uint32_t jpeg_stream_begin(int w, int h, int quality, uint8_t *out) {
  stream_setup(w, h, quality);
  return (uint32_t)(write_headers(out, g_mcux) - out);
}

/** Bytes jpeg_stream_row may write for one MCU row at most (every coefficient at its longest code). */
__attribute__((export_name("jpeg_stream_row_bound")))
uint32_t jpeg_stream_row_bound(int w) { return (uint32_t)((w + 15) / 16) * 6 * 64 * 8 + 64; }

/**
 * Encodes MCU row `mcu_row` of a w x h image at `quality` from `strip`: the image rows
 * mcu_row*16 .. +15, of which `rows` exist
 * (the last strip may be shorter; its last row is repeated). Appends the restart marker that ends
 * the interval unless this is the last row. Returns the bytes written to `out`.
 */
__attribute__((export_name("jpeg_stream_row")))
uint32_t jpeg_stream_row(const uint8_t *strip, int rows, int mcu_row, int width, int height, int quality, uint8_t *out) {
  stream_setup(width, height, quality);
  f32 yb[4][64] __attribute__((aligned(16))), cb[64] __attribute__((aligned(16))), cr[64] __attribute__((aligned(16)));
  int16_t c[64];
  int dc[3] = {0, 0, 0};
  Writer w = {out, 0, 0};
  for (int mx = 0; mx < g_mcux; mx++) {
    load_mcu(strip, g_width, rows, mx, yb, cb, cr);
    for (int b = 0; b < 4; b++) {
      quantize_block(yb[b], 0, c);
      write_block(&w, c, 0, &dc[0]);
    }
    quantize_block(cb, 1, c);
    write_block(&w, c, 1, &dc[1]);
    quantize_block(cr, 1, c);
    write_block(&w, c, 1, &dc[2]);
  }
  if (w.n) put_bits(&w, 0x7F, 8 - w.n);
  uint8_t *p = w.p;
  if (mcu_row < g_mcuy - 1) {
    *p++ = 0xFF;
    *p++ = (uint8_t)(0xD0 + (mcu_row & 7));
  }
  return (uint32_t)(p - out);
}

/** Ends a streamed JPEG (EOI). Returns 2. */
__attribute__((export_name("jpeg_stream_end")))
uint32_t jpeg_stream_end(uint8_t *out) {
  out[0] = 0xFF;
  out[1] = 0xD9;
  return 2;
}
