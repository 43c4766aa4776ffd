#!/usr/bin/env bash
# valgrind memcheck of the two programs on real work: procid through
# write / id / status / stop against a live process, procguard in semantic
# mode (libclang + tree-sitter) over the `acks` fixture repository.
# Zero errors and zero definite leaks, or the test fails.
#
# usage: memcheck.sh PROCID PROCGUARD FIXTURES_DIR
set -uo pipefail
procid=$(realpath "$1") procguard=$(realpath "$2") fixtures=$(realpath "$3")
work=$(mktemp -d)
trap 'kill "$child" 2>/dev/null; rm -rf "$work"' EXIT
vg=(valgrind --quiet --error-exitcode=99 --leak-check=full
    --errors-for-leak-kinds=definite --show-leak-kinds=definite
    --track-fds=no --suppressions="$(dirname "$(realpath "$0")")/dlopen.supp")
fail=0 passed=0 failed=0
run() { # run NAME EXPECTED-EXIT CMD...
    local name=$1 want=$2; shift 2
    "${vg[@]}" "$@" >"$work/out" 2>&1
    local rc=$?
    if [ $rc -eq "$want" ]; then
        echo "ok - $name"
        passed=$((passed + 1))
    else
        echo "not ok - $name: exit $rc, wanted $want (99: valgrind found errors)"
        sed 's/^/    # /' "$work/out"
        failed=$((failed + 1))
        fail=1
    fi
}

sleep 300 & child=$!
run "procid write" 0 "$procid" write "$work/d.pid" "$child"
run "procid id" 0 "$procid" id "$child"
run "procid status (running)" 0 "$procid" status "$work/d.pid"
printf '+1\n' >"$work/bad.pid"
run "procid status (malformed pidfile)" 4 "$procid" status "$work/bad.pid"
run "procid stop --retry --remove" 0 "$procid" stop "$work/d.pid" --retry TERM/5/KILL/5 --remove
wait "$child" 2>/dev/null

cp -r "$fixtures/acks" "$work/repo"
sed "s|@ROOT@|$work/repo|g" "$work/repo/compile_commands.in.json" >"$work/repo/compile_commands.json"
# The fixture has findings on purpose: exit 1 is the expected verdict.
cd "$work/repo"
run "procguard -p (libclang + tree-sitter) --format sarif" 1 "$procguard" -p . -j 2 --format sarif
run "procguard (tree-sitter only)" 1 "$procguard"
cd /
echo "$passed passed, $failed failed"
exit $fail
