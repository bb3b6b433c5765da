// aom_ports/x86.h for AOM_TARGET_CPU=x86 compiled to WebAssembly by emscripten (found first via
// -iquote): no cpuid, rdtsc, x87 control word or pause; the SIMD "capabilities" are the flavours
// the build enables (SSE..SSE4.1, which emscripten maps onto wasm SIMD).
#ifndef AOM_AOM_PORTS_X86_H_
#define AOM_AOM_PORTS_X86_H_
#include <stdlib.h>
#include "aom/aom_integer.h"
#include "config/aom_config.h"
#ifdef __cplusplus
extern "C" {
#endif
#define HAS_MMX 0x01
#define HAS_SSE 0x02
#define HAS_SSE2 0x04
#define HAS_SSE3 0x08
#define HAS_SSSE3 0x10
#define HAS_SSE4_1 0x20
#define HAS_AVX 0x40
#define HAS_AVX2 0x80
#define HAS_SSE4_2 0x100
#ifndef BIT
#define BIT(n) (1u << (n))
#endif
static INLINE int x86_simd_caps(void) { return HAS_MMX | HAS_SSE | HAS_SSE2 | HAS_SSE3 | HAS_SSSE3 | HAS_SSE4_1; }
static INLINE unsigned int x86_readtsc(void) { return 0; }
static INLINE uint64_t x86_readtsc64(void) { return 0; }
static INLINE unsigned int x86_readtscp(void) { return 0; }
static INLINE unsigned int x86_tsc_start(void) { return 0; }
static INLINE unsigned int x86_tsc_end(void) { return 0; }
#define x86_pause_hint() ((void)0)
static INLINE unsigned int x87_set_double_precision(void) { return 0; }
#define x87_set_control_word(mode) ((void)(mode))
#ifdef __cplusplus
}
#endif
#endif
