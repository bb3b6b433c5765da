// WebAssembly SIMD versions of libjpeg-turbo's hottest decoder routines, behind its jsimd hooks
// (libjpeg-turbo ships SSE2/AVX2/NEON versions but none for wasm; scripts/build-wasm.sh compiles
// this beside jsimd_none.c, whose stubs of the same names it renames away):
//   - YCbCr -> RGBA colour conversion (jdcolor.c's fixed-point arithmetic, 16 pixels at a time);
//   - the accurate integer IDCT (jidctint.c jpeg_idct_islow) and the reduced 4x4 IDCT used by
//     DCT scaling (jidctred.c jpeg_idct_4x4, jpeg_idct_2x2), eight columns at a time in i32x4 lanes.
// Results equal the C code's for every input whose samples are in range; where corrupt data
// overflows the sample range, these clamp while the C code wraps through its range-limit table.
// The decoder only ever asks for JCS_EXT_RGBA output (jpeg-decode.c).
#define JPEG_INTERNALS
#include "jinclude.h"
#include "jpeglib.h"
#include "jdct.h"
#include "jsimd.h"
#include <wasm_simd128.h>

typedef v128_t v;

// ---- colour conversion --------------------------------------------------------------------------

#define SCALEBITS 16
#define ONE_HALF (1 << (SCALEBITS - 1))
#define FIX(x) ((int)((x) * (1L << SCALEBITS) + 0.5))

GLOBAL(int) jsimd_can_ycc_rgb(void) { return 1; }

/* y, cb, cr: four pixels' samples as i32x4 (cb, cr already minus 128). Returns R, G, B as i32x4. */
static inline void ycc4(v y, v cb, v cr, v *r, v *g, v *b) {
  const v half = wasm_i32x4_splat(ONE_HALF);
  *r = wasm_i32x4_add(y, wasm_i32x4_shr(wasm_i32x4_add(wasm_i32x4_mul(cr, wasm_i32x4_splat(FIX(1.40200))), half), SCALEBITS));
  *b = wasm_i32x4_add(y, wasm_i32x4_shr(wasm_i32x4_add(wasm_i32x4_mul(cb, wasm_i32x4_splat(FIX(1.77200))), half), SCALEBITS));
  v gsum = wasm_i32x4_add(wasm_i32x4_add(wasm_i32x4_mul(cb, wasm_i32x4_splat(-FIX(0.34414))), half),
                          wasm_i32x4_mul(cr, wasm_i32x4_splat(-FIX(0.71414))));
  *g = wasm_i32x4_add(y, wasm_i32x4_shr(gsum, SCALEBITS));
}

/* Sixteen u8 samples to four i32x4, minus `bias`. */
static inline void widen16(v x, int bias, v out[4]) {
  v lo = wasm_u16x8_extend_low_u8x16(x), hi = wasm_u16x8_extend_high_u8x16(x);
  v b = wasm_i32x4_splat(bias);
  out[0] = wasm_i32x4_sub(wasm_u32x4_extend_low_u16x8(lo), b);
  out[1] = wasm_i32x4_sub(wasm_u32x4_extend_high_u16x8(lo), b);
  out[2] = wasm_i32x4_sub(wasm_u32x4_extend_low_u16x8(hi), b);
  out[3] = wasm_i32x4_sub(wasm_u32x4_extend_high_u16x8(hi), b);
}

/* Four i32x4 to sixteen u8, saturating (the clamp to 0..255). */
static inline v narrow16(const v x[4]) {
  return wasm_u8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(x[0], x[1]), wasm_i16x8_narrow_i32x4(x[2], x[3]));
}

