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
} decoder;

static void error_exit(j_common_ptr cinfo) { jpeg_error(cinfo->err->msg_code); }
static void output_message(j_common_ptr cinfo) { (void)cinfo; }

/**
 * Opens a JPEG held in this module's memory: reads the header, chooses DCT scaling by 1/shrink
 * (1, 2, 4, 8) and RGBA output (CMYK for CMYK and YCCK JPEGs: 4 bytes per pixel too, converted
 * to sRGB by the caller through the embedded profile), and starts decompression. Returns the
 * decoder, or 0.
 */
__attribute__((export_name("dec_open")))
decoder *dec_open(const uint8_t *buf, uint32_t len, int shrink) {
  decoder *d = calloc(1, sizeof(decoder));
  if (!d) return 0;
  d->cinfo.err = jpeg_std_error(&d->jerr);
  d->jerr.error_exit = error_exit;
  d->jerr.output_message = output_message;
  jpeg_create_decompress(&d->cinfo);
  jpeg_mem_src(&d->cinfo, buf, len);
  jpeg_read_header(&d->cinfo, TRUE);
  d->cinfo.scale_num = 1;
  d->cinfo.scale_denom = shrink;
  int four = d->cinfo.jpeg_color_space == JCS_CMYK || d->cinfo.jpeg_color_space == JCS_YCCK;
  d->cinfo.out_color_space = four ? JCS_CMYK : JCS_EXT_RGBA;
  jpeg_start_decompress(&d->cinfo);
  return d;
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
