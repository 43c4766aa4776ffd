#!/usr/bin/env bash
# An installed procguard only, no procid checkout: cmake --install of the
# guard component into a scratch prefix, then a consumer repository (the
# generated 400-site project) adopts it with the installed commands alone:
# procguard --fix, the hook set up by procguard-install-hook, the installed
# lint step. PATH holds the prefix and the system, nothing of this tree.
#
# usage: installed.sh BUILD_DIR
set -uo pipefail
build=$1
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.invalid
export GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.invalid
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
unset PROCGUARD
passed=0 failed=0
ok() { echo "ok - $1"; passed=$((passed + 1)); }
not_ok() { echo "not ok - $1"; failed=$((failed + 1)); }
check() { local n=$1; shift; if "$@"; then ok "$n"; else not_ok "$n"; fi; }

prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" --component guard >"$work/install.log" 2>&1
check "cmake --install --component guard" test -x "$prefix/bin/procguard"
for f in bin/procguard-install-hook share/procid/ci/pre-commit share/procid/ci/lint.sh \
         share/procid/ci/install-hook.sh share/procid/ci/procguard.yml \
         share/procid/ci/procguard.gitlab-ci.yml share/procid/ci/.pre-commit-hooks.yaml; do
    check "installed: $f" test -e "$prefix/$f"
done
export PATH=$prefix/bin:/usr/bin:/bin

r=$work/consumer
python3 "$src/tests/adopt/gen_repo.py" "$r"
git init -q -b main "$r" && git -C "$r" add -A && git -C "$r" commit -qm init
cd "$r"
check "the installed procguard is the one on PATH" test "$(command -v procguard)" = "$prefix/bin/procguard"
procguard >/dev/null 2>&1; rc=$?
check "findings before adoption (exit $rc)" test $rc -eq 1
procguard --fix --reason "legacy Linux-only access, to review" >/dev/null 2>"$work/err"; rc=$?
check "procguard --fix (exit $rc)" test $rc -eq 0
git add -A && git commit -qm adopt --no-verify
procguard-install-hook >"$work/out" 2>&1; rc=$?
check "procguard-install-hook (exit $rc)" test $rc -eq 0
check "the hook names no procid checkout" bash -c "! grep -q '$src' .git/hooks/pre-commit"
printf 'const char *fresh = "/proc/self/cgroup";\n' >>src/mod01.c
git add src/mod01.c
git commit -qm new >"$work/out" 2>&1; rc=$?
check "the hook refuses a new site (exit $rc)" \
    sh -c "[ $rc -ne 0 ] && grep -q 'src/mod01.c:[0-9]*:[0-9]*: error: .*proc-unacked' '$work/out'"
git reset -q --hard
"$prefix/share/procid/ci/lint.sh" --out "$work/lint" >"$work/out" 2>&1; rc=$?
check "the installed lint step is clean (exit $rc)" test $rc -eq 0
check "  ... with its SARIF" test -s "$work/lint/procguard.sarif"

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
