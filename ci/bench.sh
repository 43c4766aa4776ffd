#!/usr/bin/env bash
# ci/bench.sh - the benchmarks of issue 5: measure, side by side in one run,
# what libprocid and procguard cost against their floors and their peers.
#
#   ci/bench.sh [--help] [all | runtime | guard | guard-cache]
#
# Prints one table (operation, median, min, max, ratio to its floor or
# baseline) and the issue's targets with a verdict, and writes
# $BUILD_DIR/bench/results.json. Speed is reported, never asserted: the
# script fails only when something could not be measured.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
    cat <<'USAGE'
usage: ci/bench.sh [--help] [all | runtime | guard | guard-cache]

  runtime  libprocid in-process (bench_runtime: identity, verified check,
           held handle, pidfile read + check against the floors open+read+
           close of the process's stat file and kill(pid, 0)), psutil's
           is_running timed inside Python, the procid Python package
           (bench_python.py: procid.check and Handle.alive against psutil's
           is_running and create_time and os.kill(pid, 0), interleaved in
           one interpreter), and whole processes (procid status vs
           /bin/true; ps -o lstart= and pgrep -F as peers)
  guard    procguard (-p at -j1 and -j2, tree-sitter only, 5 files) against
           clang -fsyntax-only, clang-tidy and grep, on this repository, a
           generated corpus and third-party C fetched with npm pack (SQLite
           amalgamation, tree-sitter grammars); then ci/plot.sh draws
           $BUILD_DIR/bench/guard.png
           and then the cache and shard benchmark (guard-cache)
  guard-cache  procguard's result cache and --shard (issue 13), on the
           generated corpus and this repository: cold -p -j1 against a bare
           libclang parse loop (bench_libclang_floor), warm on an unchanged
           tree, after touching one .c and one widely included header
           (translation units parsed), 4 shards summed and merged
           (tests/bench/guard_cache.py; $BUILD_DIR/bench/guard_cache-*.json)
  all      both (the default)

Installs what it needs (ci/deps.sh base bench; run as root or install what
it prints), builds $BUILD_DIR in Release, then measures. Each benchmark
replaces its own part files in $BUILD_DIR/bench/parts/; the table and
results.json merge every part present.

environment:
  BUILD_DIR  build directory (default: build-bench)
  ROUNDS     alternations of bench_runtime and the psutil peer (default 5)
  BATCHES    batches per operation per round (default 31)
  RUNS       whole-process runs per command (default 51)
  GUARD_RUNS rounds of the guard benchmark (default 5)
  GUARD_TUS  translation units of the generated corpus (default 64)
  GUARD_DENSE_SITES  sites in the one-file dense input (default 20000)
  PYTHON     interpreter with psutil (default: /usr/bin/python3, where
             Debian's python3-psutil lives, else python3 on PATH)
USAGE
}

build=${BUILD_DIR:-build-bench}
rounds=${ROUNDS:-5}
batches=${BATCHES:-31}
runs=${RUNS:-51}
guard_runs=${GUARD_RUNS:-5}
guard_tus=${GUARD_TUS:-64}
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
    build_targets bench_runtime bench_spawn procid_cli procid
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
    # The Python package from the source tree over this build's library.
    local have_pypkg=1
    local pyenv=(env "PROCID_LIBRARY=$build/lib/libprocid.so.0" PYTHONPATH=lib/python
        "PYTHONPYCACHEPREFIX=$out/pycache")
    if ! "${pyenv[@]}" "$py" -c 'import procid' 2>/dev/null; then
        echo "ci/bench.sh: $py cannot import the procid package: its rows are skipped" >&2
        have_pypkg=0
    fi
    # In-process: bench_runtime, the psutil peer and the Python package take
    # turns, so that all see the same machine load; report.py pools the
    # rounds.
    for r in $(seq 1 "$rounds"); do
        echo "== round $r/$rounds: bench_runtime ($batches batches)" >&2
        "$bin/bench_runtime" -k "$batches" "$parts/runtime/runtime.$r.json" >/dev/null
        if [ $have_psutil = 1 ]; then
            echo "== round $r/$rounds: psutil peer" >&2
            "$py" "$src/peer_psutil.py" "$target_pid" -k "$batches" \
                -o "$parts/runtime/psutil.$r.json" >/dev/null
        fi
        if [ $have_pypkg = 1 ]; then
            echo "== round $r/$rounds: procid Python package" >&2
            "${pyenv[@]}" "$py" "$src/bench_python.py" "$target_pid" "$pidfile" -k "$batches" \
                -o "$parts/runtime/python.$r.json" >/dev/null
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

# ---- guard -------------------------------------------------------------------
#
# Three inputs, each a repository procguard checks from its root with a
# compile database: this repository (build-bench's own database), a generated
# corpus (tests/bench/guard_inputs.py corpus) and third-party C fetched now
# with npm pack (the SQLite amalgamation from better-sqlite3, the C and Python
# tree-sitter grammars' parser.c). For each, bench_spawn times, interleaved:
# clang -fsyntax-only over the same translation units with the same flags,
# one after the other (the floor: ratios are to it); clang-tidy with one
# cheap check over the same database; grep -rn '"/proc' over the files
# procguard checks; procguard -p at -j1 and -j2; procguard without a database
# (tree-sitter only); procguard on 5 files (the pre-commit case).
guard_available=1
sqlite_pkg=better-sqlite3@11.10.0
sqlite_integrity=sha512-EwhOpyXiOEL/lKzHz9AW1msWFNzGc/z+LzeB3/jnFJpxu+th2yqvzsSWas1v9jgs9+xiXJcD5A8CJxAG2TaghQ==

# The npm integrity string (sha512-<base64>) of a file.
sri() {
    "$py" -c 'import base64, hashlib, sys
print("sha512-" + base64.b64encode(hashlib.sha512(open(sys.argv[1], "rb").read()).digest()).decode())' "$1"
}

# Fetch $1 (name@version) into $2 with npm pack and a private cache, check
# its integrity against $3; prints the tarball's path.
npm_fetch() {
    local pkg=$1 dir=$2 want=$3 tgz
    tgz=$dir/$(echo "${pkg%@*}" | tr / -)-${pkg##*@}.tgz
    if [ ! -f "$tgz" ] ||
        [ "$(sri "$tgz")" != "$want" ]; then
        echo "== npm pack $pkg" >&2
        mkdir -p "$dir"
        (cd "$dir" && npm pack "$pkg" --cache ./npm-cache --silent >/dev/null)
    fi
    if [ "$(sri "$tgz")" != "$want" ]; then
        echo "ci/bench.sh: $tgz: integrity mismatch (want $want)" >&2
        return 1
    fi
    echo "$tgz"
}

# bench_one NAME ROOT DB_DIR: time every tool on one input, from ROOT.
bench_one() {
    local name=$1 root=$2 db=$3 cmds=$out/inputs/$1
    local pg spawn partsdir
    partsdir=$(realpath "$parts")
    pg=$(realpath "$build/guard/procguard")
    spawn=$(realpath "$build/tests/bench/bench_spawn")
    "$py" "$src/guard_inputs.py" commands "$root" "$db" "$cmds" --name "$name"
    cmds=$(realpath "$cmds")
    mapfile -t tus <"$cmds/tus.txt"
    mapfile -t srcs <"$cmds/sources.txt"
    mapfile -t five <"$cmds/five.txt"
    db=$(realpath "$db")
    echo "== guard: $name (${#tus[@]} translation units, $guard_runs rounds)" >&2
    # exit 1 is "findings" for procguard and "no match" for grep; 2 (could
    # not check) still fails the benchmark
    (cd "$root" && "$spawn" -B guard -n "$guard_runs" -x 0,1 \
        -t "guard: $name" -o "$partsdir/guard/$name.json" \
        "@${name}_floor=$name: clang -fsyntax-only, TUs in turn" sh "$cmds/floor.sh" \
        "@${name}_tidy=$name: clang-tidy (1 check)" \
        clang-tidy -p "$db" '--checks=-*,misc-definitions-in-headers' --quiet "${tus[@]}" \
        "@${name}_grep=$name: grep -rn '\"/proc'" grep -rn '"/proc' "${srcs[@]}" \
        "@${name}_pg_j1=$name: procguard -p -j1" "$pg" -p "$db" -j1 \
        "@${name}_pg_j2=$name: procguard -p -j2" "$pg" -p "$db" -j2 \
        "@${name}_pg_ts=$name: procguard (tree-sitter only)" "$pg" \
        "@${name}_pg_5=$name: procguard -- 5 files" "$pg" -- "${five[@]}") >/dev/null
}

# bench_dense ROOT: one file with 20,000 sites (tests/bench/guard_inputs.py
# dense): procguard -p as text and as SARIF, and tree-sitter only. Linear
# stages keep these near the cost of parsing the file; a quadratic one (a
# scan of every ack per site, line lookups from the file start, a SARIF
# fingerprint recomputed over earlier results) shows up as seconds.
bench_dense() {
    local root=$1 pg spawn partsdir
    partsdir=$(realpath "$parts")
    pg=$(realpath "$build/guard/procguard")
    spawn=$(realpath "$build/tests/bench/bench_spawn")
    echo "== guard: dense (${GUARD_DENSE_SITES:-20000} sites in one file, $guard_runs rounds)" >&2
    (cd "$root" && "$spawn" -B guard -n "$guard_runs" -x 0,1 \
        -t "guard: dense" -o "$partsdir/guard/dense.json" \
        "@dense_pg_text=dense: procguard -p (text)" "$pg" -p . -j1 \
        "@dense_pg_sarif=dense: procguard -p --format sarif" "$pg" -p . -j1 --format sarif \
        "@dense_pg_ts=dense: procguard (tree-sitter only)" "$pg") >/dev/null
}

# bench_cache NAME ROOT DB_DIR TOUCH_C TOUCH_H: tests/bench/guard_cache.py
# from ROOT (the touched files are restored afterwards).
bench_cache() {
    local name=$1 root=$2 db=$3 cmds=$out/inputs/$1 rd
    "$py" "$src/guard_inputs.py" commands "$root" "$db" "$cmds" --name "$name"
    rd=$(sed -n 's/^PG_CLANG_RESOURCE_DIR:PATH=//p' "$build/CMakeCache.txt")
    "$py" "$src/guard_cache.py" "$build/guard/procguard" \
        "$build/tests/bench/bench_libclang_floor" "${rd:-$(clang -print-resource-dir)}" \
        "$root" "$db" "$cmds/tus.txt" --name "$name" --touch-c "$4" \
        --touch-h "$5" --runs "$guard_runs" --out "$out/guard_cache-$name.json"
}

bench_guard_cache() {
    BENCH_WITH_GUARD=ON build_targets procguard bench_libclang_floor
    mkdir -p "$out/inputs"
    rm -rf "$out/inputs/cache-corpus"
    "$py" "$src/guard_inputs.py" corpus "$out/inputs/cache-corpus/root" --tus "$guard_tus"
    bench_cache corpus "$out/inputs/cache-corpus/root" \
        "$out/inputs/cache-corpus/root" src/tu007.c src/common.h
    bench_cache repo . "$build" lib/src/pidfile.c lib/include/procid.h
}

bench_guard() {
    BENCH_WITH_GUARD=ON build_targets procguard bench_spawn
    rm -rf "$parts/guard" "$out/inputs"
    mkdir -p "$parts/guard" "$out/inputs"

    # inputs: the corpus and the fetched C are regenerated on every run
    "$py" "$src/guard_inputs.py" corpus "$out/inputs/corpus/root" --tus "$guard_tus"
    local fetch=$build/_thirdparty grammars=$build/_grammars sqlite
    sqlite=$(npm_fetch "$sqlite_pkg" "$fetch" "$sqlite_integrity")
    # the grammars' tarballs were fetched and verified by the guard's configure
    "$py" "$src/guard_inputs.py" thirdparty "$out/inputs/thirdparty/root" \
        --sqlite "$sqlite" --grammar "$grammars/tree-sitter-c-0.23.6.tgz" \
        --grammar "$grammars/tree-sitter-python-0.23.6.tgz"

    bench_one repo . "$build"
    bench_one corpus "$out/inputs/corpus/root" "$out/inputs/corpus/root"
    bench_one thirdparty "$out/inputs/thirdparty/root" "$out/inputs/thirdparty/root"
    "$py" "$src/guard_inputs.py" dense "$out/inputs/dense/root" \
        --sites "${GUARD_DENSE_SITES:-20000}"
    bench_dense "$out/inputs/dense/root"
    bench_guard_cache
}

# ---- main -------------------------------------------------------------------

what=all
case "${1:-}" in
-h | --help) usage; exit 0 ;;
"" | all | runtime | guard | guard-cache) what=${1:-all} ;;
*) echo "ci/bench.sh: unknown benchmark '$1'" >&2; usage >&2; exit 64 ;;
esac
[ $# -le 1 ] || { usage >&2; exit 64; }
if [ "$what" = guard ] && [ $guard_available = 0 ]; then
    bench_guard
    exit 2
fi

case "$what" in
runtime) ./ci/deps.sh base bench ;;
*)
    ./ci/deps.sh base guard lint bench
    export BENCH_WITH_GUARD=ON # one configuration for both benchmarks
    ;;
esac
mkdir -p "$parts"
case "$what" in
runtime) bench_runtime ;;
guard) bench_guard ;;
guard-cache)
    bench_guard_cache
    exit 0
    ;;
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
if [ -f "$parts/guard/repo.json" ]; then
    ./ci/plot.sh "$out/results.json" "$out/guard.png"
    echo "plot: $out/guard.png"
fi
