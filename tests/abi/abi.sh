#!/usr/bin/env bash
# The ABI of libprocid as built, against what the README promises:
#
#  1. the shared library exports exactly the PROCID_API functions of
#     procid.h, every one versioned (node PROCID_<SONAME>), nothing else;
#  2. neither installed library carries the test hooks (procid__linux_set_*),
#     which live only in the test-only library the suites link;
#  3. libabigail's abidiff against the committed baseline (abidw of the last
#     release's build) finds nothing removed or changed (functions,
#     variables, the types they use) unless the SONAME changed with it.
#     Additions are compatible: reported, and they pass.
#
#   abi.sh SHARED_LIB STATIC_LIB HEADER BASELINE
#
# REFRESH_ABI_BASELINE=1 rewrites BASELINE from SHARED_LIB instead of
# comparing (do it when a release is tagged). Exits 77 (skipped) with a reason
# when abidw/abidiff are missing (ci/deps.sh abi) or the library has no
# debug information to describe its types.
set -euo pipefail
so=$1 ar=$2 header=$3 baseline=$4
fail() { echo "abi.sh: $*" >&2; exit 1; }

soname=$(objdump -p "$so" | awk '$1 == "SONAME" {print $2}')
major=${soname##*.so.}
node=PROCID_$major
echo "== $so: SONAME $soname, version node $node"

# 1. exports: name@@node for every defined dynamic symbol
mapfile -t exports < <(objdump -T "$so" | awk '$2 == "g" && $4 != "*UND*" {print $NF "@" $(NF-1)}' |
    grep -v '^PROCID_[0-9.]*@' | sort)
want=$(grep -oE '^PROCID_API [^(]*\b(procid_[a-z_]+)\(' "$header" |
    grep -oE 'procid_[a-z_]+\($' | tr -d '(' | sort)
[ -n "$want" ] || fail "no PROCID_API functions found in $header"
bad=()
for e in "${exports[@]}"; do
    name=${e%@*} ver=${e##*@}
    grep -qx "$name" <<<"$want" || bad+=("$name (not in procid.h)")
    [ "$ver" = "$node" ] || bad+=("$name (version '$ver', want $node)")
done
names=$(printf '%s\n' "${exports[@]}" | sed 's/@.*//' | sort)
missing=$(comm -23 <(echo "$want") <(echo "$names"))
for m in $missing; do bad+=("$m (declared PROCID_API, not exported)"); done
if [ ${#bad[@]} -gt 0 ]; then
    printf '   %s\n' "${bad[@]}" >&2
    fail "$so: exported symbols do not match the API (above)"
fi
echo "   ${#exports[@]} symbols exported, all procid_* at $node"

# 2. no test hooks in what is installed
for lib in "$so" "$ar"; do
    hooks=$(nm -A "$lib" 2>/dev/null | grep -E ' [TtDdBb] procid__linux_set_' || true)
    [ -z "$hooks" ] || fail "$lib carries test hooks: $hooks"
done
echo "   no test hooks in $(basename "$so") or $(basename "$ar")"

# 3. abidiff against the baseline
if ! command -v abidw >/dev/null || ! command -v abidiff >/dev/null; then
    echo "abi.sh: SKIP abidiff: abidw/abidiff not installed (ci/deps.sh abi: abigail-tools)"
    exit 77
fi
if ! readelf -S "$so" | grep -q '\.debug_info'; then
    echo "abi.sh: SKIP abidiff: $so has no debug information (build type without -g)"
    exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
abidw --no-corpus-path --no-comp-dir-path --no-show-locs \
    --drop-private-types --headers-dir "$(dirname "$header")" \
    --out-file "$work/raw.abi" "$so"
# Translation units are named by absolute path; keep the part from lib/ on,
# so that checkouts in different places compare equal.
sed -E "s#path='[^']*/(lib/src/[^']*)'#path='\1'#" "$work/raw.abi" >"$work/current.abi"
if [ "${REFRESH_ABI_BASELINE:-0}" = 1 ]; then
    cp "$work/current.abi" "$baseline"
    echo "   baseline rewritten: $baseline"
    exit 0
fi
[ -f "$baseline" ] || fail "no baseline $baseline (REFRESH_ABI_BASELINE=1 writes one)"
base_soname=$(grep -oE "soname='[^']*'" "$baseline" | head -1 | sed "s/soname='\(.*\)'/\1/")
rc=0
abidiff --no-show-locs "$baseline" "$work/current.abi" >"$work/diff.txt" 2>&1 || rc=$?
if [ $((rc & 3)) -ne 0 ]; then
    cat "$work/diff.txt" >&2
    fail "abidiff could not compare (exit $rc)"
fi
# abidiff flags only some breaks as INCOMPATIBLE (8); a changed struct size
# is a mere "change" (4). Anything removed or changed breaks binaries built
# against the baseline; only additions are compatible.
broken=$(grep -E '\b[1-9][0-9]* (Removed|Changed)\b' "$work/diff.txt" || true)
if [ $((rc & 8)) -ne 0 ] || [ -n "$broken" ]; then
    cat "$work/diff.txt"
    if [ "$base_soname" = "$soname" ]; then
        fail "incompatible ABI change with the same SONAME $soname: bump the major version (SONAME) or undo the change (report above)"
    fi
    echo "   incompatible change, and the SONAME moved ($base_soname -> $soname): allowed; refresh the baseline"
elif [ $((rc & 4)) -ne 0 ]; then
    cat "$work/diff.txt"
    echo "   compatible ABI change (additions only, above); refresh the baseline when this is released"
else
    echo "   abidiff: no change against $(basename "$baseline")"
fi
echo "abi: ok"
