#!/usr/bin/env bash
# A packager's minimal build: -DPROCID_BUILD_GUARD=OFF -DPROCID_BUILD_TESTS=OFF
# must configure, build and install libprocid and the procid command with a C
# compiler and CMake alone.
#
#   minimal.sh SOURCE_DIR [CC]
#
# The build runs with an empty environment and a PATH holding only cmake,
# make, the compiler and binutils, so npm, node, python, pkg-config and
# clang cannot be run; every package the full build looks for
# (PkgConfig, Threads, Python) is disabled, so a find_package of any of them
# fails the configure; and the cache must record no lookup of cmocka, npm,
# libclang, tree-sitter or pkg-config.
set -euo pipefail
src=$1 cc=${2:-cc}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The tools a C build needs, and nothing else.
bin=$work/bin
mkdir -p "$bin"
for t in sh bash cmake make "$cc" cc gcc as ld ld.bfd ar ranlib nm objdump \
    objcopy strip readelf uname; do
    p=$(command -v "$t" 2>/dev/null) || continue
    ln -sf "$p" "$bin/$(basename "$t")"
done
for t in npm node python3 pkg-config clang; do
    if [ -e "$bin/$t" ]; then
        echo "minimal.sh: $t must not be reachable in the minimal build" >&2
        exit 1
    fi
done

run() { env -i HOME="$work" PATH="$bin" "$@"; }

echo "== configure (PATH=$bin)"
if ! run cmake -S "$src" -B "$work/build" -DCMAKE_C_COMPILER="$(basename "$cc")" \
    -DPROCID_BUILD_GUARD=OFF -DPROCID_BUILD_TESTS=OFF -DPROCID_WERROR=ON \
    -DCMAKE_DISABLE_FIND_PACKAGE_PkgConfig=ON \
    -DCMAKE_DISABLE_FIND_PACKAGE_Threads=ON \
    -DCMAKE_DISABLE_FIND_PACKAGE_Python3=ON \
    -DCMAKE_DISABLE_FIND_PACKAGE_Python=ON \
    -DCMAKE_INSTALL_PREFIX="$work/prefix" >"$work/configure.log" 2>&1; then
    cat "$work/configure.log" >&2
    echo "minimal.sh: the minimal build does not configure (log above)" >&2
    exit 1
fi
looked=$(grep -Eio '^(PKG_CONFIG[A-Z_]*|CMOCKA[A-Z_]*|PG_[A-Z_]*|TREESITTER[A-Z_]*|Python[0-9]*_[A-Z_]*|LLVM_CONFIG)[:=]' \
    "$work/build/CMakeCache.txt" || true)
if [ -n "$looked" ]; then
    echo "minimal.sh: the minimal configure looked for tools it does not use:" >&2
    echo "$looked" >&2
    exit 1
fi

echo "== build"
if ! run cmake --build "$work/build" -j2 >"$work/build.log" 2>&1; then
    cat "$work/build.log" >&2
    echo "minimal.sh: the minimal build failed (log above)" >&2
    exit 1
fi
# The test-only library (test hooks) is neither built nor installed here.
if [ -n "$(find "$work/build" -name 'libprocid_testlib*' -print -quit)" ]; then
    echo "minimal.sh: the test-only library was built in a build without tests" >&2
    exit 1
fi
echo "== install"
run cmake --install "$work/build" >/dev/null
for f in include/procid.h bin/procid; do
    [ -e "$work/prefix/$f" ] || { echo "minimal.sh: $f not installed" >&2; exit 1; }
done
ls "$work"/prefix/lib*/libprocid.so.0 "$work"/prefix/lib*/libprocid.a >/dev/null
"$work/prefix/bin/procid" --help >/dev/null
"$work/prefix/bin/procid" write "$work/self.pid" $$
"$work/prefix/bin/procid" status "$work/self.pid"
echo "minimal build: ok (lib + CLI with cmake, make and $cc only)"
