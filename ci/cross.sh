#!/usr/bin/env bash
# ci/cross.sh - cross-compile libprocid (DLL + static library) for 64-bit
# Windows with MinGW-w64, warnings as errors, and check that the DLL exports
# the public procid_ API and nothing else.
#
#   CROSS_BUILD_DIR   build directory (default: build-mingw)
#
# Exits 1 when the cross compiler is missing (ci/deps.sh cross installs it)
# or on any configure, compile, link or export error.
set -euo pipefail
cd "$(dirname "$0")/.."

prefix=x86_64-w64-mingw32
if ! command -v "$prefix-gcc" >/dev/null 2>&1; then
    echo "ci/cross.sh: $prefix-gcc not found; install it with ./ci/deps.sh cross (Debian: gcc-mingw-w64-x86-64)" >&2
    exit 1
fi

build=${CROSS_BUILD_DIR:-build-mingw}
jobs=$(nproc 2>/dev/null || echo 2)

echo "== cross configure + build for Windows ($build)"
cmake -S . -B "$build" \
    -DCMAKE_TOOLCHAIN_FILE=ci/mingw-w64.cmake \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPROCID_BUILD_GUARD=OFF -DPROCID_BUILD_TESTS=OFF -DPROCID_BUILD_CLI=OFF \
    -DPROCID_WERROR=ON
cmake --build "$build" -j"$jobs" --target procid procid_static

dll=$(find "$build" -name 'libprocid*.dll' -print -quit)
if [ -z "$dll" ]; then
    echo "ci/cross.sh: no libprocid DLL under $build" >&2
    exit 1
fi

# Every export must be public API: an internal procid__ name (or anything
# else) leaking out of the DLL is an error, and so is a missing one.
objdump=$prefix-objdump
command -v "$objdump" >/dev/null 2>&1 || objdump=objdump
exports=$("$objdump" -p "$dll" |
    awk '/^\[Ordinal\/Name Pointer\] Table/ {t = 1; next} t && NF == 0 {t = 0} t {print $NF}' |
    sort)
echo "== $dll exports:"
printf '   %s\n' $exports
bad=$(printf '%s\n' $exports | grep -Ev '^procid_[a-z]' || true)
if [ -n "$bad" ]; then
    echo "ci/cross.sh: $dll exports non-API symbols: $bad" >&2
    exit 1
fi
want=$(grep -oE '^PROCID_API [^(]*\b(procid_[a-z_]+)\(' lib/include/procid.h |
    grep -oE 'procid_[a-z_]+\($' | tr -d '(' | sort)
missing=$(comm -23 <(printf '%s\n' $want) <(printf '%s\n' $exports))
if [ -n "$missing" ]; then
    echo "ci/cross.sh: $dll does not export: $missing" >&2
    exit 1
fi
echo "== Windows cross build OK"
