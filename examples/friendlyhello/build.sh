#!/bin/sh
# Compiles app.c to app.wasm with Debian's clang + wasi-libc (the committed app.wasm is its output).
set -e
cd "$(dirname "$0")"
clang --target=wasm32-wasi -O2 -Wl,--strip-all -I ../../images/include app.c -o app.wasm
