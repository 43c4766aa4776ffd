#!/usr/bin/env bash
# tests/python/installed.sh BUILD_DIR [PYTHON] - the Python package's tests
# against INSTALLED copies, never the build tree:
#
#   1. `cmake --install BUILD_DIR` into a scratch prefix (BUILD_DIR must be
#      configured with -DPROCID_BUILD_PYTHON=ON): the package cmake put next
#      to the library must find that library by itself (no PROCID_LIBRARY);
#   2. `pip install` of lib/python (offline: --no-build-isolation --no-index,
#      setuptools and wheel from the system) into a scratch virtual
#      environment made with --system-site-packages (for pytest), with
#      PROCID_LIBRARY naming the installed library.
#
# Each runs the whole pytest suite, with PROCID_EXPECT_INSTALLED so that a
# package imported from anywhere else fails the run.
set -euo pipefail
build=$(cd "$1" && pwd)
py=${2:-${PYTHON:-/usr/bin/python3}}
src=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/procid-python.XXXXXX")
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

cmake --install "$build" --prefix "$prefix" >/dev/null
lib=$(find "$prefix" -name 'libprocid.so.0' -print -quit)
pkg=$(find "$prefix" -path '*/procid/_location.py' -print -quit)
if [ -z "$lib" ] || [ -z "$pkg" ]; then
    echo "installed.sh: $prefix lacks libprocid.so.0 or the procid package;" \
        "configure $build with -DPROCID_BUILD_PYTHON=ON" >&2
    exit 1
fi
site=$(dirname "$(dirname "$pkg")")
export PROCID_CLI=$prefix/bin/procid PROCID_INCLUDE_DIR=$prefix/include
export PYTHONDONTWRITEBYTECODE=1
unset PROCID_LIBRARY PYTHONPATH
cd "$work" # nothing importable from the source tree

echo "== the package cmake installed next to the library ($site)"
PYTHONPATH=$site PROCID_EXPECT_INSTALLED=$site "$py" -c '
import os, sys, procid
lib = os.path.realpath(procid.library_path)
assert lib == os.path.realpath(sys.argv[1]), (lib, sys.argv[1])
print("procid %s from %s, libprocid %s from %s" % (
    procid.__version__, os.path.dirname(procid.__file__),
    procid.library_version, lib))' "$lib"
PYTHONPATH=$site PROCID_EXPECT_INSTALLED=$site \
    "$py" -m pytest -q -rs -p no:cacheprovider "$src/tests/python"

echo "== pip install into a scratch virtual environment"
"$py" -m venv --system-site-packages "$work/venv"
cp -r "$src/lib/python" "$work/pkg" # pip builds in the source directory
"$work/venv/bin/python" -m pip install -q --no-build-isolation --no-index \
    "$work/pkg"
rm -rf "$work/pkg"
PROCID_LIBRARY=$lib PROCID_EXPECT_INSTALLED=$work/venv \
    "$work/venv/bin/python" -m pytest -q -rs -p no:cacheprovider "$src/tests/python"
