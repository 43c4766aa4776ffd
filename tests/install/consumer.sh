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
# Quiet on success; the whole configure and build log on failure.
if ! { cmake -S "$src/cmake_consumer" -B "$work/consumer" -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_C_COMPILER="$cc" -DCMAKE_C_FLAGS="$extra" \
    -DCMAKE_EXE_LINKER_FLAGS="$extra" &&
    cmake --build "$work/consumer"; } >"$work/consumer.log" 2>&1; then
    cat "$work/consumer.log" >&2
    echo "consumer.sh: the find_package(procid) consumer did not build (log above)" >&2
    exit 1
fi
LD_LIBRARY_PATH=$libdir "$work/consumer/example_shared" "$work/shared.pid"
"$work/consumer/example_static" "$work/static.pid"
# The shared build really is dynamically linked against the installed SONAME.
# (ldd's output is captured first: `ldd | grep -q` under pipefail fails
# whenever grep exits before ldd has written its last line.)
deps=$(LD_LIBRARY_PATH=$libdir ldd "$work/consumer/example_shared")
case "$deps" in *libprocid.so.0*) ;; *) echo "consumer.sh: example_shared does not load libprocid.so.0:" >&2; echo "$deps" >&2; exit 1 ;; esac
echo "consumer builds: ok"