static inline void ycc_rgba_16(const JSAMPLE *yp, const JSAMPLE *cbp, const JSAMPLE *crp, JSAMPLE *out) {
  v y[4], cb[4], cr[4], r[4], g[4], b[4];
  widen16(wasm_v128_load(yp), 0, y);
  widen16(wasm_v128_load(cbp), CENTERJSAMPLE, cb);
  widen16(wasm_v128_load(crp), CENTERJSAMPLE, cr);
  for (int i = 0; i < 4; i++) ycc4(y[i], cb[i], cr[i], &r[i], &g[i], &b[i]);
  v R = narrow16(r), G = narrow16(g), B = narrow16(b), A = wasm_i8x16_splat((char)0xFF);
  v rg_lo = wasm_i8x16_shuffle(R, G, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  v rg_hi = wasm_i8x16_shuffle(R, G, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
  v ba_lo = wasm_i8x16_shuffle(B, A, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  v ba_hi = wasm_i8x16_shuffle(B, A, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
  wasm_v128_store(out, wasm_i16x8_shuffle(rg_lo, ba_lo, 0, 8, 1, 9, 2, 10, 3, 11));
  wasm_v128_store(out + 16, wasm_i16x8_shuffle(rg_lo, ba_lo, 4, 12, 5, 13, 6, 14, 7, 15));
  wasm_v128_store(out + 32, wasm_i16x8_shuffle(rg_hi, ba_hi, 0, 8, 1, 9, 2, 10, 3, 11));
  wasm_v128_store(out + 48, wasm_i16x8_shuffle(rg_hi, ba_hi, 4, 12, 5, 13, 6, 14, 7, 15));
}

GLOBAL(void)
jsimd_ycc_rgb_convert(j_decompress_ptr cinfo, JSAMPIMAGE input_buf, JDIMENSION input_row, JSAMPARRAY output_buf, int num_rows) {
  const JDIMENSION width = cinfo->output_width;
  JSAMPLE *range_limit = cinfo->sample_range_limit;
  while (--num_rows >= 0) {
    const JSAMPLE *yp = input_buf[0][input_row], *cbp = input_buf[1][input_row], *crp = input_buf[2][input_row];
    input_row++;
    JSAMPLE *out = *output_buf++;
    JDIMENSION x = 0;
    for (; x + 16 <= width; x += 16) ycc_rgba_16(yp + x, cbp + x, crp + x, out + x * 4);
    for (; x < width; x++) { // the tail, as jdcolor.c
      int y = yp[x], cb = cbp[x] - CENTERJSAMPLE, cr = crp[x] - CENTERJSAMPLE;
      out[x * 4 + 0] = range_limit[y + ((FIX(1.40200) * cr + ONE_HALF) >> SCALEBITS)];
      out[x * 4 + 1] = range_limit[y + ((-FIX(0.34414) * cb - FIX(0.71414) * cr + ONE_HALF) >> SCALEBITS)];
      out[x * 4 + 2] = range_limit[y + ((FIX(1.77200) * cb + ONE_HALF) >> SCALEBITS)];
      out[x * 4 + 3] = 0xFF;
    }
  }
}

// ---- IDCT ---------------------------------------------------------------------------------------

#define CONST_BITS 13
#define PASS1_BITS 2
#define F(c) wasm_i32x4_splat(c)
#define MUL(a, c) wasm_i32x4_mul(a, F(c))
#define ADD wasm_i32x4_add
#define SUB wasm_i32x4_sub
/* DESCALE(x, n): round and arithmetic shift right. */
static inline v descale(v x, int n) { return wasm_i32x4_shr(ADD(x, F(1 << (n - 1))), n); }

/* Row k of a coefficient block, columns 0-3 or 4-7 (half), dequantised, as i32x4. */
_Static_assert(sizeof(ISLOW_MULT_TYPE) == 4, "MULTIPLIER is int without WITH_SIMD (jmorecfg.h)");
static inline v coef(JCOEFPTR c, const ISLOW_MULT_TYPE *q, int k, int half) {
  v cv = wasm_v128_load(c + k * DCTSIZE);
  v c32 = half ? wasm_i32x4_extend_high_i16x8(cv) : wasm_i32x4_extend_low_i16x8(cv);
  return wasm_i32x4_mul(c32, wasm_v128_load(q + k * DCTSIZE + half * 4));
}

/*
 * Whether every coefficient a reduced IDCT reads, other than the DC, is 0. `used` has bit k set
 * when row k and column k are inputs (jidctred.c: 4x4 skips index 4, 2x2 reads 0, 1, 3, 5, 7).
 * Such blocks (smooth areas) are one value: the callers then skip both passes, with the same result.
 */
/* The lane arithmetic of the SIMD passes in scalar code: 32-bit products and shifts wrap (corrupt data). */
static inline int wrap_mul(int a, int b) { return (int)((uint32_t)a * (uint32_t)b); }
static inline int wrap_descale(int x, int up, int n) {
  return (int)((uint32_t)x * (1u << up) + (1u << (n - 1))) >> n;
}

static inline int dc_only(JCOEFPTR c, int used) {
  const v cols = wasm_i16x8_make(used & 1 ? -1 : 0, used & 2 ? -1 : 0, used & 4 ? -1 : 0, used & 8 ? -1 : 0,
                                 used & 16 ? -1 : 0, used & 32 ? -1 : 0, used & 64 ? -1 : 0, used & 128 ? -1 : 0);
  v any = wasm_v128_and(wasm_v128_load(c), wasm_v128_and(cols, wasm_i16x8_make(0, -1, -1, -1, -1, -1, -1, -1)));
  v rows = wasm_i16x8_splat(0);
  for (int k = 1; k < 8; k++)
    if (used & (1 << k)) rows = wasm_v128_or(rows, wasm_v128_load(c + k * DCTSIZE));
  return !wasm_v128_any_true(wasm_v128_or(any, wasm_v128_and(rows, cols)));
}

/* A lane mask of the columns whose bit is set in `cols`. */
static inline v column_mask(int cols) {
  return wasm_i16x8_make(cols & 1 ? -1 : 0, cols & 2 ? -1 : 0, cols & 4 ? -1 : 0, cols & 8 ? -1 : 0, cols & 16 ? -1 : 0,
                         cols & 32 ? -1 : 0, cols & 64 ? -1 : 0, cols & 128 ? -1 : 0);
}

/*
 * Whether every coefficient a reduced IDCT reads lies in the block's top-left 2x2 corner (rows and
 * columns 0 and 1). `used` has bit k set when row k and column k are inputs. Most blocks of a photo
 * decoded at 1/4 are such (71% of luma blocks at q90, against 1.5% that are DC only): the corner
 * paths below compute them with the general path's arithmetic minus its terms that are 0, so the
 * bytes are the same.
 */
static inline int corner_only(JCOEFPTR c, int used) {
  const v far_cols = column_mask(used & ~3);
  v top = wasm_v128_and(wasm_v128_or(wasm_v128_load(c), wasm_v128_load(c + DCTSIZE)), far_cols);
  v rows = wasm_i16x8_splat(0);
  for (int k = 2; k < 8; k++)
    if (used & (1 << k)) rows = wasm_v128_or(rows, wasm_v128_load(c + k * DCTSIZE));
  return !wasm_v128_any_true(wasm_v128_or(top, wasm_v128_and(rows, column_mask(used))));
}

/* Transposes the 4x4 block of i32 held in a, b, c, d (rows) in place. */
static inline void transpose4(v *a, v *b, v *c, v *d) {
  v t0 = wasm_i32x4_shuffle(*a, *b, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(*a, *b, 2, 6, 3, 7);
  v t2 = wasm_i32x4_shuffle(*c, *d, 0, 4, 1, 5), t3 = wasm_i32x4_shuffle(*c, *d, 2, 6, 3, 7);
  *a = wasm_i64x2_shuffle(t0, t2, 0, 2);
  *b = wasm_i64x2_shuffle(t0, t2, 1, 3);
  *c = wasm_i64x2_shuffle(t1, t3, 0, 2);
  *d = wasm_i64x2_shuffle(t1, t3, 1, 3);
}

/* The 8-point islow IDCT of jidctint.c on eight vectors (inputs i0..i7), outputs o0..o7, before descaling. */
static inline void idct8(const v i[8], v o[8], int shift0) {
  v z2 = i[2], z3 = i[6];
  v z1 = MUL(ADD(z2, z3), 4433);            /* FIX_0_541196100 */
  v tmp2 = ADD(z1, MUL(z3, -15137));        /* -FIX_1_847759065 */
  v tmp3 = ADD(z1, MUL(z2, 6270));          /* FIX_0_765366865 */
  v tmp0 = wasm_i32x4_shl(ADD(i[0], i[4]), shift0);
  v tmp1 = wasm_i32x4_shl(SUB(i[0], i[4]), shift0);
  v tmp10 = ADD(tmp0, tmp3), tmp13 = SUB(tmp0, tmp3), tmp11 = ADD(tmp1, tmp2), tmp12 = SUB(tmp1, tmp2);
  tmp0 = i[7]; tmp1 = i[5]; tmp2 = i[3]; tmp3 = i[1];
  z1 = ADD(tmp0, tmp3);
  z2 = ADD(tmp1, tmp2);
  z3 = ADD(tmp0, tmp2);
  v z4 = ADD(tmp1, tmp3);
  v z5 = MUL(ADD(z3, z4), 9633);            /* FIX_1_175875602 */
  tmp0 = MUL(tmp0, 2446);                   /* FIX_0_298631336 */
  tmp1 = MUL(tmp1, 16819);                  /* FIX_2_053119869 */
  tmp2 = MUL(tmp2, 25172);                  /* FIX_3_072711026 */
  tmp3 = MUL(tmp3, 12299);                  /* FIX_1_501321110 */
  z1 = MUL(z1, -7373);                      /* -FIX_0_899976223 */
  z2 = MUL(z2, -20995);                     /* -FIX_2_562915447 */
  z3 = MUL(z3, -16069);                     /* -FIX_1_961570560 */
  z4 = MUL(z4, -3196);                      /* -FIX_0_390180644 */
  z3 = ADD(z3, z5);
  z4 = ADD(z4, z5);
  tmp0 = ADD(tmp0, ADD(z1, z3));
  tmp1 = ADD(tmp1, ADD(z2, z4));
  tmp2 = ADD(tmp2, ADD(z2, z3));
  tmp3 = ADD(tmp3, ADD(z1, z4));
  o[0] = ADD(tmp10, tmp3); o[7] = SUB(tmp10, tmp3);
  o[1] = ADD(tmp11, tmp2); o[6] = SUB(tmp11, tmp2);
  o[2] = ADD(tmp12, tmp1); o[5] = SUB(tmp12, tmp1);
  o[3] = ADD(tmp13, tmp0); o[4] = SUB(tmp13, tmp0);
}

/* Eight output samples (two i32x4, already descaled) + 128, clamped, stored as 8 bytes. */
static inline void store8(JSAMPROW out, v a, v b) {
  v s = wasm_i16x8_add_sat(wasm_i16x8_narrow_i32x4(a, b), wasm_i16x8_splat(CENTERJSAMPLE));
  wasm_v128_store64_lane(out, wasm_u8x16_narrow_i16x8(s, s), 0);
}

GLOBAL(int) jsimd_can_idct_islow(void) { return 1; }

GLOBAL(void)
jsimd_idct_islow(j_decompress_ptr cinfo, jpeg_component_info *compptr, JCOEFPTR coef_block, JSAMPARRAY output_buf, JDIMENSION output_col) {
  (void)cinfo;
  const ISLOW_MULT_TYPE *q = (const ISLOW_MULT_TYPE *)compptr->dct_table;
  v ws[2][8]; /* pass 1 results: [column half][row] */
  for (int half = 0; half < 2; half++) {
    v in[8], out[8];
    for (int k = 0; k < 8; k++) in[k] = coef(coef_block, q, k, half);
    idct8(in, out, CONST_BITS);
    for (int k = 0; k < 8; k++) ws[half][k] = descale(out[k], CONST_BITS - PASS1_BITS);
  }
  /* Pass 2 works on rows: transpose the 8x8 workspace (four 4x4 blocks). */
  v t[2][8]; /* [row half][column]: t[h][c] holds column c of rows 4h..4h+3 */
  for (int rh = 0; rh < 2; rh++)
    for (int ch = 0; ch < 2; ch++) {
      v a = ws[ch][rh * 4], b = ws[ch][rh * 4 + 1], c = ws[ch][rh * 4 + 2], d = ws[ch][rh * 4 + 3];
      transpose4(&a, &b, &c, &d);
      t[rh][ch * 4] = a; t[rh][ch * 4 + 1] = b; t[rh][ch * 4 + 2] = c; t[rh][ch * 4 + 3] = d;
    }
  v res[2][8]; /* [row half][output column] */
  for (int rh = 0; rh < 2; rh++) {
    v out[8];
    idct8(t[rh], out, CONST_BITS);
    for (int c = 0; c < 8; c++) res[rh][c] = descale(out[c], CONST_BITS + PASS1_BITS + 3);
  }
  /* Back to rows: transpose again and store. */
  for (int rh = 0; rh < 2; rh++) {
    v a0 = res[rh][0], a1 = res[rh][1], a2 = res[rh][2], a3 = res[rh][3];
    v b0 = res[rh][4], b1 = res[rh][5], b2 = res[rh][6], b3 = res[rh][7];
    transpose4(&a0, &a1, &a2, &a3);
    transpose4(&b0, &b1, &b2, &b3);
    store8(output_buf[rh * 4 + 0] + output_col, a0, b0);
    store8(output_buf[rh * 4 + 1] + output_col, a1, b1);
    store8(output_buf[rh * 4 + 2] + output_col, a2, b2);
    store8(output_buf[rh * 4 + 3] + output_col, a3, b3);
  }
}

GLOBAL(int) jsimd_can_idct_4x4(void) { return 1; }

/* jidctred.c's 4-point IDCT from the 8 inputs (row 4 unused), outputs o0..o3 before descaling. */
static inline void idct4(const v i[8], v o[4]) {
  v tmp0 = wasm_i32x4_shl(i[0], CONST_BITS + 1);
  v tmp2 = ADD(MUL(i[2], 15137), MUL(i[6], -6270));
  v tmp10 = ADD(tmp0, tmp2), tmp12 = SUB(tmp0, tmp2);
  v z1 = i[7], z2 = i[5], z3 = i[3], z4 = i[1];
  tmp0 = ADD(ADD(MUL(z1, -1730), MUL(z2, 11893)), ADD(MUL(z3, -17799), MUL(z4, 8697)));
  tmp2 = ADD(ADD(MUL(z1, -4176), MUL(z2, -4926)), ADD(MUL(z3, 7373), MUL(z4, 20995)));
  o[0] = ADD(tmp10, tmp2); o[3] = SUB(tmp10, tmp2);
  o[1] = ADD(tmp12, tmp0); o[2] = SUB(tmp12, tmp0);
}

GLOBAL(void)
jsimd_idct_4x4(j_decompress_ptr cinfo, jpeg_component_info *compptr, JCOEFPTR coef_block, JSAMPARRAY output_buf, JDIMENSION output_col) {
  (void)cinfo;
  const ISLOW_MULT_TYPE *q = (const ISLOW_MULT_TYPE *)compptr->dct_table;
  if (dc_only(coef_block, 0xEF)) {
    /* Both passes of the general path with every AC input 0: one value for the block. */
    int w = wrap_descale(wrap_mul(coef_block[0], q[0]), CONST_BITS + 1, CONST_BITS - PASS1_BITS + 1);
    int s = wrap_descale(w, CONST_BITS + 1, CONST_BITS + PASS1_BITS + 3 + 1) + CENTERJSAMPLE;
    v px = wasm_i8x16_splat((char)(s < 0 ? 0 : s > 255 ? 255 : s));
    for (int r = 0; r < 4; r++) wasm_v128_store32_lane(output_buf[r] + output_col, px, 0);
    return;
  }
  if (corner_only(coef_block, 0xEF)) {
    /* Pass 1 on columns 0-3 from rows 0 and 1 (idct4 with i2, i3, i5, i6, i7 = 0). */
    v i0 = coef(coef_block, q, 0, 0), i1 = coef(coef_block, q, 1, 0);
    v tmp0 = wasm_i32x4_shl(i0, CONST_BITS + 1), odd0 = MUL(i1, 8697), odd2 = MUL(i1, 20995);
    v a = descale(ADD(tmp0, odd2), CONST_BITS - PASS1_BITS + 1), b = descale(ADD(tmp0, odd0), CONST_BITS - PASS1_BITS + 1);
    v c = descale(SUB(tmp0, odd0), CONST_BITS - PASS1_BITS + 1), d = descale(SUB(tmp0, odd2), CONST_BITS - PASS1_BITS + 1);
    /* Pass 2 from columns 0 and 1 of the four rows (the others are 0). */
    transpose4(&a, &b, &c, &d);
    tmp0 = wasm_i32x4_shl(a, CONST_BITS + 1), odd0 = MUL(b, 8697), odd2 = MUL(b, 20995);
    v out[4] = {descale(ADD(tmp0, odd2), CONST_BITS + PASS1_BITS + 3 + 1), descale(ADD(tmp0, odd0), CONST_BITS + PASS1_BITS + 3 + 1),
                descale(SUB(tmp0, odd0), CONST_BITS + PASS1_BITS + 3 + 1), descale(SUB(tmp0, odd2), CONST_BITS + PASS1_BITS + 3 + 1)};
    transpose4(&out[0], &out[1], &out[2], &out[3]);
    for (int r = 0; r < 4; r++) {
      v s = wasm_i16x8_add_sat(wasm_i16x8_narrow_i32x4(out[r], out[r]), wasm_i16x8_splat(CENTERJSAMPLE));
      wasm_v128_store32_lane(output_buf[r] + output_col, wasm_u8x16_narrow_i16x8(s, s), 0);
    }
    return;
  }
  /* Pass 1: columns 0-3 and 5-7 (column 4 is not needed): ws[half][row 0..3]. */
  v ws[2][4];
  for (int half = 0; half < 2; half++) {
    v in[8], out[4];
    for (int k = 0; k < 8; k++) in[k] = coef(coef_block, q, k, half);
    idct4(in, out);
    for (int k = 0; k < 4; k++) ws[half][k] = descale(out[k], CONST_BITS - PASS1_BITS + 1);
  }
  /* Transpose: t[c] = column c of rows 0..3. */
  v t[8];
  for (int h = 0; h < 2; h++) {
    v a = ws[h][0], b = ws[h][1], c = ws[h][2], d = ws[h][3];
    transpose4(&a, &b, &c, &d);
    t[h * 4] = a; t[h * 4 + 1] = b; t[h * 4 + 2] = c; t[h * 4 + 3] = d;
  }
  v out[4];
  idct4(t, out);
  for (int c = 0; c < 4; c++) out[c] = descale(out[c], CONST_BITS + PASS1_BITS + 3 + 1);
  transpose4(&out[0], &out[1], &out[2], &out[3]);
  for (int r = 0; r < 4; r++) {
    v s = wasm_i16x8_add_sat(wasm_i16x8_narrow_i32x4(out[r], out[r]), wasm_i16x8_splat(CENTERJSAMPLE));
    wasm_v128_store32_lane(output_buf[r] + output_col, wasm_u8x16_narrow_i16x8(s, s), 0);
  }
}

GLOBAL(int) jsimd_can_idct_2x2(void) { return 1; }

/*
 * jidctred.c jpeg_idct_2x2, both passes in SIMD. The column pass gives the two rows of the
 * workspace (columns 0-3 and 4-7 of each); each output sample of the row pass is a dot product of
 * one workspace row with the row pass's coefficients (the even columns 2, 4, 6 are not inputs), so
 * the four outputs are four products summed across lanes at once. The sums wrap like the C code's
 * 32-bit arithmetic (in another order, which modular addition does not see): the same bytes.
 * (A DC-only test does not pay here: 1.5% of luma blocks of a q90 photo at 1/4, against 28% of
 * the chroma blocks that the 4x4 IDCT decodes.)
 */
GLOBAL(void)
jsimd_idct_2x2(j_decompress_ptr cinfo, jpeg_component_info *compptr, JCOEFPTR coef_block, JSAMPARRAY output_buf, JDIMENSION output_col) {
  (void)cinfo;
  const ISLOW_MULT_TYPE *q = (const ISLOW_MULT_TYPE *)compptr->dct_table;
  if (corner_only(coef_block, 0xAB)) {
    /* Columns 0 and 1 from rows 0 and 1, in lanes (row 0, row 1) x (column 0, column 1). */
    int s[4];
    for (int c = 0; c < 2; c++) {
      int tmp10 = wrap_mul(wrap_mul(coef_block[c], q[c]), 1 << (CONST_BITS + 2));
      int tmp0 = wrap_mul(wrap_mul(coef_block[DCTSIZE + c], q[DCTSIZE + c]), 29692);
      s[c] = (int)((uint32_t)tmp10 + (uint32_t)tmp0 + (1u << (CONST_BITS - PASS1_BITS + 1))) >> (CONST_BITS - PASS1_BITS + 2);
      s[2 + c] = (int)((uint32_t)tmp10 - (uint32_t)tmp0 + (1u << (CONST_BITS - PASS1_BITS + 1))) >> (CONST_BITS - PASS1_BITS + 2);
    }
    v w = wasm_i32x4_make(s[0], s[0], s[2], s[2]), w1 = wasm_i32x4_make(s[1], s[1], s[3], s[3]);
    v sums = ADD(wasm_i32x4_mul(w, F(1 << (CONST_BITS + 2))), wasm_i32x4_mul(w1, wasm_i32x4_make(29692, -29692, 29692, -29692)));
    v px32 = ADD(descale(sums, CONST_BITS + PASS1_BITS + 3 + 2), F(CENTERJSAMPLE));
    v px = wasm_u8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(px32, px32), wasm_i16x8_splat(0));
    wasm_v128_store16_lane(output_buf[0] + output_col, px, 0);
    wasm_v128_store16_lane(output_buf[1] + output_col, px, 1);
    return;
  }
  v w0[2], w1[2]; /* workspace rows 0 and 1, [column half] */
  for (int half = 0; half < 2; half++) {
    v tmp10 = wasm_i32x4_shl(coef(coef_block, q, 0, half), CONST_BITS + 2);
    v tmp0 = ADD(ADD(MUL(coef(coef_block, q, 7, half), -5906), MUL(coef(coef_block, q, 5, half), 6967)),
                 ADD(MUL(coef(coef_block, q, 3, half), -10426), MUL(coef(coef_block, q, 1, half), 29692)));
    w0[half] = descale(ADD(tmp10, tmp0), CONST_BITS - PASS1_BITS + 2);
    w1[half] = descale(SUB(tmp10, tmp0), CONST_BITS - PASS1_BITS + 2);
  }
  /* Row pass coefficients of output columns 0 (even + odd part) and 1 (even - odd part). */
  const v plus_lo = wasm_i32x4_make(1 << (CONST_BITS + 2), 29692, 0, -10426), plus_hi = wasm_i32x4_make(0, 6967, 0, -5906);
  const v minus_lo = wasm_i32x4_make(1 << (CONST_BITS + 2), -29692, 0, 10426), minus_hi = wasm_i32x4_make(0, -6967, 0, 5906);
  v m00 = ADD(wasm_i32x4_mul(w0[0], plus_lo), wasm_i32x4_mul(w0[1], plus_hi));
  v m01 = ADD(wasm_i32x4_mul(w0[0], minus_lo), wasm_i32x4_mul(w0[1], minus_hi));
  v m10 = ADD(wasm_i32x4_mul(w1[0], plus_lo), wasm_i32x4_mul(w1[1], plus_hi));
  v m11 = ADD(wasm_i32x4_mul(w1[0], minus_lo), wasm_i32x4_mul(w1[1], minus_hi));
  v t0 = ADD(wasm_i32x4_shuffle(m00, m01, 0, 4, 1, 5), wasm_i32x4_shuffle(m00, m01, 2, 6, 3, 7));
  v t1 = ADD(wasm_i32x4_shuffle(m10, m11, 0, 4, 1, 5), wasm_i32x4_shuffle(m10, m11, 2, 6, 3, 7));
  v sums = ADD(wasm_i32x4_shuffle(t0, t1, 0, 1, 4, 5), wasm_i32x4_shuffle(t0, t1, 2, 3, 6, 7)); /* rows 0, 0, 1, 1 */
  v s = ADD(descale(sums, CONST_BITS + PASS1_BITS + 3 + 2), F(CENTERJSAMPLE));
  v px = wasm_u8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(s, s), wasm_i16x8_splat(0));
  wasm_v128_store16_lane(output_buf[0] + output_col, px, 0);
  wasm_v128_store16_lane(output_buf[1] + output_col, px, 1);
}
