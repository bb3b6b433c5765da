#!/usr/bin/env bash
# Rebuilds the project's own WebAssembly modules (committed, so npm install needs no compiler).
# Needs clang and wasm-ld with the WebAssembly target (Debian: apt install clang lld); the JPEG
# decoder and the zlib module also need wasi-libc, libclang-rt-14-dev-wasm32 and their sources
# (Debian: a deb-src line, then `apt-get source libjpeg-turbo libdeflate`; pass their folders as
# LIBJPEG_SRC and LIBDEFLATE_SRC).
set -euo pipefail
cd "$(dirname "$0")/.."
W=src/pixels/wasm

# Kernels without libc: memory laid out by their TS callers.
for src in $W/resample.c $W/jpeg-encode.c $W/png-filter.c $W/png-unfilter.c; do
  out="${src%.c}.wasm"
  clang --target=wasm32 -O3 -msimd128 -mbulk-memory -nostdlib -ffreestanding \
    -Wl,--no-entry -Wl,--export-dynamic -Wl,--export=__heap_base -Wl,--initial-memory=131072 -Wl,--strip-all \
    -o "$out" "$src"
  echo "built $out ($(stat -c %s "$out") bytes)"
done

# zlib streams for PNG: libdeflate 1.14 (Debian: `apt-get source libdeflate`; its folder as LIBDEFLATE_SRC).
if [ -n "${LIBDEFLATE_SRC:-}" ]; then
  d="$LIBDEFLATE_SRC"
  clang --target=wasm32-wasi -O3 -msimd128 -mbulk-memory -mexec-model=reactor -w -I"$d" -I"$d/lib" \
    -Wl,--export=malloc -Wl,--export=free -Wl,--strip-all -o $W/deflate.wasm $W/deflate.c \
    "$d/lib/deflate_decompress.c" "$d/lib/zlib_decompress.c" "$d/lib/adler32.c" "$d/lib/utils.c" \
    "$d/lib/deflate_compress.c" "$d/lib/zlib_compress.c"
  echo "built $W/deflate.wasm ($(stat -c %s $W/deflate.wasm) bytes)"
else
  echo "skipped $W/deflate.wasm: set LIBDEFLATE_SRC to libdeflate 1.14's source folder"
fi

# The JPEG decoder: libjpeg-turbo 2.1.5 (C code paths; it has no wasm SIMD) with wasi-libc's malloc.
if [ -n "${LIBJPEG_SRC:-}" ]; then
  b=$(mktemp -d)
  cp "$LIBJPEG_SRC"/*.c "$LIBJPEG_SRC"/*.h "$b"/
  # wasm32 has native 64-bit integers: give the Huffman decoder its 64-bit bit buffer.
  sed -i 's/#elif defined(__x86_64__) \&\& defined(__ILP32__)/#elif (defined(__x86_64__) \&\& defined(__ILP32__)) || defined(__wasm__)/' "$b/jdhuff.h"
  cp $W/libjpeg/*.h $W/libjpeg/jsimd_wasm.c "$b"/
  # jsimd_wasm.c replaces these stubs of jsimd_none.c with WebAssembly SIMD code.
  for f in jsimd_can_ycc_rgb jsimd_ycc_rgb_convert jsimd_can_idct_islow jsimd_idct_islow jsimd_can_idct_4x4 jsimd_idct_4x4 jsimd_can_idct_2x2 jsimd_idct_2x2; do
    sed -i "s/^$f(/${f}_none(/" "$b/jsimd_none.c"
  done
  files=""
  for f in jcomapi jdapimin jdapistd jdarith jaricom jdatasrc jdcoefct jdcolor jddctmgr jdhuff jdphuff jdinput \
    jdmainct jdmarker jdmaster jdmerge jdpostct jdsample jerror jmemmgr jmemnobs jidctflt jidctfst jidctint \
    jidctred jquant1 jquant2 jutils jsimd_none jsimd_wasm jdicc; do files="$files $b/$f.c"; done
  clang --target=wasm32-wasi -O3 -msimd128 -mbulk-memory -mexec-model=reactor -w -I"$b" \
    -Wl,--export=malloc -Wl,--export=free -Wl,--strip-all \
    -o $W/jpeg-decode.wasm $W/jpeg-decode.c $files
  rm -rf "$b"
  echo "built $W/jpeg-decode.wasm ($(stat -c %s $W/jpeg-decode.wasm) bytes)"
else
  echo "skipped $W/jpeg-decode.wasm: set LIBJPEG_SRC to libjpeg-turbo 2.1.5's source folder"
fi
