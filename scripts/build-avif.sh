#!/usr/bin/env bash
# dprox's AVIF encoder: libaom 3.6.0 (encoder only, single-threaded) with its entry point
# src/kernels/avif-encode.c, built with Debian's emscripten 3.1.6 into src/kernels/avif-encode.wasm
# and its ES-module glue avif-encode.mjs (both committed, with avif-encode.lock).
#
#   apt-get install -y emscripten cmake wabt
#   mkdir -p /work/src-avif && cd /work/src-avif && apt-get source aom=3.6.0-1+deb12u2
#   AOM_SRC=/work/src-avif/aom-3.6.0 scripts/build-avif.sh [x86simd|generic|simd] [outdir]
#
# Flavours (only x86simd is shipped, into src/kernels; the others go to bench/.out/avif-<flavour>
# for bench/avif-build.mjs):
#   x86simd  AOM_TARGET_CPU=x86 (32-bit x86 so that no _si64 intrinsics are used): aom's SSE2..SSE4.1
#            intrinsics (.c) compiled through emscripten's SSE->wasm SIMD headers (-msimd128 -msse4.1),
#            SSE4.2/AVX/AVX2 off; aom's nasm (.asm) files are not assembled (a stand-in "nasm"
#            writes empty objects): the RTCD targets only they define become calls to the C
#            versions (scripts/avif/asm-fallbacks.py), aom_ports/x86.h's inline x86 asm (cpuid,
#            rdtsc, x87) is replaced by scripts/avif/x86-emscripten.h.
#   generic  AOM_TARGET_CPU=generic, -O3, no SIMD flags (the control)
#   simd     AOM_TARGET_CPU=generic, -O3 -msimd128 (clang auto-vectorisation only)
#
# libavif 0.11.1 could not be used: `apt-get source libavif` gets the .dsc and the Debian diff but
# the orig tarball (libavif_0.11.1.orig.tar.gz) answers 404 on the mirror. The entry point therefore
# drives libaom directly the way libavif's codec_aom.c does for a still image and writes the AVIF
# (ISOBMFF) container itself.
set -euo pipefail
cd "$(dirname "$0")/.."
FLAVOUR="${1:-x86simd}"
if [ "$FLAVOUR" = x86simd ]; then OUT="${2:-src/kernels}"; else OUT="${2:-bench/.out/avif-$FLAVOUR}"; fi
B="$(pwd)/bench/.out/avif-build-$FLAVOUR"  # aom's build folder (bench/.out is git-ignored)
T="$B.tools"  # the stand-in nasm and the x86.h shim, kept apart from $B, which a reconfigure empties
AOM_SRC="${AOM_SRC:?set AOM_SRC to the aom 3.6.0 source folder}"
JOBS="${JOBS:-2}"
mkdir -p "$OUT" "$B" "$T"
OUT="$(cd "$OUT" && pwd)"

COMMON=(-DCMAKE_BUILD_TYPE=Release -DENABLE_CCACHE=0 -DENABLE_DOCS=0 -DENABLE_TESTS=0 -DENABLE_EXAMPLES=0
  -DENABLE_TOOLS=0 -DENABLE_TESTDATA=0 -DCONFIG_AV1_DECODER=0 -DCONFIG_AV1_ENCODER=1
  -DCONFIG_MULTITHREAD=0 -DCONFIG_RUNTIME_CPU_DETECT=0 -DCONFIG_WEBM_IO=0 -DCONFIG_AV1_HIGHBITDEPTH=0
  -DCONFIG_PIC=0 -DBUILD_SHARED_LIBS=0)
case "$FLAVOUR" in
  generic) CPU=(-DAOM_TARGET_CPU=generic); CFLAGS="-O3 -DNDEBUG" ;;
  simd) CPU=(-DAOM_TARGET_CPU=generic); CFLAGS="-O3 -DNDEBUG -msimd128" ;;
  x86simd)
    # An "assembler" so that cmake's x86 path configures; the .asm objects it makes are empty and
    # the RTCD targets they would define are mapped to C after the build (asm-fallbacks.py).
    mkdir -p "$T/fakeas"
    printf '#!/bin/sh\n# fake nasm: -hf help text for test_nasm, otherwise an empty object\nif [ "$1" = -hf ]; then echo "-Ox elf32 elf64 macho32 macho64 win32 win64"; exit 0; fi\nwhile [ $# -gt 0 ]; do if [ "$1" = -o ]; then shift; : > "$1"; fi; shift; done\n' > "$T/fakeas/nasm"
    chmod +x "$T/fakeas/nasm"
    CPU=(-DAOM_TARGET_CPU=x86 -DAS_EXECUTABLE="$T/fakeas/nasm" -DENABLE_SSE4_2=0 -DENABLE_AVX=0 -DENABLE_AVX2=0)
    mkdir -p "$T/shim/aom_ports"; cp scripts/avif/x86-emscripten.h "$T/shim/aom_ports/x86.h"
    CFLAGS="-O3 -DNDEBUG -msimd128 -msse4.1 -Wno-pass-failed -iquote $T/shim"
    BASEFLAGS="-msimd128"  # also in cmake's flag checks: emcc refuses -msse2 without -msimd128
    ;;
  *) echo "unknown flavour $FLAVOUR" >&2; exit 2 ;;
esac

