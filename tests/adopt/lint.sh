#!/usr/bin/env bash
# ci/lint.sh on foreign repositories (the generated 400-site project, with a
# CMakeLists.txt and a .clang-tidy; one whose configure step fails; one
# without a build), with the built procguard.
#
# usage: lint.sh PROCID_SOURCE_DIR PROCGUARD
set -uo pipefail
src=$1 real_pg=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.invalid
export GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.invalid
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
for t in cmake cc clang-tidy cppcheck; do
    if ! command -v "$t" >/dev/null 2>&1; then
        echo "SKIP: $t is not installed (ci/deps.sh base lint)"
        exit 77
    fi
done
passed=0 failed=0
ok() { echo "ok - $1"; passed=$((passed + 1)); }
not_ok() { echo "not ok - $1"; failed=$((failed + 1)); }
check() { local n=$1; shift; if "$@"; then ok "$n"; else not_ok "$n"; fi; }

# procguard through a wrapper that counts the checking runs
printf '#!/bin/sh\ncase " $* " in *" --print-config "*) ;; *) echo run >>"%s/runs" ;; esac\nexec "%s" "$@"\n' \
    "$work" "$real_pg" >"$work/procguard"
chmod +x "$work/procguard"
export PROCGUARD=$work/procguard

r=$work/foreign
python3 "$here/gen_repo.py" "$r"
rm "$r/compile_commands.json"
cat >"$r/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.16)
project(foreign C)
file(GLOB srcs src/*.c)
add_library(foreign STATIC ${srcs})
CM
printf "Checks: '-*,bugprone-suspicious-semicolon'\n" >"$r/.clang-tidy"
git init -q -b main "$r" && git -C "$r" add -A && git -C "$r" commit -qm init

(cd "$r" && "$src/ci/lint.sh" --out "$work/o1" --static) >"$work/log" 2>&1; rc=$?
check "findings: exit 1 (exit $rc)" test $rc -eq 1
check "procguard ran once" test "$(wc -l <"$work/runs")" -eq 1
check "text and SARIF in the output directory" \
    sh -c "grep -q 'proc-unacked' '$work/o1/procguard.txt' && python3 -c 'import json,sys; json.load(open(sys.argv[1]))' '$work/o1/procguard.sarif'"
check "the SARIF holds the run's findings" python3 - "$work/o1/procguard.sarif" <<'PY'
import json, sys
rs = json.load(open(sys.argv[1]))["runs"][0]["results"]
assert sum(r["ruleId"] == "proc-unacked" for r in rs) >= 500, len(rs)
PY
check "clang-tidy ran over the repository's files" grep -q '^== clang-tidy (20 files)' "$work/log"
check "cppcheck ran over the same files, clean" grep -q '^cppcheck: clean' "$work/log"
check "no procid path in a filter" bash -c "! grep -q 'could not find any files matching' '$work/log'"
check "nothing left in the repository" test -z "$(git -C "$r" status --porcelain --ignored)"
[ $rc -eq 1 ] || sed 's/^/    # /' "$work/log" | tail -20

# the default output directory is outside the repository
rm -f "$work/runs"
(cd "$r" && "$src/ci/lint.sh") >"$work/log" 2>&1; rc=$?
dir=$(sed -n 's/.*text in \(.*\)\/procguard.txt.*/\1/p' "$work/log")
check "default output outside the repository ($dir)" \
    sh -c "[ -f '$dir/procguard.sarif' ] && case '$dir' in '$r'*) exit 1;; esac"
check "  ... and nothing left in the repository" test -z "$(git -C "$r" status --porcelain --ignored)"
rm -rf "$dir"

# a project whose configure step fails
b=$work/broken
mkdir -p "$b/src"
printf 'cmake_minimum_required(VERSION 3.16)\nproject(broken C)\nfind_package(Foobar REQUIRED)\n' >"$b/CMakeLists.txt"
printf 'int x;\n' >"$b/src/a.c"
git init -q -b main "$b" && git -C "$b" add -A && git -C "$b" commit -qm init
(cd "$b" && "$src/ci/lint.sh" --out "$work/o2") >"$work/log" 2>&1; rc=$?
check "a failing configure exits 2, not 1 (exit $rc)" test $rc -eq 2
check "  ... saying what failed, with the log's last lines" \
    sh -c "grep -q 'the configure of $b failed' '$work/log' && grep -q 'Foobar' '$work/log'"
check "  ... and what to do instead" grep -q 'pass -p with an existing build' "$work/log"

# a repository without a build: tree-sitter alone
p=$work/plain
mkdir -p "$p"
printf 'print(open("/proc/uptime").read())\n' >"$p/up.py"
git init -q -b main "$p" && git -C "$p" add -A && git -C "$p" commit -qm init
(cd "$p" && "$src/ci/lint.sh" --out "$work/o3") >"$work/log" 2>&1; rc=$?
check "no build: tree-sitter alone finds the site (exit $rc)" \
    sh -c "[ $rc -eq 1 ] && grep -q 'up.py:1:12: error' '$work/o3/procguard.txt'"

# a .procguard naming the build directory: no configure, libclang over it
c=$work/configured
python3 "$here/gen_repo.py" "$c"
printf 'cmake_minimum_required(VERSION 3.16)\nproject(c C)\nfind_package(Foobar REQUIRED)\n' >"$c/CMakeLists.txt"
printf 'build-dir = .\n' >"$c/.procguard"
git init -q -b main "$c" && git -C "$c" add -A && git -C "$c" commit -qm init
(cd "$c" && "$src/ci/lint.sh" --out "$work/o4") >"$work/log" 2>&1; rc=$?
check "the configured build-dir is used, nothing configured (exit $rc)" \
    sh -c "[ $rc -eq 1 ] && ! grep -q '== configuring' '$work/log' &&
           grep -q 'libclang 20 translation units' '$work/o4/procguard.txt'"

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
