// RGBA -> AVIF (8-bit 4:2:0, alpha as an auxiliary monochrome image) with libaom, no libavif.
// libavif's orig tarball is not on Debian's mirror, so this drives libaom the way libavif 1.0's
// codec_aom.c does for one still image and writes the AVIF (ISOBMFF) container itself. With
// libavif's settings alone the output is what @jsquash/avif (libavif 1.0 + aom 3.7) wrote, to
// within 0.1% of the bytes at equal SSIM, in half the time (aom's SSE intrinsics compiled to WASM
// SIMD); two settings of av1_encode() trade 2.6% more bytes for another fifth of the time.
//
// aom settings, as libavif for a still image: AOM_USAGE_ALL_INTRA, end usage Q, cq-level from
// libavif's quality -> quantizer mapping ((100 - q) * 63 + 50) / 100, min/max quantizer 0/63,
// lossless coding at quantizer 0, one frame, no lag, tune SSIM at quality >= 50 (jsquash's "auto"),
// no post-processing filtering of the reconstruction; two departures in av1_encode(). Colour: full-range BT.601 (libavif's default
// for sRGB), chroma as the mean of each 2x2 block's Cb and Cr; the alpha image full range and coded
// at the colour's quality, and left out when every pixel is opaque (libavif's avifImageIsOpaque).
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aom/aom_encoder.h"
#include "aom/aomcx.h"

static uint8_t *g_out;
static uint32_t g_out_len;

uint8_t *avif_result_ptr(void) { return g_out; }

void avif_result_free(void) {
  free(g_out);
  g_out = NULL;
  g_out_len = 0;
}

typedef struct {
  uint8_t *p;
  size_t n, cap;
  int failed;
} buf;

static void put(buf *b, const void *src, size_t n) {
  if (b->failed) return;
  if (b->n + n > b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 4096;
    while (cap < b->n + n) cap *= 2;
    uint8_t *p = realloc(b->p, cap);
    if (!p) {
      b->failed = 1;
      return;
    }
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->n, src, n);
  b->n += n;
}
static void u8(buf *b, uint32_t v) {
  uint8_t c = (uint8_t)v;
  put(b, &c, 1);
}
static void u16(buf *b, uint32_t v) {
  u8(b, v >> 8);
  u8(b, v);
}
static void u32(buf *b, uint32_t v) {
  u16(b, v >> 16);
  u16(b, v);
}
static void fourcc(buf *b, const char *s) { put(b, s, 4); }
static void patch32(buf *b, size_t at, uint32_t v) {
  if (b->failed) return;
  b->p[at] = v >> 24;
  b->p[at + 1] = v >> 16;
  b->p[at + 2] = v >> 8;
  b->p[at + 3] = v;
}
/** Starts a box: end() patches its size. */
static size_t box(buf *b, const char *type) {
  size_t at = b->n;
  u32(b, 0);
  fourcc(b, type);
  return at;
}
static size_t fullbox(buf *b, const char *type, uint32_t version, uint32_t flags) {
  size_t at = box(b, type);
  u32(b, (version << 24) | flags);
  return at;
}
static void end(buf *b, size_t at) { patch32(b, at, (uint32_t)(b->n - at)); }

static int leb128(const uint8_t *p, size_t n, size_t *used, uint64_t *v) {
  *v = 0;
  for (size_t i = 0; i < 8 && i < n; i++) {
    *v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
    if (!(p[i] & 0x80)) {
      *used = i + 1;
      return 1;
    }
  }
  return 0;
}

/** One coded image: its OBUs without temporal delimiters, and what av1C needs from its sequence header. */
typedef struct {
  buf obus;
  size_t seq_at, seq_len;  // the sequence header OBU within obus; seq_len 0 until found
  uint32_t profile, level, mono;
} coded;

