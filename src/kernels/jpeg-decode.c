// JPEG decoder: libjpeg-turbo 2.1.5 (Debian's source, see scripts/build-wasm.sh) behind a small
// streaming API, so that callers can take scanlines as they come instead of a whole raster.
// Errors call the imported jpeg_error(), which throws in JS: the instance is then discarded
// (its C stack is left mid-call), see decode-jpeg.ts.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "jpeglib.h"

__attribute__((import_module("env"), import_name("jpeg_error")))
void jpeg_error(int code);

typedef struct {
  struct jpeg_decompress_struct cinfo;
  struct jpeg_error_mgr jerr;
  JSAMPROW rows[16];
  /* Raw planes (dec_open_planes): up to 16 luma and 16 chroma rows per call. */
  JSAMPROW yrows[16], cbrows[16], crrows[16];
} decoder;

static void error_exit(j_common_ptr cinfo) { jpeg_error(cinfo->err->msg_code); }
static void output_message(j_common_ptr cinfo) { (void)cinfo; }

/** A decoder over the JPEG at buf with its header read (libjpeg's errors go to jpeg_error), or 0. */
static decoder *open_header(const uint8_t *buf, uint32_t len) {
  decoder *d = calloc(1, sizeof(decoder));
  if (!d) return 0;
  d->cinfo.err = jpeg_std_error(&d->jerr);
  d->jerr.error_exit = error_exit;
  d->jerr.output_message = output_message;
  jpeg_create_decompress(&d->cinfo);
  jpeg_mem_src(&d->cinfo, buf, len);
  jpeg_read_header(&d->cinfo, TRUE);
  return d;
}

/**
 * Opens a JPEG held in this module's memory: reads the header, chooses DCT scaling by 1/shrink
 * (1, 2, 4, 8) and RGBA output (CMYK for CMYK and YCCK JPEGs: 4 bytes per pixel too, converted
 * to sRGB by the caller through the embedded profile), and starts decompression. Returns the
 * decoder, or 0.
 */
__attribute__((export_name("dec_open")))
decoder *dec_open(const uint8_t *buf, uint32_t len, int shrink) {
  decoder *d = open_header(buf, len);
  if (!d) return 0;
  d->cinfo.scale_num = 1;
  d->cinfo.scale_denom = shrink;
  int four = d->cinfo.jpeg_color_space == JCS_CMYK || d->cinfo.jpeg_color_space == JCS_YCCK;
  d->cinfo.out_color_space = four ? JCS_CMYK : JCS_EXT_RGBA;
  jpeg_start_decompress(&d->cinfo);
  return d;
}

/**
 * Opens a YCbCr JPEG with 4:2:0 or 4:4:4 sampling for its raw planes at 1/shrink (1, 2, 4, 8):
 * luma and the two chroma planes (at half its resolution for 4:2:0), as coded, without colour
 * conversion or upsampling (the patched jdmaster.c keeps the chroma at the luma's DCT scaling in
 * raw mode). Returns the decoder, or 0 when the JPEG has other components or sampling (the caller
 * then decodes to RGBA).
 */
__attribute__((export_name("dec_open_planes")))
decoder *dec_open_planes(const uint8_t *buf, uint32_t len, int shrink) {
  decoder *d = open_header(buf, len);
  if (!d) return 0;
  jpeg_component_info *c = d->cinfo.comp_info;
  const int f = d->cinfo.num_components == 3 ? c[0].h_samp_factor : 0;
  if (d->cinfo.jpeg_color_space != JCS_YCbCr || (f != 1 && f != 2) || c[0].v_samp_factor != f || c[1].h_samp_factor != 1 ||
      c[1].v_samp_factor != 1 || c[2].h_samp_factor != 1 || c[2].v_samp_factor != 1) {
    jpeg_destroy_decompress(&d->cinfo);
    free(d);
    return 0;
  }
  d->cinfo.scale_num = 1;
  d->cinfo.scale_denom = shrink;
  d->cinfo.out_color_space = JCS_YCbCr;
  d->cinfo.raw_data_out = TRUE;
  jpeg_start_decompress(&d->cinfo);
  return d;
}

