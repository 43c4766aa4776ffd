#!/usr/bin/env bash
# Install libprocid into a scratch prefix, then build and run the README's
# example the two ways a user links it: pkg-config and find_package(procid).
# Also: the .pc file's paths are plain, the installed procid runs without
# LD_LIBRARY_PATH (its $ORIGIN RPATH), the CMake package's imported
# executables (procid::cli, procid::procguard) point at the installed
# commands, and each install component holds its own files only.
set -euo pipefail
build=$1 src=$2 cc=${3:-cc} extra=${4:-} # extra: flags the library was built with (sanitizers)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

cmake --install "$build" --prefix "$prefix" >/dev/null
libdir=$(dirname "$(find "$prefix" -name procid.pc -print -quit)")/..

echo "== procid.pc paths, RPATH"
pc=$libdir/pkgconfig/procid.pc
if grep -n '\.\.' "$pc" >&2; then
    echo "consumer.sh: $pc has a path through '..' (above)" >&2
    exit 1
fi
grep -qx "prefix=$prefix" "$pc" || { cat "$pc" >&2; echo "consumer.sh: $pc: prefix is not $prefix" >&2; exit 1; }
env -i "$prefix/bin/procid" write "$work/rpath.pid" $$
env -i "$prefix/bin/procid" status "$work/rpath.pid" >/dev/null

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

echo "== imported executables"
while IFS== read -r name path; do
    case "$path" in
    "$prefix"/bin/*) [ -x "$path" ] || { echo "consumer.sh: procid::$name: $path is not executable" >&2; exit 1; } ;;
    *) echo "consumer.sh: procid::$name is '$path', not a command under $prefix/bin" >&2; exit 1 ;;
    esac
    echo "   procid::$name -> $path"
done <"$work/consumer/commands.txt"

echo "== install components"
# component: files it must install (relative to the prefix, globs); and
# nothing from another component's list.
declare -A want=(
    [lib]='lib*/libprocid.so.0 lib*/libprocid.so.0.*'
    [dev]='include/procid.h lib*/libprocid.so lib*/libprocid.a lib*/pkgconfig/procid.pc lib*/cmake/procid/procidConfig.cmake'
    [cli]='bin/procid'
)
[ -x "$prefix/bin/procguard" ] && want[guard]='bin/procguard'
for comp in "${!want[@]}"; do
    d=$work/comp-$comp
    cmake --install "$build" --component "$comp" --prefix "$d" >/dev/null
    for g in ${want[$comp]}; do
        # shellcheck disable=SC2086
        ls -d "$d"/$g >/dev/null 2>&1 || { echo "consumer.sh: --component $comp did not install $g" >&2; exit 1; }
    done
    for other in "${!want[@]}"; do
        [ "$other" = "$comp" ] && continue
        for g in ${want[$other]}; do
            # shellcheck disable=SC2086
            if ls -d "$d"/$g >/dev/null 2>&1; then
                echo "consumer.sh: --component $comp also installed $g (component $other)" >&2
                exit 1
            fi
        done
    done
    echo "   $comp: $(cd "$d" && find . -type f -o -type l | wc -l) files"
done
echo "consumer builds: ok"
