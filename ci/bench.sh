#!/usr/bin/env bash
# ci/bench.sh - the benchmarks of issue 5: measure, side by side in one run,
# what libprocid and procguard cost against their floors and their peers.
#
#   ci/bench.sh [--help] [all | runtime | guard]
#
# Prints one table (operation, median, min, max, ratio to its floor or
# baseline) and the issue's targets with a verdict, and writes
# $BUILD_DIR/bench/results.json. Speed is reported, never asserted: the
# script fails only when something could not be measured.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
    cat <<'USAGE'
usage: ci/bench.sh [--help] [all | runtime | guard]

  runtime  libprocid in-process (bench_runtime: identity, verified check,
           held handle, pidfile read + check against the floors open+read+
           close of the process's stat file and kill(pid, 0)), psutil's
           is_running timed inside Python, and whole processes (procid
           status vs /bin/true; ps -o lstart= and pgrep -F as peers)
  guard    procguard against clang -fsyntax-only, clang-tidy and grep
           (not available yet: the bench_guard hook in ci/bench.sh is to be filled)
  all      every benchmark that exists; today that is runtime only, so
           running with no argument is the same as 'runtime'

Installs what it needs (ci/deps.sh base bench; run as root or install what
it prints), builds $BUILD_DIR in Release, then measures. Each benchmark
replaces its own part files in $BUILD_DIR/bench/parts/; the table and
results.json merge every part present.

environment:
  BUILD_DIR  build directory (default: build-bench)
  ROUNDS     alternations of bench_runtime and the psutil peer (default 5)
  BATCHES    batches per operation per round (default 31)
  RUNS       whole-process runs per command (default 51)
  PYTHON     interpreter with psutil (default: /usr/bin/python3, where
             Debian's python3-psutil lives, else python3 on PATH)
USAGE
}

build=${BUILD_DIR:-build-bench}
rounds=${ROUNDS:-5}
batches=${BATCHES:-31}
runs=${RUNS:-51}
if [ -n "${PYTHON:-}" ]; then
    py=$PYTHON
elif [ -x /usr/bin/python3 ]; then
    py=/usr/bin/python3
else
    py=python3
fi
out=$build/bench
parts=$out/parts
src=tests/bench

# ---- build ----------------------------------------------------------------

build_targets() {
    echo "== configure + build ($build, Release): $*" >&2
    cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release \
        -DPROCID_BUILD_GUARD="${BENCH_WITH_GUARD:-OFF}" \
        -DPROCID_BUILD_BENCH=ON >/dev/null
    cmake --build "$build" -j"$(nproc 2>/dev/null || echo 2)" --target "$@" >/dev/null
}

# ---- runtime ----------------------------------------------------------------

target_pid=
cleanup() {
    if [ -n "$target_pid" ]; then
        kill "$target_pid" 2>/dev/null || true
        wait "$target_pid" 2>/dev/null || true
    fi
}
trap cleanup EXIT

bench_runtime() {
    build_targets bench_runtime bench_spawn procid_cli
    local bin=$build/tests/bench procid=$build/lib/procid
    rm -rf "$parts/runtime"
    mkdir -p "$parts/runtime"

    # The process every peer and whole-process command looks at.
    sleep 100000 &
    target_pid=$!
    local pidfile=$parts/runtime/target.pid
    "$procid" write "$pidfile" "$target_pid"
    "$procid" status "$pidfile" >/dev/null

    local have_psutil=1
    if ! "$py" -c 'import psutil' 2>/dev/null; then
        echo "ci/bench.sh: $py has no psutil: the psutil peer is skipped" >&2
        have_psutil=0
    fi
    # In-process: bench_runtime and the psutil peer take turns, so that
    # both see the same machine load; report.py pools the rounds.
    for r in $(seq 1 "$rounds"); do
        echo "== round $r/$rounds: bench_runtime ($batches batches)" >&2
        "$bin/bench_runtime" -k "$batches" "$parts/runtime/runtime.$r.json" >/dev/null
        if [ $have_psutil = 1 ]; then
            echo "== round $r/$rounds: psutil peer" >&2
            "$py" "$src/peer_psutil.py" "$target_pid" -k "$batches" \
                -o "$parts/runtime/psutil.$r.json" >/dev/null
        fi
    done

    echo "== whole processes ($runs runs each, interleaved)" >&2
    local peers=()
    if command -v ps >/dev/null; then
        peers+=("@ps=ps -o lstart= -p PID" ps -o lstart= -p "$target_pid")
    fi
    if command -v pgrep >/dev/null; then
        peers+=("@pgrep_F=pgrep -F FILE" pgrep -F "$pidfile")
    fi
    "$bin/bench_spawn" -n "$runs" -o "$parts/runtime/process.json" \
        "@true=/bin/true" /bin/true \
        "@procid_status=procid status FILE" "$procid" status "$pidfile" \
        "${peers[@]}" >/dev/null
    cleanup
    target_pid=
}

# ---- guard (hook) -----------------------------------------------------------
#
# GUARD HOOK, for the guard benchmark of issue 5. Fill bench_guard and set
# guard_available=1. Contract:
#   - build what it needs with: BENCH_WITH_GUARD=ON build_targets <targets>
#   - write its results as part files into "$parts/guard/" (recreate the
#     directory first) in the format of tests/bench/stats.h; whole-run
#     timings with peak RSS come ready-made from
#       "$build/tests/bench/bench_spawn" -B guard -n 3 -o "$parts/guard/X.json" \
#           @floor=... CMD... @subject=... CMD...
#     (first command = the baseline of the ratios)
#   - declare the guard targets in TARGETS (and cross-file ratios in
#     COMPARISONS) of tests/bench/report.py, keyed "guard/<row name>".
guard_available=0

bench_guard() {
    echo "ci/bench.sh: the guard benchmark is not implemented yet (see the GUARD HOOK in ci/bench.sh)" >&2
    return 2
}

# ---- main -------------------------------------------------------------------

what=all
case "${1:-}" in
-h | --help) usage; exit 0 ;;
"" | all | runtime | guard) what=${1:-all} ;;
*) echo "ci/bench.sh: unknown benchmark '$1'" >&2; usage >&2; exit 64 ;;
esac
[ $# -le 1 ] || { usage >&2; exit 64; }
if [ "$what" = guard ] && [ $guard_available = 0 ]; then
    bench_guard
    exit 2
fi

./ci/deps.sh base bench
mkdir -p "$parts"
case "$what" in
runtime) bench_runtime ;;
guard) bench_guard ;;
all)
    bench_runtime
    if [ $guard_available = 1 ]; then bench_guard; fi
    ;;
esac

machine="$(uname -sr), $(nproc) CPUs"
if command -v lscpu >/dev/null; then
    machine="$machine, $(lscpu | sed -n 's/^Model name: *//p' | head -1)"
fi
mapfile -t files < <(find "$parts" -name '*.json' | sort)
echo
"$py" "$src/report.py" -o "$out/results.json" --machine "$machine" \
    --command "ci/bench.sh $what" "${files[@]}"
echo
echo "results: $out/results.json"
