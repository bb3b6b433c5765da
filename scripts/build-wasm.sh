#!/usr/bin/env bash
# Rebuilds the project's own WebAssembly kernels (committed, so npm install needs no compiler).
# Needs clang and wasm-ld with the WebAssembly target (Debian: apt install clang lld).
set -euo pipefail
cd "$(dirname "$0")/.."
for src in src/pixels/wasm/*.c; do
  out="${src%.c}.wasm"
  clang --target=wasm32 -O3 -msimd128 -mbulk-memory -nostdlib -ffreestanding \
    -Wl,--no-entry -Wl,--export-dynamic -Wl,--export=__heap_base -Wl,--initial-memory=131072 -Wl,--strip-all \
    -o "$out" "$src"
  echo "built $out ($(stat -c %s "$out") bytes)"
done
