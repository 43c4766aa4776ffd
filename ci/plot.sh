#!/usr/bin/env bash
# ci/plot.sh [RESULTS_JSON [PNG]] - the guard benchmark's plot: throughput
# (MB of input per second, log scale) of each tool on each input, from the
# medians in results.json (ci/bench.sh guard) and the input sizes beside it
# (bench/inputs/<input>/input.json). gnuplot from Debian's gnuplot-nox
# (./ci/deps.sh bench).
set -euo pipefail
cd "$(dirname "$0")/.."
results=${1:-${BUILD_DIR:-build-bench}/bench/results.json}
png=${2:-$(dirname "$results")/guard.png}
inputs=$(dirname "$results")/inputs
command -v gnuplot >/dev/null || { echo "ci/plot.sh: gnuplot is missing: ./ci/deps.sh bench" >&2; exit 1; }
py=${PYTHON:-python3}
dat=$(mktemp)
trap 'rm -f "$dat"' EXIT

# Throughput = bytes a tool reads / its median time: the translation units
# for the compiler-based tools, every checked file for grep and tree-sitter,
# the five files for the pre-commit case.
"$py" - "$results" "$inputs" >"$dat" <<'PY'
import json, os, sys
res = json.load(open(sys.argv[1]))
rows = res["benchmarks"].get("guard", {}).get("rows", {})
tools = [("floor", "clang -fsyntax-only", "tu_bytes"),
         ("tidy", "clang-tidy (1 check)", "tu_bytes"),
         ("pg_j1", "procguard -p -j1", "tu_bytes"),
         ("pg_j2", "procguard -p -j2", "tu_bytes"),
         ("pg_ts", "procguard tree-sitter only", "file_bytes"),
         ("pg_5", "procguard, 5 files", "five_bytes"),
         ("grep", "grep -rn", "file_bytes")]
print("input " + " ".join('"%s"' % t[1] for t in tools))
for name in ("repo", "corpus", "thirdparty"):
    meta_path = os.path.join(sys.argv[2], name, "input.json")
    if not os.path.exists(meta_path):
        continue
    meta = json.load(open(meta_path))
    vals = []
    for key, _, basis in tools:
        r = rows.get("%s_%s" % (name, key))
        vals.append("%.4f" % (meta[basis] / 1e6 / (r["median"] / 1e9))
                    if r else "NaN")
    label = "%s\\n%d TUs, %.1f MB" % (name, meta["tus"], meta["tu_bytes"] / 1e6)
    print('"%s" %s' % (label, " ".join(vals)))
PY

gnuplot <<GP
set terminal pngcairo size 960,540 font "DejaVu Sans,10"
set output "$png"
set title "procguard throughput against its baselines (median, higher is faster)"
set ylabel "MB of input per second (log scale)"
set logscale y
set grid ytics
set style data histograms
set style histogram clustered gap 1.5
set style fill solid 0.85 border -1
set boxwidth 0.9
set key outside right top vertical
set xtics nomirror
set bmargin 4
set yrange [0.1:*]
plot for [i=2:8] "$dat" using i:xtic(1) title columnheader(i)
GP
echo "ci/plot.sh: wrote $png" >&2
