#!/usr/bin/env bash
# ci/guard.sh - the README's first command: install what is missing, build
# procguard, and check this repository with it (libclang over the build's
# compile database, tree-sitter for the rest). Prints procguard's report;
# the exit code is procguard's: 0 clean, 1 findings, 2 errors.
#
#   BUILD_DIR   build directory (default: build)
#   CI=true     warnings become errors in the build
set -euo pipefail
cd "$(dirname "$0")/.."

./ci/deps.sh base guard

build=${BUILD_DIR:-build}
jobs=$(nproc 2>/dev/null || echo 2)

echo "== configure + build procguard ($build)" >&2
# CMAKE_EXPORT_COMPILE_COMMANDS is on in CMakeLists.txt; said again here
# because procguard -p depends on it.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Everything that lands in the compile database must exist to be parsed
# (generated headers included), so build all, not only procguard. The build
# log is shown only when it fails: the report is this script's output.
if ! { cmake -S . -B "$build" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON &&
       cmake --build "$build" -j"$jobs"; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "ci/guard.sh: the build failed; procguard did not run" >&2
    exit 2
fi

echo "== procguard -p $build" >&2
set +e
"$build/guard/procguard" -p "$build" -j"$jobs" "$@"
status=$?
set -e
exit "$status"
