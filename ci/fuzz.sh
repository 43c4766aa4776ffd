#!/usr/bin/env bash
# ci/fuzz.sh [SECONDS] [TARGET...] - run the libFuzzer targets.
#
# Builds every fuzz target with clang, libFuzzer, ASan and UBSan in
# build-fuzz/, then runs each for SECONDS (default 30) on a working copy of
# its seed corpus (tests/fuzz/corpus/<target>/; new inputs stay in the build
# tree). A crash fails the run and leaves the input in build-fuzz/crashes/:
# copy it into tests/fuzz/corpus/<target>/ and it replays in every ctest run
# from then on, as a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-}" in
-h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
secs=${1:-30}
[ $# -gt 0 ] && shift
case "$secs" in ''|*[!0-9]*) echo "ci/fuzz.sh: SECONDS must be a whole number, got '$secs'" >&2; exit 64 ;; esac

./ci/deps.sh base fuzz guard
build=${FUZZ_BUILD_DIR:-build-fuzz}
CC=clang cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPROCID_FUZZ=ON -DPROCID_SANITIZE=address,undefined,fuzzer-no-link >/dev/null
cmake --build "$build" -j"$(nproc 2>/dev/null || echo 2)"

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for d in tests/fuzz/corpus/*/; do
        t=$(basename "$d")
        [ -x "$build/tests/fuzz/$t" ] && targets+=("$t")
    done
fi

mkdir -p "$build/crashes"
fail=0
for t in "${targets[@]}"; do
    work="$build/corpus/$t"
    mkdir -p "$work"
    echo "== $t: ${secs}s"
    if ! "$build/tests/fuzz/$t" -max_total_time="$secs" -print_final_stats=1 \
        -artifact_prefix="$build/crashes/$t-" -timeout=10 -rss_limit_mb=2048 \
        "$work" "tests/fuzz/corpus/$t" 2>"$build/$t.log"; then
        tail -n 40 "$build/$t.log" >&2
        echo "ci/fuzz.sh: $t crashed; input saved under $build/crashes/" >&2
        fail=1
    else
        grep -E '^(stat::number_of_executed_units|stat::new_units_added)' "$build/$t.log" | tr '\n' ' '
        echo
    fi
done
exit $fail
