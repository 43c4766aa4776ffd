#!/usr/bin/env bash
# lint.sh - the CI lint step for any repository: procguard once, its text
# report and SARIF log from that one run; clang-tidy and cppcheck when asked.
#
# usage: lint.sh [--repo DIR] [-p BUILD_DIR] [--out DIR] [--static]
#                [--exclude GLOB]... [--no-build]
#
#   --repo DIR       the repository to check (default: the current git
#                    repository, else the working directory)
#   -p BUILD_DIR     an existing build directory with compile_commands.json.
#                    Without it: the build-dir of the repository's .procguard
#                    if it names one; else a CMake project is configured
#                    (CMAKE_EXPORT_COMPILE_COMMANDS=ON) and built in OUT/build;
#                    else tree-sitter checks everything alone
#   --out DIR        where procguard.txt, procguard.sarif and the scratch
#                    build go (default: a new directory under $TMPDIR, never
#                    inside the repository); printed at the end
#   --static         also run clang-tidy (when the repository has a
#                    .clang-tidy) and cppcheck over the compile database's
#                    files inside the repository
#   --exclude GLOB   leave files matching GLOB (repository-relative, fnmatch)
#                    out of clang-tidy and cppcheck; repeatable
#   --no-build       configure the CMake project but do not build it
#   --sarif FILE     also copy the SARIF log to FILE (the option of earlier
#                    versions)
#
# The repository's .procguard is honoured (procguard reads it). procguard
# comes from $PROCGUARD, the PATH, the installation this script belongs to
# (PREFIX/bin beside PREFIX/share/procid/ci), or the procid checkout it lives
# in (built there).
#
# exit: 0 clean, 1 findings (procguard's, or clang-tidy's or cppcheck's with
# --static), 2 errors: a usage error, procguard's exit 2, or the project's
# configure or build failing (the last lines of its log are printed, with
# what to do instead).
set -euo pipefail
self=$(readlink -f "$0")
here=$(cd "$(dirname "$self")/.." && pwd)

repo="" build="" out="" static=0 dobuild=1 excludes=() sarif_copy=
while [ $# -gt 0 ]; do
    case "$1" in
    --repo) repo=${2:?--repo needs a directory}; shift 2 ;;
    -p) build=${2:?-p needs a build directory}; shift 2 ;;
    --out) out=${2:?--out needs a directory}; shift 2 ;;
    --static) static=1; shift ;;
    --no-static) static=0; shift ;;  # the old default's switch, accepted
    --exclude) excludes+=("${2:?--exclude needs a glob}"); shift 2 ;;
    --no-build) dobuild=0; shift ;;
    --sarif) sarif_copy=${2:?--sarif needs a file}; shift 2 ;;
    -h|--help) sed -n '2,35p' "$self" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "lint.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
[ -n "$repo" ] || repo=$(git rev-parse --show-toplevel 2>/dev/null || pwd)
repo=$(cd "$repo" && pwd)
if [ -n "$build" ]; then
    build=$(cd "$build" && pwd) || { echo "lint.sh: no build directory '$build'" >&2; exit 2; }
fi
if [ -z "$out" ]; then
    out=$(mktemp -d "${TMPDIR:-/tmp}/procguard-lint.XXXXXX")
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)

# procguard itself
pg=${PROCGUARD:-$(command -v procguard || true)}
if [ -z "$pg" ] && [ -x "$here/../../bin/procguard" ]; then
    pg=$(readlink -f "$here/../../bin/procguard")
fi
if [ -z "$pg" ]; then
    if [ ! -f "$here/guard/CMakeLists.txt" ]; then
        echo "lint.sh: no procguard found (set PROCGUARD or put it on PATH)" >&2
        exit 2
    fi
    "$here/ci/deps.sh" base guard
    cmake -S "$here" -B "$here/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build "$here/build" --target procguard -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
    pg=$here/build/guard/procguard
fi
[ $static -eq 0 ] || [ ! -x "$here/ci/deps.sh" ] || "$here/ci/deps.sh" lint

