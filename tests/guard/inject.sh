#!/usr/bin/env bash
# The self-check bites: a copy of this repository (its tracked files) with
# one raw /proc literal injected into a library file that is not on the
# allowlist fails procguard -p with exactly that file and line; with an
# acknowledgement it still fails, as not allowlisted; the untouched copy is
# clean.
#
# usage: inject.sh PROCGUARD SOURCE_DIR BUILD_DIR
set -uo pipefail
pg=$(realpath "$1") src=$(realpath "$2") build=$(realpath "$3")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
check() { # check NAME COND
    if eval "$2"; then echo "ok - $1"; passed=$((passed + 1));
    else echo "not ok - $1"; sed 's/^/    # /' "$work/out"; failed=$((failed + 1)); fi
}

copy=$work/repo
mkdir -p "$copy" "$work/db"
(cd "$src" && git ls-files -z | xargs -0 cp --parents -t "$copy")
# The build's database, pointed at the copy.
sed "s|$src/|$copy/|g" "$build/compile_commands.json" >"$work/db/compile_commands.json"

run() { (cd "$copy" && "$pg" -p "$work/db" --format json) >"$work/out" 2>&1; echo $?; }
findings() {
    python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join("%s:%s:%s" % (f["path"], f["line"], f["rule"]) for f in d["findings"]))' "$work/out"
}

rc=$(run)
check "the untouched copy is clean" '[ "$rc" = 0 ]'

target=lib/src/pidfile.c
line=$(($(wc -l <"$copy/$target") + 2))
cp "$copy/$target" "$work/orig.c"
printf '\nconst char *procid__injected = "/proc/self/mounts";\n' >>"$copy/$target"
rc=$(run)
got=$(findings)
check "an injected literal fails with its file and line" \
    '[ "$rc" = 1 ] && [ "$got" = "$target:$line:proc-unacked" ]'

cp "$work/orig.c" "$copy/$target"
printf '\nconst char *procid__injected = "/proc/self/mounts"; // portability: injected by the test\n' >>"$copy/$target"
rc=$(run)
got=$(findings)
check "an acknowledged literal outside the allowlist still fails" \
    '[ "$rc" = 1 ] && [ "$got" = "$target:$line:proc-not-allowlisted" ]'

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
