// zlib streams in and out through libdeflate 1.14 (Debian's source, see scripts/build-wasm.sh): the
// PNG decoder inflates the image data in one call into a buffer of exactly the size the header
// implies (more data cannot overflow it: a zlib bomb just fails), and the PNG encoder deflates its
// filtered rows. About 1.4x faster than the runtime's zlib, and with no stream chunking.
#include "libdeflate.h"
__attribute__((export_name("dec_new"))) struct libdeflate_decompressor *dec_new(void) { return libdeflate_alloc_decompressor(); }
/** Inflates a zlib stream into exactly out_len bytes. 0: ok; 1: bad data; 2: short output; 3: output would overflow. */
__attribute__((export_name("zlib_inflate")))
int zlib_inflate(struct libdeflate_decompressor *d, const void *in, size_t in_len, void *out, size_t out_len) {
  size_t actual = 0;
  enum libdeflate_result r = libdeflate_zlib_decompress(d, in, in_len, out, out_len, &actual);
  if (r == LIBDEFLATE_SUCCESS) return actual == out_len ? 0 : 2;
  return r == LIBDEFLATE_SHORT_OUTPUT ? 2 : r == LIBDEFLATE_INSUFFICIENT_SPACE ? 3 : 1;
}
__attribute__((export_name("enc_new"))) struct libdeflate_compressor *enc_new(int level) { return libdeflate_alloc_compressor(level); }
__attribute__((export_name("zlib_bound"))) size_t zlib_bound(struct libdeflate_compressor *c, size_t n) { return libdeflate_zlib_compress_bound(c, n); }
__attribute__((export_name("zlib_deflate")))
size_t zlib_deflate(struct libdeflate_compressor *c, const void *in, size_t in_len, void *out, size_t out_cap) {
  return libdeflate_zlib_compress(c, in, in_len, out, out_cap);
}
__attribute__((export_name("enc_free"))) void enc_free(struct libdeflate_compressor *c) { libdeflate_free_compressor(c); }

/** Inflates a zlib stream of unknown size into at most `cap` bytes: the size, or -1 (corrupt) or -3 (more than cap). */
__attribute__((export_name("zlib_inflate_some")))
int zlib_inflate_some(struct libdeflate_decompressor *d, const void *in, size_t in_len, void *out, size_t cap) {
  size_t actual = 0;
  enum libdeflate_result r = libdeflate_zlib_decompress(d, in, in_len, out, cap, &actual);
  if (r == LIBDEFLATE_SUCCESS) return (int)actual;
  return r == LIBDEFLATE_INSUFFICIENT_SPACE ? -3 : -1;
}
