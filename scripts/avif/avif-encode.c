// Measurement entry point: RGBA -> AVIF (8-bit 4:2:0, no alpha) with libaom, no libavif.
// The aom settings are the ones libavif (codec_aom.c, 1.x) uses for a single still image:
// AOM_USAGE_ALL_INTRA, end usage Q, cq-level = quantizer, min/max quantizer 0/63, g_limit 1,
// g_lag_in_frames 0, key frames only, tune SSIM unless tune=1 (PSNR), skip post-processing
// filtering of the reconstruction. The quality -> quantizer mapping is libavif's
// ((100 - q) * 63 + 50) / 100. RGB -> YUV: full range BT.601 (libavif's default for sRGB input),
// chroma as the mean of each 2x2 block's per-pixel Cb/Cr. The container is a minimal AVIF
// (ftyp, meta: hdlr pitm iloc iinf iprp[ispe av1C pixi colr], mdat).
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
} buf;

static int put(buf *b, const void *src, size_t n) {
  if (b->n + n > b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 4096;
    while (cap < b->n + n) cap *= 2;
    uint8_t *p = realloc(b->p, cap);
    if (!p) return 0;
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->n, src, n);
  b->n += n;
  return 1;
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
/** Starts a box: its size is patched by end(). */
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
static void end(buf *b, size_t at) {
  uint32_t n = (uint32_t)(b->n - at);
  b->p[at] = n >> 24;
  b->p[at + 1] = n >> 16;
  b->p[at + 2] = n >> 8;
  b->p[at + 3] = n;
}

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

/** Writes the AVIF for one AV1 temporal unit; the sequence header OBU goes into av1C too. */
static int mux(const uint8_t *tu, size_t tu_len, uint32_t w, uint32_t h) {
  // Walk the OBUs: find the sequence header, drop temporal delimiters.
  const uint8_t *seq = NULL;
  size_t seq_len = 0;
  buf data = {0};
  for (size_t o = 0; o < tu_len;) {
    uint8_t hdr = tu[o];
    int type = (hdr >> 3) & 15, ext = (hdr >> 2) & 1, has_size = (hdr >> 1) & 1;
    size_t hl = 1 + (size_t)ext, used = 0;
    uint64_t sz;
    if (!has_size) return 0;
    if (!leb128(tu + o + hl, tu_len - o - hl, &used, &sz)) return 0;
    size_t total = hl + used + (size_t)sz;
    if (o + total > tu_len) return 0;
    if (type == 1 && !seq) {
      seq = tu + o;
      seq_len = total;
    }
    if (type != 2 && !put(&data, tu + o, total)) return 0;
    o += total;
  }
  if (!seq) return 0;
  // reduced_still_picture_header: seq_profile(3) still_picture(1) reduced(1) seq_level_idx(5).
  const uint8_t *sp = seq + 1 + ((seq[0] >> 2) & 1);
  size_t used;
  uint64_t sz;
  leb128(sp, 8, &used, &sz);
  sp += used;
  uint32_t profile = sp[0] >> 5, reduced = (sp[0] >> 3) & 1;
  uint32_t level = reduced ? (((sp[0] & 7) << 2) | (sp[1] >> 6)) : 31;

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
  u16(&b, 1);
  u16(&b, 1);  // item 1
  u16(&b, 0);  // data_reference_index
  u16(&b, 1);  // one extent
  size_t extent_offset = b.n;
  u32(&b, 0);
  u32(&b, (uint32_t)data.n);
  end(&b, a);
  a = fullbox(&b, "iinf", 0, 0);
  u16(&b, 1);
  size_t infe = fullbox(&b, "infe", 2, 0);
  u16(&b, 1);
  u16(&b, 0);
  fourcc(&b, "av01");
  u8(&b, 0);
  end(&b, infe);
  end(&b, a);
  size_t iprp = box(&b, "iprp");
  size_t ipco = box(&b, "ipco");
  a = fullbox(&b, "ispe", 0, 0);
  u32(&b, w);
  u32(&b, h);
  end(&b, a);
  a = box(&b, "av1C");
  u8(&b, 0x81);
  u8(&b, (profile << 5) | level);
  u8(&b, 0x0C);  // tier 0, 8-bit, not mono, subsampling x and y, chroma position unknown
  u8(&b, 0);
  put(&b, seq, seq_len);
  end(&b, a);
  a = fullbox(&b, "pixi", 0, 0);
  u8(&b, 3);
  u8(&b, 8);
  u8(&b, 8);
  u8(&b, 8);
  end(&b, a);
  a = box(&b, "colr");
  fourcc(&b, "nclx");
  u16(&b, 1);   // BT.709 primaries
  u16(&b, 13);  // sRGB transfer
  u16(&b, 6);   // BT.601 matrix
  u8(&b, 0x80);  // full range
  end(&b, a);
  end(&b, ipco);
  a = fullbox(&b, "ipma", 0, 0);
  u32(&b, 1);
  u16(&b, 1);
  u8(&b, 4);
  u8(&b, 1);          // ispe
  u8(&b, 0x80 | 2);   // av1C, essential
  u8(&b, 3);          // pixi
  u8(&b, 4);          // colr
  end(&b, a);
  end(&b, iprp);
  end(&b, meta);
  a = box(&b, "mdat");
  uint32_t off = (uint32_t)b.n;
  put(&b, data.p, data.n);
  end(&b, a);
  free(data.p);
  if (!b.p) return 0;
  b.p[extent_offset] = off >> 24;
  b.p[extent_offset + 1] = off >> 16;
  b.p[extent_offset + 2] = off >> 8;
  b.p[extent_offset + 3] = off;
  g_out = b.p;
  g_out_len = (uint32_t)b.n;
  return 1;
}

static uint8_t clamp8(float v) {
  v += 0.5f;
  return v < 0 ? 0 : v > 255 ? 255 : (uint8_t)v;
}

/** Returns the AVIF's length (its bytes at avif_result_ptr()), or 0 on failure. */
uint32_t avif_encode(const uint8_t *rgba, int w, int h, int quality, int speed, int tune) {
  avif_result_free();
  if (w <= 0 || h <= 0) return 0;
  if (quality < 0) quality = 0;
  if (quality > 100) quality = 100;
  const int quantizer = ((100 - quality) * 63 + 50) / 100;
  const int cw = (w + 1) >> 1, ch = (h + 1) >> 1;
  uint8_t *planes = malloc((size_t)w * h + 2 * (size_t)cw * ch);
  float *cbcr = malloc(sizeof(float) * 2 * (size_t)w * 2);
  if (!planes || !cbcr) {
    free(planes);
    free(cbcr);
    return 0;
  }
  uint8_t *yp = planes, *up = planes + (size_t)w * h, *vp = up + (size_t)cw * ch;
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
  free(cbcr);

  aom_codec_iface_t *iface = aom_codec_av1_cx();
  struct aom_codec_enc_cfg cfg;
  aom_codec_ctx_t ctx;
  uint32_t result = 0;
  if (aom_codec_enc_config_default(iface, &cfg, AOM_USAGE_ALL_INTRA) != AOM_CODEC_OK) goto done;
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
  if (aom_codec_enc_init(&ctx, iface, &cfg, 0) != AOM_CODEC_OK) goto done;
  aom_codec_control(&ctx, AOME_SET_CQ_LEVEL, quantizer);
  if (speed < 0) speed = 0;
  if (speed > 9) speed = 9;
  aom_codec_control(&ctx, AOME_SET_CPUUSED, speed);
  aom_codec_control(&ctx, AV1E_SET_COLOR_PRIMARIES, 1);
  aom_codec_control(&ctx, AV1E_SET_TRANSFER_CHARACTERISTICS, 13);
  aom_codec_control(&ctx, AV1E_SET_MATRIX_COEFFICIENTS, 6);
  aom_codec_control(&ctx, AV1E_SET_COLOR_RANGE, AOM_CR_FULL_RANGE);
  aom_codec_control(&ctx, AV1E_SET_SKIP_POSTPROC_FILTERING, 1);
  aom_codec_control(&ctx, AOME_SET_TUNING, tune == 1 ? AOM_TUNE_PSNR : AOM_TUNE_SSIM);

  aom_image_t img;
  memset(&img, 0, sizeof img);
  img.fmt = AOM_IMG_FMT_I420;
  img.bit_depth = 8;
  img.w = img.d_w = (unsigned)w;
  img.h = img.d_h = (unsigned)h;
  img.bps = 12;
  img.x_chroma_shift = img.y_chroma_shift = 1;
  img.planes[0] = yp;
  img.planes[1] = up;
  img.planes[2] = vp;
  img.stride[0] = w;
  img.stride[1] = img.stride[2] = cw;
  img.cp = AOM_CICP_CP_BT_709;
  img.tc = AOM_CICP_TC_SRGB;
  img.mc = AOM_CICP_MC_BT_601;
  img.range = AOM_CR_FULL_RANGE;

  buf tu = {0};
  int ok = aom_codec_encode(&ctx, &img, 0, 1, 0) == AOM_CODEC_OK;
  const aom_codec_cx_pkt_t *pkt;
  aom_codec_iter_t it = NULL;
  while (ok && (pkt = aom_codec_get_cx_data(&ctx, &it)))
    if (pkt->kind == AOM_CODEC_CX_FRAME_PKT) ok = put(&tu, pkt->data.frame.buf, pkt->data.frame.sz);
  if (ok && aom_codec_encode(&ctx, NULL, 0, 1, 0) == AOM_CODEC_OK) {  // flush
    it = NULL;
    while ((pkt = aom_codec_get_cx_data(&ctx, &it)))
      if (pkt->kind == AOM_CODEC_CX_FRAME_PKT) ok = ok && put(&tu, pkt->data.frame.buf, pkt->data.frame.sz);
  }
  aom_codec_destroy(&ctx);
  if (ok && tu.n && mux(tu.p, tu.n, (uint32_t)w, (uint32_t)h)) result = g_out_len;
  free(tu.p);
done:
  free(planes);
  return result;
}
