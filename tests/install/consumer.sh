#!/usr/bin/env bash
# Install libprocid into a scratch prefix, then build and run the README's
# example the two ways a user links it: pkg-config and find_package(procid).
set -euo pipefail
build=$1 src=$2 cc=${3:-cc} extra=${4:-} # extra: flags the library was built with (sanitizers)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

cmake --install "$build" --prefix "$prefix" >/dev/null
libdir=$(dirname "$(find "$prefix" -name procid.pc -print -quit)")/..

echo "== pkg-config"
export PKG_CONFIG_PATH=$libdir/pkgconfig
# shellcheck disable=SC2046
"$cc" $extra "$src/example.c" $(pkg-config --cflags --libs procid) -Wl,-rpath,"$libdir" \
    -o "$work/example_pc"
"$work/example_pc" "$work/pc.pid"
head -n1 "$work/pc.pid" | grep -Eq '^[1-9][0-9]*$'

echo "== find_package(procid)"
cmake -S "$src/cmake_consumer" -B "$work/consumer" -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_C_COMPILER="$cc" -DCMAKE_C_FLAGS="$extra" \
    -DCMAKE_EXE_LINKER_FLAGS="$extra" >/dev/null
cmake --build "$work/consumer" >/dev/null
LD_LIBRARY_PATH=$libdir "$work/consumer/example_shared" "$work/shared.pid"
"$work/consumer/example_static" "$work/static.pid"
# The shared build really is dynamically linked against the installed SONAME.
LD_LIBRARY_PATH=$libdir ldd "$work/consumer/example_shared" | grep -q 'libprocid.so.0'
echo "consumer builds: ok"
