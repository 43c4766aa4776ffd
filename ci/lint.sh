#!/usr/bin/env bash
# ci/lint.sh - the CI lint step: procguard over a repository, with SARIF.
#
# usage: ci/lint.sh [--repo DIR] [-p BUILD_DIR] [--sarif FILE] [--no-static]
#
#   --repo DIR     repository to check (default: the current git repository)
#   -p BUILD_DIR   a build directory with compile_commands.json; without it,
#                  a CMake project is configured into DIR/build-lint with
#                  CMAKE_EXPORT_COMPILE_COMMANDS=ON, and a project without
#                  CMake is checked by tree-sitter alone
#   --sarif FILE   where the SARIF log goes (default: DIR/procguard.sarif,
#                  beside the text report DIR/procguard.txt)
#   --no-static    skip clang-tidy and cppcheck
#
# procguard comes from $PROCGUARD, else the PATH, else it is built from the
# procid checkout this script lives in. clang-tidy and cppcheck run over the
# compile database when the repository carries a .clang-tidy.
#
# exit: procguard's (0 clean, 1 findings, 2 error); 1 if procguard is clean
# but clang-tidy or cppcheck report anything.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

repo="" build="" sarif="" static=1
while [ $# -gt 0 ]; do
    case "$1" in
    --repo) repo=$2; shift 2 ;;
    -p) build=$2; shift 2 ;;
    --sarif) sarif=$2; shift 2 ;;
    --no-static) static=0; shift ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "ci/lint.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
[ -n "$repo" ] || repo=$(git rev-parse --show-toplevel 2>/dev/null || pwd)
[ -z "$build" ] || build=$(cd "$build" && pwd)
repo=$(cd "$repo" && pwd)
[ -n "$sarif" ] || sarif=$repo/procguard.sarif
text=$(dirname "$sarif")/procguard.txt

"$here/ci/deps.sh" base guard
[ $static -eq 0 ] || "$here/ci/deps.sh" lint

# procguard itself
pg=${PROCGUARD:-$(command -v procguard || true)}
if [ -z "$pg" ]; then
    cmake -S "$here" -B "$here/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build "$here/build" --target procguard -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
    pg=$here/build/guard/procguard
fi

# the compile database
if [ -z "$build" ] && [ -f "$repo/CMakeLists.txt" ]; then
    if [ "$repo" = "$here" ] && [ -f "$here/build/compile_commands.json" ]; then
        build=$here/build
    else
        build=$repo/build-lint
        cmake -S "$repo" -B "$build" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
    fi
fi
pgargs=()
[ -z "$build" ] || pgargs=(-p "$build")

set +e
(cd "$repo" && "$pg" "${pgargs[@]}" --format sarif >"$sarif")
sarif_rc=$?
(cd "$repo" && "$pg" "${pgargs[@]}") >"$text" 2>&1
rc=$?
set -e
cat "$text"
echo "ci/lint.sh: procguard exit $rc; SARIF in $sarif, text in $text"
if [ $sarif_rc -ne $rc ]; then
    echo "ci/lint.sh: the SARIF run exited $sarif_rc, the text run $rc" >&2
    [ $rc -ne 0 ] || rc=$sarif_rc
fi

# static analysis of the repository's own C
if [ $static -eq 1 ] && [ -f "$repo/.clang-tidy" ] && [ -n "$build" ]; then
    # Our sources only: no build trees, fixtures (wrong on purpose) or
    # generated grammar code.
    mapfile -t files < <(python3 - "$build/compile_commands.json" "$repo" <<'PY'
import json, os, sys
db, repo = sys.argv[1], sys.argv[2]
seen = set()
for e in json.load(open(db)):
    f = os.path.normpath(os.path.join(e["directory"], e["file"]))
    rel = os.path.relpath(f, repo)
    if rel.startswith("..") or rel.startswith("build") or "/fixtures/" in rel \
            or "_fixtures/" in rel or f in seen:
        continue
    seen.add(f)
    print(f)
PY
)
    echo "== clang-tidy (${#files[@]} files)"
    # clang-tidy exits non-zero exactly when it reports: judge by what it
    # printed, not through a pipeline whose status pipefail would hide.
    tidy=$(clang-tidy -p "$build" --quiet "${files[@]}" 2>/dev/null |
        grep -E 'warning:|error:' || true)
    if [ -z "$tidy" ]; then
        echo "clang-tidy: clean"
    else
        printf '%s\n' "$tidy"
        [ $rc -ne 0 ] || rc=1
    fi
    echo "== cppcheck"
    if cppcheck --project="$build/compile_commands.json" -q --error-exitcode=1 \
        --enable=warning,portability,performance --inline-suppr \
        --suppress=missingIncludeSystem -i "$repo/tests/guard/fixtures" \
        -i "$repo/tests/guard/clang_fixtures" -i "$repo/tests/ts/fixtures" \
        "--file-filter=$repo/lib/*" \
        "--file-filter=$repo/guard/*" "--file-filter=$repo/tests/*.c" ; then
        echo "cppcheck: clean"
    else
        [ $rc -ne 0 ] || rc=1
    fi
fi
exit $rc
