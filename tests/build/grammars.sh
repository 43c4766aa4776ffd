#!/usr/bin/env bash
# procguard's grammars for offline and package builds: fetched once into a
# directory (ci/grammars.sh), a configure with -DPG_GRAMMAR_DIR=DIR needs
# neither npm nor network, and a tampered tarball is refused the same way by
# both paths.
#
#   grammars.sh SOURCE_DIR VERIFIED_GRAMMAR_DIR
#
# VERIFIED_GRAMMAR_DIR is a build's own _grammars (already fetched and
# checked by its configure), so this test does not touch the network.
set -euo pipefail
src=$1 from=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Everything on the system, except npm and node.
bin=$work/bin
mkdir -p "$bin"
for p in /usr/local/bin/* /usr/bin/* /bin/*; do
    t=${p##*/}
    case "$t" in npm | npx | node | nodejs | corepack) continue ;; esac
    [ -e "$bin/$t" ] || ln -s "$p" "$bin/$t"
done
run() { env -i HOME="$work" PATH="$bin" "$@"; }

vendor=$work/vendor
mkdir -p "$vendor"
cp "$from"/*.tgz "$vendor/"
n=$(find "$vendor" -name '*.tgz' | wc -l)
[ "$n" -ge 2 ] || { echo "grammars.sh: expected the grammar tarballs in $from" >&2; exit 1; }

echo "== ci/grammars.sh over verified tarballs: no fetch"
run "$src/ci/grammars.sh" "$vendor" >"$work/script.log" 2>&1 ||
    { cat "$work/script.log" >&2; echo "grammars.sh: ci/grammars.sh failed on verified tarballs" >&2; exit 1; }
[ "$(grep -c '^-- verified ' "$work/script.log")" -eq "$n" ] ||
    { cat "$work/script.log" >&2; echo "grammars.sh: not every tarball was verified" >&2; exit 1; }

echo "== offline configure with -DPG_GRAMMAR_DIR (npm and node not on PATH)"
if ! run cmake -S "$src" -B "$work/build" -DPROCID_BUILD_TESTS=OFF \
    -DPG_GRAMMAR_DIR="$vendor" >"$work/configure.log" 2>&1; then
    cat "$work/configure.log" >&2
    echo "grammars.sh: the offline configure failed (log above)" >&2
    exit 1
fi
if grep -q 'fetching' "$work/configure.log"; then
    echo "grammars.sh: the offline configure tried to fetch" >&2
    exit 1
fi

echo "== a tampered tarball is refused by both paths"
tgz=$(find "$vendor" -name 'tree-sitter-c-*.tgz' -print -quit)
for path in script configure; do
    rm -f "$tgz.rejected"
    cp "$from/$(basename "$tgz")" "$tgz"
    printf 'x' >>"$tgz"
    if [ $path = script ]; then
        cmd=("$src/ci/grammars.sh" "$vendor")
    else
        cmd=(cmake -S "$src" -B "$work/build" -DPROCID_BUILD_TESTS=OFF -DPG_GRAMMAR_DIR="$vendor")
    fi
    # Offline (no npm, or npm without node), so the refused tarball cannot
    # be fetched again: both fail.
    if run "${cmd[@]}" >"$work/$path.log" 2>&1; then
        echo "grammars.sh: $path accepted a tampered $tgz" >&2
        exit 1
    fi
    # (CMake wraps its messages: compare with the lines joined.)
    said=$(tr -s ' \n' '  ' <"$work/$path.log")
    if [[ $said != *"does not match its pinned integrity"* ]]; then
        cat "$work/$path.log" >&2
        echo "grammars.sh: $path did not refuse the tampered tarball by its hash" >&2
        exit 1
    fi
    if [ ! -f "$tgz.rejected" ] || [ -e "$tgz" ]; then
        echo "grammars.sh: $path left the tampered tarball in place" >&2
        exit 1
    fi
    echo "   $path: refused by hash, moved to $(basename "$tgz").rejected"
done
echo "grammars: ok"