/** 2 for 4:2:0 (a chroma sample per 2x2 luma samples), 1 for 4:4:4. */
__attribute__((export_name("dec_chroma_factor"))) int dec_chroma_factor(decoder *d) { return d->cinfo.max_h_samp_factor; }

/** A plane's size in samples (0: luma, 1: Cb, 2: Cr) and the row length its buffer needs (whole blocks). */
__attribute__((export_name("dec_plane_width"))) int dec_plane_width(decoder *d, int ci) { return d->cinfo.comp_info[ci].downsampled_width; }
__attribute__((export_name("dec_plane_height"))) int dec_plane_height(decoder *d, int ci) { return d->cinfo.comp_info[ci].downsampled_height; }
__attribute__((export_name("dec_plane_stride")))
int dec_plane_stride(decoder *d, int ci) {
  jpeg_component_info *c = &d->cinfo.comp_info[ci];
  return c->width_in_blocks * c->DCT_scaled_size;
}

/**
 * Decodes whole iMCU rows (the chroma factor x the DCT scaling luma rows each: 16 at 1/1 for
 * 4:2:0, 1 at 1/8 for 4:4:4) while up to `max` (<= 16) luma rows fit: luma rows into y, the
 * chroma rows (half as many for 4:2:0) into cb and cr, `ystride` and `cstride` bytes apart. The
 * last iMCU row may run past the plane's height (its padding, decoded). Returns the luma rows
 * written.
 */
__attribute__((export_name("dec_read_planes")))
int dec_read_planes(decoder *d, uint8_t *y, uint8_t *cb, uint8_t *cr, int ystride, int cstride, int max) {
  const int f = d->cinfo.max_v_samp_factor;
  const int lines = f * d->cinfo.min_DCT_scaled_size;
  int done = 0;
  if (max > 16) max = 16;
  while (done + lines <= max && d->cinfo.output_scanline < d->cinfo.output_height) {
    for (int i = 0; i < lines; i++) d->yrows[i] = y + (done + i) * ystride;
    for (int i = 0; i < lines / f; i++) {
      d->cbrows[i] = cb + (done / f + i) * cstride;
      d->crrows[i] = cr + (done / f + i) * cstride;
    }
    JSAMPARRAY planes[3] = {d->yrows, d->cbrows, d->crrows};
    int n = jpeg_read_raw_data(&d->cinfo, planes, lines);
    if (n <= 0) break;
    done += n;
  }
  return done;
}

__attribute__((export_name("dec_width"))) int dec_width(decoder *d) { return d->cinfo.output_width; }
__attribute__((export_name("dec_height"))) int dec_height(decoder *d) { return d->cinfo.output_height; }

/** 1 when the output is CMYK; 2 when it is CMYK stored inverted, as Adobe's APP14 marker says (Photoshop's convention, as Pillow and Skia read it). */
__attribute__((export_name("dec_cmyk")))
int dec_cmyk(decoder *d) {
  if (d->cinfo.out_color_space != JCS_CMYK) return 0;
  return d->cinfo.saw_Adobe_marker ? 2 : 1;
}

/** Decodes up to `max` (<= 16) scanlines into dst (rows `stride` bytes apart); returns how many. */
__attribute__((export_name("dec_read")))
int dec_read(decoder *d, uint8_t *dst, int stride, int max) {
  if (max > 16) max = 16;
  for (int i = 0; i < max; i++) d->rows[i] = dst + i * stride;
  return jpeg_read_scanlines(&d->cinfo, d->rows, max);
}

/** Warnings so far (libjpeg's recoverable errors, such as truncated data). */
__attribute__((export_name("dec_warnings"))) int dec_warnings(decoder *d) { return d->jerr.num_warnings; }

__attribute__((export_name("dec_close")))
void dec_close(decoder *d) {
  jpeg_destroy_decompress(&d->cinfo);
  free(d);
}