# fail_project STEP LOG: the user's project did not configure or build
fail_project() {
    echo "lint.sh: the $1 of $repo failed; last lines of $2:" >&2
    tail -n 25 "$2" | sed 's/^/    /' >&2
    cat >&2 <<HINT
lint.sh: procguard did not run. Either pass -p with an existing build
directory that has compile_commands.json, or check with tree-sitter alone
(no compile database needed): procguard --sarif FILE in the repository.
HINT
    exit 2
}

# the compile database
configured=$(cd "$repo" && "$pg" --print-config | sed -n 's/^build-dir *= \(.*[^ ]\) *# .*/\1/p')
if [ -z "$build" ] && [ -z "$configured" ] && [ -f "$repo/CMakeLists.txt" ]; then
    build=$out/build
    echo "== configuring $repo in $build" >&2
    cmake -S "$repo" -B "$build" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
        >"$out/configure.log" 2>&1 || fail_project configure "$out/configure.log"
    if [ $dobuild -eq 1 ]; then
        echo "== building $repo (generated headers must exist to be parsed)" >&2
        cmake --build "$build" -j"$(nproc 2>/dev/null || echo 2)" \
            >"$out/build.log" 2>&1 || fail_project build "$out/build.log"
    fi
fi
[ -n "$build" ] || build=$configured
pgargs=()
[ -z "$build" ] || [ -n "$configured" ] || pgargs=(-p "$build")

set +e
(cd "$repo" && "$pg" "${pgargs[@]}" --sarif "$out/procguard.sarif") >"$out/procguard.txt" 2>&1
rc=$?
set -e
cat "$out/procguard.txt"
[ -z "$sarif_copy" ] || cp "$out/procguard.sarif" "$sarif_copy"
echo "lint.sh: procguard exit $rc; text in $out/procguard.txt, SARIF in $out/procguard.sarif"

# static analysis of the repository's own files in the database
if [ $static -eq 1 ]; then
    if [ -z "$build" ] || [ ! -f "$build/compile_commands.json" ]; then
        echo "lint.sh: --static needs a compile database (-p, build-dir or a CMake project)" >&2
        exit 2
    fi
    mapfile -t files < <(python3 - "$build/compile_commands.json" "$repo" "$build" "${excludes[@]}" <<'PY'
import fnmatch, json, os, sys
db, repo, build, globs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
seen = set()
for e in json.load(open(db)):
    f = os.path.normpath(os.path.join(e["directory"], e["file"]))
    rel = os.path.relpath(f, repo)
    if rel.startswith("..") or f.startswith(build + os.sep) or f in seen:
        continue
    if any(fnmatch.fnmatch(rel, g) for g in globs):
        continue
    seen.add(f)
    print(f)
PY
)
    if [ ${#files[@]} -eq 0 ]; then
        echo "lint.sh: --static: no file of $repo in $build/compile_commands.json" >&2
    else
        if [ -f "$repo/.clang-tidy" ]; then
            echo "== clang-tidy (${#files[@]} files)"
            # clang-tidy exits non-zero exactly when it reports: judge by
            # what it printed.
            tidy=$(clang-tidy -p "$build" --quiet "${files[@]}" 2>/dev/null |
                grep -E 'warning:|error:' || true)
            if [ -z "$tidy" ]; then
                echo "clang-tidy: clean"
            else
                printf '%s\n' "$tidy"
                [ $rc -ne 0 ] || rc=1
            fi
        fi
        echo "== cppcheck (${#files[@]} files)"
        filters=()
        for f in "${files[@]}"; do filters+=("--file-filter=$f"); done
        if cppcheck --project="$build/compile_commands.json" -q --error-exitcode=1 \
            --enable=warning,portability,performance --inline-suppr \
            --suppress=missingIncludeSystem "${filters[@]}"; then
            echo "cppcheck: clean"
        else
            [ $rc -ne 0 ] || rc=1
        fi
    fi
fi
exit $rc