/** Splits a temporal unit into `c`; the sequence header OBU stays in the data and goes into av1C too. */
static int split_obus(coded *c, const uint8_t *tu, size_t tu_len, int mono) {
  for (size_t o = 0; o < tu_len;) {
    uint8_t hdr = tu[o];
    int type = (hdr >> 3) & 15, ext = (hdr >> 2) & 1, has_size = (hdr >> 1) & 1;
    size_t hl = 1 + (size_t)ext, used = 0;
    uint64_t sz;
    if (!has_size || o + hl > tu_len) return 0;
    if (!leb128(tu + o + hl, tu_len - o - hl, &used, &sz)) return 0;
    if (sz > tu_len) return 0;
    size_t total = hl + used + (size_t)sz;
    if (o + total > tu_len) return 0;
    if (type != 2) {  // OBU_TEMPORAL_DELIMITER
      if (type == 1 && !c->seq_len) {  // OBU_SEQUENCE_HEADER
        c->seq_at = c->obus.n;
        c->seq_len = total;
      }
      put(&c->obus, tu + o, total);
    }
    o += total;
  }
  if (!c->seq_len || c->obus.failed) return 0;
  const uint8_t *seq = c->obus.p + c->seq_at;
  // seq_profile(3) still_picture(1) reduced_still_picture_header(1), then with the reduced
  // header seq_level_idx(5); without it timing_info_present(1) initial_display_delay_present(1)
  // operating_points_cnt_minus_1(5) operating_point_idc[0](12) seq_level_idx[0](5).
  const uint8_t *sp = seq + 1 + ((seq[0] >> 2) & 1);
  size_t used;
  uint64_t sz;
  if (!leb128(sp, c->seq_len - (size_t)(sp - seq), &used, &sz) || sz < 4) return 0;
  sp += used;
  uint32_t bits = ((uint32_t)sp[0] << 24) | ((uint32_t)sp[1] << 16) | ((uint32_t)sp[2] << 8) | sp[3];
  c->profile = bits >> 29;
  if ((bits >> 27) & 1) c->level = (bits >> 22) & 31;
  else if (!((bits >> 26) & 1)) c->level = (bits >> 3) & 31;  // no timing info: the fields above
  else c->level = 31;  // timing info present (aom writes none for a still image): "unconstrained"
  c->mono = (uint32_t)mono;
  return 1;
}

static void put_av1c(buf *b, const coded *c) {
  size_t a = box(b, "av1C");
  u8(b, 0x81);  // marker, version 1
  u8(b, (c->profile << 5) | c->level);
  // tier 0, 8 bit, monochrome, subsampling x and y (4:2:0, also for 4:0:0), chroma position unknown
  u8(b, c->mono ? 0x1C : 0x0C);
  u8(b, 0);
  put(b, c->obus.p + c->seq_at, c->seq_len);
  end(b, a);
}

