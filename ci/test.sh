#!/usr/bin/env bash
# ci/test.sh - the README's test command: install what is missing, build
# everything, run the whole suite under ctest.
#
#   BUILD_DIR   build directory (default: build)
#   CI=true     warnings become errors
set -euo pipefail
cd "$(dirname "$0")/.."

./ci/deps.sh base guard cross

build=${BUILD_DIR:-build}
jobs=$(nproc 2>/dev/null || echo 2)

echo "== configure + build ($build)"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" -j"$jobs"

echo "== unit and integration tests"
ctest --test-dir "$build" --output-on-failure -j"$jobs"