if [ -n "${REBUILD:-}" ] || [ ! -f "$B/CMakeCache.txt" ]; then  # REBUILD=1: configure afresh
rm -rf "$B"; mkdir -p "$B"
(cd "$B" && emcmake cmake "$AOM_SRC" "${COMMON[@]}" "${CPU[@]}" -DCMAKE_C_FLAGS="${BASEFLAGS:-}" -DCMAKE_CXX_FLAGS="${BASEFLAGS:-}" -DCMAKE_C_FLAGS_RELEASE="$CFLAGS" -DCMAKE_CXX_FLAGS_RELEASE="$CFLAGS" >cmake.log 2>&1) \
  || { tail -30 "$B/cmake.log"; exit 1; }
echo "configured aom ($FLAVOUR) in $B"
fi

if [ "$FLAVOUR" = x86simd ]; then
  # Two RTCD families reach .asm helpers from intrinsics wrappers, not through RTCD
  # (aom_filter_block1d{4,8}_{h,v}{2,8}_ssse3 from the convolve8 wrappers,
  # aom_sub_pixel_{avg_,}variance{4,8,16}xh_* from variance_sse2.c): point them at C before the
  # build (inter prediction and motion search, which an all-intra still image does not use).
  (cd "$B" && emmake make aom_rtcd >rtcd.log 2>&1)
  grep -qE '^#define (aom_convolve8_(horiz|vert)|aom_sub_pixel_(avg_)?variance[0-9x]+) \w+_(sse2|ssse3)$' "$B/config/aom_dsp_rtcd.h" &&
  sed -i -E 's/^#define (aom_convolve8_(horiz|vert)) (aom_convolve8_(horiz|vert))_(sse2|ssse3)$/#define \1 \1_c/;
             s/^#define (aom_sub_pixel_(avg_)?variance[0-9x]+) (aom_sub_pixel_(avg_)?variance[0-9x]+)_(sse2|ssse3)$/#define \1 \1_c/' \
    "$B/config/aom_dsp_rtcd.h"
  echo "RTCD entries pointed at C: $(grep -cE '^#define (aom_convolve8_(horiz|vert)|aom_sub_pixel_(avg_)?variance[0-9x]+) .*_c$' "$B/config/aom_dsp_rtcd.h")"
fi

(cd "$B" && emmake make -j"$JOBS" aom >make.log 2>&1) || { grep -E 'error' "$B/make.log" | head -30; exit 1; }
echo "built $B/libaom.a"
EXTRA=()
if [ "$FLAVOUR" = x86simd ]; then
  # The RTCD headers point some functions at versions only aom's .asm files define (left empty
  # here): define those as calls to the C versions, from the headers' own prototypes.
  llvm-nm --defined-only -j "$B/libaom.a" 2>/dev/null | sort -u > "$B/defined.txt"
  python3 scripts/avif/asm-fallbacks.py "$B" "$B/defined.txt" "$B/asm-fallbacks.c"
  EXTRA=("$B/asm-fallbacks.c")
fi

# One module: the entry point + libaom. Worker-friendly glue: ES module factory, no filesystem,
# no eval, "web" environment only (with "worker" the glue reads self.location.href, which workerd lacks); the bench (and a Worker) passes a precompiled
# WebAssembly.Module through instantiateWasm, so the glue never fetches the .wasm.
rm -f "$OUT/avif-encode.wasm" "$OUT/avif-encode.mjs"
NODE_PATH=/usr/share/nodejs emcc $CFLAGS -I"$AOM_SRC" -I"$B" src/kernels/avif-encode.c "${EXTRA[@]}" "$B/libaom.a" -o "$OUT/avif-encode.mjs" \
  -sMODULARIZE=1 -sEXPORT_ES6=1 -sEXPORT_NAME=createAvifEncoder -sENVIRONMENT=web \
  -sFILESYSTEM=0 -sDYNAMIC_EXECUTION=0 -sALLOW_MEMORY_GROWTH=1 -sINITIAL_MEMORY=16MB \
  -sASSERTIONS=0 -sINVOKE_RUN=0 -sEXIT_RUNTIME=0 \
  -sEXPORTED_FUNCTIONS=_avif_encode,_avif_result_ptr,_avif_result_free,_malloc,_free \
  -sEXPORTED_RUNTIME_METHODS=[] 2>&1 | grep -v '^warning: .*emulated' || true
[ -f "$OUT/avif-encode.wasm" ] || { echo "link failed" >&2; exit 1; }
raw=$(stat -c %s "$OUT/avif-encode.wasm"); gz=$(gzip -9c "$OUT/avif-encode.wasm" | wc -c)
simd=$(wasm-objdump -d "$OUT/avif-encode.wasm" | grep -cE '\b(v128|i8x16|i16x8|i32x4|i64x2|f32x4|f64x2)\.' || true)
echo "built $OUT/avif-encode.wasm: $raw bytes raw, $gz gzip -9; $simd SIMD instructions"
{
  echo "# scripts/build-avif.sh's inputs and outputs ($FLAVOUR; Debian 12 packages); regenerated by that script."
  echo "emscripten $(dpkg-query -W -f '${Version}' emscripten 2>/dev/null || echo unknown)"
  echo "aom source $(sed -n '1s/.*(\(.*\)).*/\1/p' "$AOM_SRC/debian/changelog" 2>/dev/null || echo unknown)"
  (cd "$OUT" && sha256sum avif-encode.wasm avif-encode.mjs)
} > "$OUT/avif-encode.lock"