/** Writes the AVIF: item 1 the colour image, item 2 (when `alpha`) its auxiliary alpha image. */
static int mux(const coded *color, const coded *alpha, uint32_t w, uint32_t h) {
  const int items = alpha ? 2 : 1;
  buf b = {0};
  size_t a = box(&b, "ftyp");
  fourcc(&b, "avif");
  u32(&b, 0);
  fourcc(&b, "avif");
  fourcc(&b, "mif1");
  fourcc(&b, "miaf");
  end(&b, a);
  size_t meta = fullbox(&b, "meta", 0, 0);
  a = fullbox(&b, "hdlr", 0, 0);
  u32(&b, 0);
  fourcc(&b, "pict");
  u32(&b, 0);
  u32(&b, 0);
  u32(&b, 0);
  u8(&b, 0);
  end(&b, a);
  a = fullbox(&b, "pitm", 0, 0);
  u16(&b, 1);
  end(&b, a);
  a = fullbox(&b, "iloc", 0, 0);
  u8(&b, 0x44);  // offset_size 4, length_size 4
  u8(&b, 0x00);  // base_offset_size 0
  u16(&b, (uint32_t)items);
  size_t extent_offset[2];
  for (int i = 0; i < items; i++) {
    u16(&b, (uint32_t)i + 1);
    u16(&b, 0);  // data_reference_index
    u16(&b, 1);  // one extent
    extent_offset[i] = b.n;
    u32(&b, 0);
    u32(&b, (uint32_t)(i ? alpha : color)->obus.n);
  }
  end(&b, a);
  a = fullbox(&b, "iinf", 0, 0);
  u16(&b, (uint32_t)items);
  for (int i = 0; i < items; i++) {
    size_t infe = fullbox(&b, "infe", 2, 0);
    u16(&b, (uint32_t)i + 1);
    u16(&b, 0);
    fourcc(&b, "av01");
    u8(&b, 0);
    end(&b, infe);
  }
  end(&b, a);
  if (alpha) {
    a = fullbox(&b, "iref", 0, 0);
    size_t auxl = box(&b, "auxl");
    u16(&b, 2);  // from the alpha image
    u16(&b, 1);
    u16(&b, 1);  // to the colour image
    end(&b, auxl);
    end(&b, a);
  }
  size_t iprp = box(&b, "iprp");
  size_t ipco = box(&b, "ipco");
  a = fullbox(&b, "ispe", 0, 0);  // property 1, both items
  u32(&b, w);
  u32(&b, h);
  end(&b, a);
  put_av1c(&b, color);  // 2
  a = fullbox(&b, "pixi", 0, 0);  // 3
  u8(&b, 3);
  u8(&b, 8);
  u8(&b, 8);
  u8(&b, 8);
  end(&b, a);
  a = box(&b, "colr");  // 4
  fourcc(&b, "nclx");
  u16(&b, 1);    // BT.709 primaries
  u16(&b, 13);   // sRGB transfer
  u16(&b, 6);    // BT.601 matrix
  u8(&b, 0x80);  // full range
  end(&b, a);
  if (alpha) {
    put_av1c(&b, alpha);  // 5
    a = fullbox(&b, "pixi", 0, 0);  // 6
    u8(&b, 1);
    u8(&b, 8);
    end(&b, a);
    a = fullbox(&b, "auxC", 0, 0);  // 7
    static const char urn[] = "urn:mpeg:mpegB:cicp:systems:auxiliary:alpha";
    put(&b, urn, sizeof urn);  // with its NUL
    end(&b, a);
  }
  end(&b, ipco);
  a = fullbox(&b, "ipma", 0, 0);
  u32(&b, (uint32_t)items);
  u16(&b, 1);
  u8(&b, 4);
  u8(&b, 1);         // ispe
  u8(&b, 0x80 | 2);  // av1C, essential
  u8(&b, 3);         // pixi
  u8(&b, 4);         // colr
  if (alpha) {
    u16(&b, 2);
    u8(&b, 4);
    u8(&b, 1);         // ispe
    u8(&b, 0x80 | 5);  // av1C, essential
    u8(&b, 6);         // pixi
    u8(&b, 0x80 | 7);  // auxC, essential
  }
  end(&b, a);
  end(&b, iprp);
  end(&b, meta);
  a = box(&b, "mdat");
  uint32_t off = (uint32_t)b.n;
  put(&b, color->obus.p, color->obus.n);
  if (alpha) put(&b, alpha->obus.p, alpha->obus.n);
  end(&b, a);
  patch32(&b, extent_offset[0], off);
  if (alpha) patch32(&b, extent_offset[1], off + (uint32_t)color->obus.n);
  if (b.failed) {
    free(b.p);
    return 0;
  }
  g_out = b.p;
  g_out_len = (uint32_t)b.n;
  return 1;
}

