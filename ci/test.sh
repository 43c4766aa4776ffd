#!/usr/bin/env bash
# ci/test.sh - the README's test command: install what is missing, build
# everything, run the whole suite under ctest.
#
#   BUILD_DIR   build directory (default: build)
#   CI=true     warnings become errors
#   FUZZ_SECONDS  how long each fuzz target runs (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."

./ci/deps.sh base guard cross fuzz hooks lint python abi package docs shell

build=${BUILD_DIR:-build}
jobs=$(nproc 2>/dev/null || echo 2)

echo "== configure + build ($build)"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPROCID_BUILD_PYTHON=ON
cmake --build "$build" -j"$jobs"

echo "== Windows cross-build of libprocid (MinGW-w64, warnings are errors)"
./ci/cross.sh

echo "== unit and integration tests"
ctest --test-dir "$build" --output-on-failure -j"$jobs"

# The Python package's tests again, against installed copies only: the
# package cmake --install puts next to the library (scratch prefix), and a
# pip install into a scratch virtual environment.
echo "== Python package, installed (tests/python/installed.sh)"
./tests/python/installed.sh "$build"

# Static analysis of our own C (clang-tidy, cppcheck) and procguard over the
# tree, through the same lint step users run in their CI.
echo "== lint (ci/lint.sh)"
./ci/lint.sh -p "$build" --out "$build/lint" --static \
    --exclude "tests/guard/*fixtures/*" --exclude "tests/ts/fixtures/*"

# Fuzz smoke run: every libFuzzer target for a short fixed time
# (ci/fuzz.sh SECONDS runs them longer).
echo "== fuzz smoke run (${FUZZ_SECONDS:-30}s per target)"
./ci/fuzz.sh "${FUZZ_SECONDS:-30}"

# The same suite again, every target built with AddressSanitizer and
# UndefinedBehaviorSanitizer; any report fails the run.
asan=${ASAN_BUILD_DIR:-build-asan}
echo "== configure + build under ASan+UBSan ($asan)"
cmake -S . -B "$asan" -DCMAKE_BUILD_TYPE=Debug -DPROCID_SANITIZE=address,undefined
cmake --build "$asan" -j"$jobs"
echo "== tests under ASan+UBSan"
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    ctest --test-dir "$asan" --output-on-failure -j"$jobs"

# The runtime suite (ctest label lib) under ThreadSanitizer: libprocid
# promises thread safety, and test_attacks' eight-thread boot-id-cache test
# turns a race on the cache into a report, which fails the run.
tsan=${TSAN_BUILD_DIR:-build-tsan}
echo "== configure + build under ThreadSanitizer ($tsan)"
cmake -S . -B "$tsan" -DCMAKE_BUILD_TYPE=Debug -DPROCID_SANITIZE=thread \
    -DPROCID_BUILD_GUARD=OFF
cmake --build "$tsan" -j"$jobs"
echo "== runtime tests under ThreadSanitizer"
TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1} \
    ctest --test-dir "$tsan" --output-on-failure -j"$jobs" -L lib