/** Codes one 4:2:0 image (planes Y, U, V) or, when `mono`, a 4:0:0 one from Y (U and V neutral). */
static int av1_encode(coded *out, uint8_t *const planes[3], int w, int h, int quantizer, int speed, int tune_ssim,
                      int mono) {
  aom_codec_iface_t *iface = aom_codec_av1_cx();
  struct aom_codec_enc_cfg cfg;
  aom_codec_ctx_t ctx;
  if (aom_codec_enc_config_default(iface, &cfg, AOM_USAGE_ALL_INTRA) != AOM_CODEC_OK) return 0;
  cfg.rc_end_usage = AOM_Q;
  cfg.g_profile = 0;
  cfg.g_bit_depth = AOM_BITS_8;
  cfg.g_input_bit_depth = 8;
  cfg.g_w = (unsigned)w;
  cfg.g_h = (unsigned)h;
  cfg.g_limit = 1;
  cfg.g_lag_in_frames = 0;
  cfg.kf_mode = AOM_KF_DISABLED;
  cfg.kf_max_dist = 0;
  cfg.g_threads = 1;
  cfg.rc_min_quantizer = 0;
  cfg.rc_max_quantizer = 63;
  cfg.monochrome = mono ? 1 : 0;
  if (aom_codec_enc_init(&ctx, iface, &cfg, 0) != AOM_CODEC_OK) return 0;
  aom_codec_control(&ctx, AOME_SET_CQ_LEVEL, quantizer);
  if (quantizer == 0) aom_codec_control(&ctx, AV1E_SET_LOSSLESS, 1);
  aom_codec_control(&ctx, AOME_SET_CPUUSED, speed);
  if (!mono) {
    aom_codec_control(&ctx, AV1E_SET_COLOR_PRIMARIES, AOM_CICP_CP_BT_709);
    aom_codec_control(&ctx, AV1E_SET_TRANSFER_CHARACTERISTICS, AOM_CICP_TC_SRGB);
    aom_codec_control(&ctx, AV1E_SET_MATRIX_COEFFICIENTS, AOM_CICP_MC_BT_601);
  }
  aom_codec_control(&ctx, AV1E_SET_COLOR_RANGE, AOM_CR_FULL_RANGE);
  aom_codec_control(&ctx, AV1E_SET_SKIP_POSTPROC_FILTERING, 1);
  if (tune_ssim) aom_codec_control(&ctx, AOME_SET_TUNING, AOM_TUNE_SSIM);
  // Two departures from libavif, measured at speed 8 on Kodak photos at equal luma SSIM
  // (bench/avif-build.mjs): trellis quantisation in the final encode only, not in the mode
  // search, and no angle deltas for directional intra modes: 0.78x the time for 1.026x the bytes.
  aom_codec_control(&ctx, AV1E_SET_DISABLE_TRELLIS_QUANT, 2);
  aom_codec_control(&ctx, AV1E_SET_ENABLE_ANGLE_DELTA, 0);

  aom_image_t img;
  memset(&img, 0, sizeof img);
  img.fmt = AOM_IMG_FMT_I420;
  img.bit_depth = 8;
  img.w = img.d_w = (unsigned)w;
  img.h = img.d_h = (unsigned)h;
  img.bps = 12;
  img.x_chroma_shift = img.y_chroma_shift = 1;
  img.monochrome = mono;
  for (int p = 0; p < 3; p++) img.planes[p] = planes[p];
  img.stride[0] = w;
  img.stride[1] = img.stride[2] = (w + 1) >> 1;
  img.cp = mono ? AOM_CICP_CP_UNSPECIFIED : AOM_CICP_CP_BT_709;
  img.tc = mono ? AOM_CICP_TC_UNSPECIFIED : AOM_CICP_TC_SRGB;
  img.mc = mono ? AOM_CICP_MC_UNSPECIFIED : AOM_CICP_MC_BT_601;
  img.range = AOM_CR_FULL_RANGE;

  buf tu = {0};
  int ok = aom_codec_encode(&ctx, &img, 0, 1, 0) == AOM_CODEC_OK;
  const aom_codec_cx_pkt_t *pkt;
  aom_codec_iter_t it = NULL;
  while (ok && (pkt = aom_codec_get_cx_data(&ctx, &it)))
    if (pkt->kind == AOM_CODEC_CX_FRAME_PKT) put(&tu, pkt->data.frame.buf, pkt->data.frame.sz);
  if (ok && aom_codec_encode(&ctx, NULL, 0, 1, 0) == AOM_CODEC_OK) {  // flush
    it = NULL;
    while ((pkt = aom_codec_get_cx_data(&ctx, &it)))
      if (pkt->kind == AOM_CODEC_CX_FRAME_PKT) put(&tu, pkt->data.frame.buf, pkt->data.frame.sz);
  }
  aom_codec_destroy(&ctx);
  ok = ok && !tu.failed && tu.n && split_obus(out, tu.p, tu.n, mono);
  free(tu.p);
  return ok;
}

static uint8_t clamp8(float v) {
  v += 0.5f;
  return v < 0 ? 0 : v > 255 ? 255 : (uint8_t)v;
}

/** Full-range BT.601 Y, and Cb, Cr as the mean of each 2x2 block's (of the 1 or 2 columns and rows at an odd edge). */
static void rgba_to_yuv420(const uint8_t *rgba, int w, int h, uint8_t *yp, uint8_t *up, uint8_t *vp, float *cbcr) {
  const int cw = (w + 1) >> 1;
  const float kr = 0.299f, kb = 0.114f, kg = 1.f - kr - kb;
  for (int y = 0; y < h; y += 2) {
    int rows = y + 1 < h ? 2 : 1;
    for (int r = 0; r < rows; r++) {
      const uint8_t *s = rgba + ((size_t)(y + r) * w) * 4;
      float *c = cbcr + (size_t)r * w * 2;
      for (int x = 0; x < w; x++, s += 4) {
        float R = s[0], G = s[1], B = s[2];
        float Y = kr * R + kg * G + kb * B;
        yp[(size_t)(y + r) * w + x] = clamp8(Y);
        c[2 * x] = (B - Y) / (2.f * (1.f - kb));
        c[2 * x + 1] = (R - Y) / (2.f * (1.f - kr));
      }
    }
    for (int x = 0; x < w; x += 2) {
      float su = 0, sv = 0;
      int n = 0;
      for (int r = 0; r < rows; r++)
        for (int dx = 0; dx < 2 && x + dx < w; dx++, n++) {
          su += cbcr[(size_t)r * w * 2 + 2 * (x + dx)];
          sv += cbcr[(size_t)r * w * 2 + 2 * (x + dx) + 1];
        }
      up[(size_t)(y >> 1) * cw + (x >> 1)] = clamp8(su / n + 128.f);
      vp[(size_t)(y >> 1) * cw + (x >> 1)] = clamp8(sv / n + 128.f);
    }
  }
}

static void coded_free(coded *c) { free(c->obus.p); }

/**
 * Encodes `rgba` (w x h, 4 bytes per pixel, allocated with malloc) and frees it as soon as its
 * planes are made, so that aom's buffers reuse that memory. quality: libavif's 0..100 (100 lossless
 * coding); speed: aom's cpu-used 0..9. Returns the AVIF's length, its bytes at avif_result_ptr()
 * until avif_result_free(); 0 on failure.
 */
uint32_t avif_encode(uint8_t *rgba, int w, int h, int quality, int speed) {
  avif_result_free();
  if (w <= 0 || h <= 0 || w > 16384 || h > 16384) {
    free(rgba);
    return 0;
  }
  if (quality < 0) quality = 0;
  if (quality > 100) quality = 100;
  if (speed < 0) speed = 0;
  if (speed > 9) speed = 9;
  const int quantizer = ((100 - quality) * 63 + 50) / 100;
  const int tune_ssim = quality >= 50;
  const size_t px = (size_t)w * h, cpx = (size_t)((w + 1) >> 1) * ((h + 1) >> 1);
  int opaque = 1;
  for (size_t i = 3; i < px * 4 && opaque; i += 4) opaque = rgba[i] == 255;

  uint8_t *planes = malloc(px + 2 * cpx + (opaque ? 0 : px + cpx));
  float *cbcr = malloc(sizeof(float) * 4 * (size_t)w);
  if (!planes || !cbcr) {
    free(planes);
    free(cbcr);
    free(rgba);
    return 0;
  }
  uint8_t *const yuv[3] = {planes, planes + px, planes + px + cpx};
  rgba_to_yuv420(rgba, w, h, yuv[0], yuv[1], yuv[2], cbcr);
  free(cbcr);
  uint8_t *const alpha[3] = {planes + px + 2 * cpx, planes + 2 * px + 2 * cpx, planes + 2 * px + 2 * cpx};
  if (!opaque) {
    for (size_t i = 0; i < px; i++) alpha[0][i] = rgba[i * 4 + 3];
    memset(alpha[1], 128, cpx);  // neutral chroma, which a monochrome image does not code
  }
  free(rgba);

  coded color = {0}, mask = {0};
  uint32_t result = 0;
  if (av1_encode(&color, yuv, w, h, quantizer, speed, tune_ssim, 0) &&
      (opaque || av1_encode(&mask, alpha, w, h, quantizer, speed, tune_ssim, 1)) &&
      mux(&color, opaque ? NULL : &mask, (uint32_t)w, (uint32_t)h))
    result = g_out_len;
  coded_free(&color);
  coded_free(&mask);
  free(planes);
  return result;
}
