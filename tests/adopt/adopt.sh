#!/usr/bin/env bash
# Adoption on a foreign codebase: a generated repository with 400+ raw /proc
# sites (direct, macro, inactive #if branches, Python, an extensionless
# Python script), checked by the built procguard with the real parsers.
#
#   baseline: --write-baseline then clean in both modes; 30 lines inserted
#   at the top of a file and other lines re-indented stay clean; one new
#   site is exactly one finding; a removed site is baseline-stale.
#   fix-its: JSON and SARIF carry the fixes; --fix --reason makes the
#   repository clean without a baseline, a second --fix changes nothing, and
#   the result still compiles (cc -fsyntax-only over its database).
#
# usage: adopt.sh PROCGUARD
set -uo pipefail
pg=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.invalid
export GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.invalid
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1

passed=0 failed=0
ok() { echo "ok - $1"; passed=$((passed + 1)); }
not_ok() { echo "not ok - $1"; failed=$((failed + 1)); }
# check NAME CMD...: ok when CMD succeeds
check() { local n=$1; shift; if "$@"; then ok "$n"; else not_ok "$n"; fi; }

new_repo() {
    python3 "$here/gen_repo.py" "$1"
    git init -q -b main "$1"
    git -C "$1" add -A && git -C "$1" commit -qm init
}
# pgrun REPO ARGS...: procguard in REPO; stdout in $work/out, stderr in
# $work/err, exit code in $rc
pgrun() {
    local r=$1; shift
    (cd "$r" && "$pg" "$@") >"$work/out" 2>"$work/err"; rc=$?
}
json_count() { # the JSON summary's number of findings
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["findings"])' "$work/out"
}

repo=$work/foreign
new_repo "$repo"

# --- a repository that has never heard of procguard -----------------------
pgrun "$repo" --format json
sites=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(1 for f in d["findings"] if f["rule"]=="proc-unacked"))' "$work/out")
check "the generated repository has 400+ unacked sites (has $sites)" test "$sites" -ge 400

# --- baseline --------------------------------------------------------------
pgrun "$repo" -p . --write-baseline procguard.baseline
check "--write-baseline exits 0 (exit $rc)" test $rc -eq 0
check "the baseline is sorted, one finding a line" \
    sh -c "grep -v '^#' '$repo/procguard.baseline' | LC_ALL=C sort -c"
n=$(grep -vc '^#' "$repo/procguard.baseline")
check "the baseline holds every finding of the -p run ($n)" test "$n" -ge 500
for mode in "-p ." ""; do
    pgrun "$repo" $mode --baseline procguard.baseline
    check "with the baseline the run is clean (mode '$mode', exit $rc)" test $rc -eq 0
done
pgrun "$repo" -p . --baseline procguard.baseline --format json
check "JSON marks the baselined findings" python3 - "$work/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["summary"]["findings"] == 0, d["summary"]
b = d["baselined"]
assert len(b) >= 500 and all(f["baselined"] for f in b), len(b)
PY
pgrun "$repo" -p . --baseline procguard.baseline --format sarif
check "SARIF: baselineState unchanged and external suppressions" python3 - "$work/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rs = [r for r in d["runs"][0]["results"] if r["ruleId"] == "proc-unacked"]
assert len(rs) >= 500
for r in rs:
    assert r["baselineState"] == "unchanged", r
    assert r["suppressions"][0]["kind"] == "external", r
PY

# 30 lines at the top of one file, every line of another re-indented
python3 - "$repo" <<'PY'
import sys, os
r = sys.argv[1]
p = os.path.join(r, "src/mod03.c")
t = open(p).read()
open(p, "w").write("".join(f"/* header line {i} */\n" for i in range(30)) + t)
p = os.path.join(r, "src/mod05.c")
t = open(p).read().replace("    ", "  ").replace("(int pid)", "( int pid )")
open(p, "w").write(t)
p = os.path.join(r, "tools/tool2.py")
t = open(p).read()
open(p, "w").write("\n\n# moved down\n" * 10 + t)
PY
for mode in "-p ." ""; do
    pgrun "$repo" $mode --baseline procguard.baseline
    check "line shifts and reformatting stay clean (mode '$mode', exit $rc)" test $rc -eq 0
done
[ $rc -eq 0 ] || head -5 "$work/out"

# one new site: exactly one finding
printf 'const char *fresh = "/proc/self/cgroup";\n' >>"$repo/src/mod07.c"
for mode in "-p ." ""; do
    pgrun "$repo" $mode --baseline procguard.baseline --format json
    check "one new site is exactly one finding (mode '$mode', exit $rc, $(json_count))" \
        test $rc -eq 1 -a "$(json_count)" = 1
done
newline=$(wc -l <"$repo/src/mod07.c")
check "the finding names the new site (src/mod07.c:$newline)" \
    grep -q "\"path\": \"src/mod07.c\", \"line\": $newline," "$work/out"
git -C "$repo" checkout -q -- src/mod07.c

# a baselined site removed: baseline-stale, in the baseline file
sed -i 's|"/proc/loadavg"|"/dev/null"|' "$repo/src/mod11.c"
pgrun "$repo" --baseline procguard.baseline
check "a removed site makes its entry baseline-stale (exit $rc)" \
    grep -q '^procguard.baseline:[0-9]*:1: error: .*\[baseline-stale\]' "$work/out"
check "exactly one stale entry" test "$(grep -c 'baseline-stale\]' "$work/out")" -eq 1
git -C "$repo" checkout -q -- src/mod11.c

# a partial run never calls an entry stale; a malformed baseline is exit 2
pgrun "$repo" --baseline procguard.baseline src/mod01.c
check "a partial run with the baseline is clean (exit $rc)" test $rc -eq 0
cp "$repo/procguard.baseline" "$work/bl.orig"
printf 'src/x.c\tproc-unacked\tnothex:1\t-\t/proc\nsrc/y.c\tno-such-rule\t0123456789abcdef:1\t-\t/proc\n' >>"$repo/procguard.baseline"
total=$(wc -l <"$repo/procguard.baseline")
pgrun "$repo" --baseline procguard.baseline
check "a malformed baseline exits 2 (exit $rc)" test $rc -eq 2
check "  ... naming each bad line" \
    sh -c "grep -q '^procguard.baseline:$((total - 1)):[0-9]*: error: malformed fingerprint' '$work/err' &&
           grep -q '^procguard.baseline:$total:[0-9]*: error: not a rule' '$work/err'"
cp "$work/bl.orig" "$repo/procguard.baseline"
pgrun "$repo" --write-baseline other.baseline src/mod01.c
check "--write-baseline with a PATH is a usage error (exit $rc)" test $rc -eq 2

# --- fix-its ---------------------------------------------------------------
fixrepo=$work/fixme
new_repo "$fixrepo"
# sites where the end of the line is no place for a comment: a continued
# macro line, a line ending inside a block comment, a C++ raw string, a
# Python triple-quoted string; and a C++ file using // comments
cat >"$fixrepo/src/tricky.c" <<'C'
#include <string.h>
#define STATUS_OF(buf) \
    strcpy(buf, "/proc/self/status"); \
    (void)0
int tricky(char *b) { STATUS_OF(b); return b[0]; }
const char *open_comment = "/proc/version"; /* the kernel's
   version string */
C
cat >"$fixrepo/src/raw.cc" <<'CC'
// a C++ file
const char *raw = R"(/proc/mounts)";
const char *plain = "/proc/cpuinfo";
CC
cat >"$fixrepo/tools/doc.py" <<'PY'
DOC = """/proc/self/environ
is read here"""
PY
python3 - "$fixrepo" <<'PY'
import json, os, sys
r = sys.argv[1]
db = json.load(open(os.path.join(r, "compile_commands.json")))
db.append({"directory": r, "file": os.path.join(r, "src/tricky.c"),
           "arguments": ["cc", "-std=c11", "-c", "src/tricky.c"]})
db.append({"directory": r, "file": os.path.join(r, "src/raw.cc"),
           "arguments": ["c++", "-std=c++17", "-c", "src/raw.cc"]})
json.dump(db, open(os.path.join(r, "compile_commands.json"), "w"))
PY
git -C "$fixrepo" add -A && git -C "$fixrepo" commit -qm tricky
pgrun "$fixrepo" -p . --format json
check "JSON: every unacked site carries its fixes (ack and allowlist line)" python3 - "$work/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
fs = [f for f in d["findings"] if f["rule"] == "proc-unacked"]
assert fs
for f in fs:
    kinds = [x["path"] for x in f["fixes"]]
    assert len(f["fixes"]) == 2, f
    assert kinds[1] == "allowlist/proc.allow", f
    assert "portability: " in f["fixes"][0]["insert"], f
PY
pgrun "$fixrepo" -p . --format sarif
check "SARIF: fixes with artifactChanges" python3 - "$work/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rs = [r for r in d["runs"][0]["results"] if r["ruleId"] == "proc-unacked"]
for r in rs:
    ch = r["fixes"][0]["artifactChanges"]
    assert ch[0]["replacements"][0]["insertedContent"]["text"], r
    assert ch[-1]["artifactLocation"]["uri"] == "allowlist/proc.allow", r
PY
pgrun "$fixrepo" -p .
check "text notes of proc-unacked show the ack and the allowlist line" \
    sh -c "grep -q 'note: acknowledge it' '$work/out' && grep -q 'note: and list the file' '$work/out'"

pgrun "$fixrepo" -p . --fix
check "--fix without --reason is a usage error (exit $rc)" test $rc -eq 2
pgrun "$fixrepo" -p . --fix --reason "legacy Linux-only access, to review"
check "--fix exits 0 (exit $rc)" test $rc -eq 0
check "--fix says what it changed" grep -q 'src/mod00.c:.*acknowledged' "$work/err"
for mode in "-p ." ""; do
    pgrun "$fixrepo" $mode
    check "after --fix the run is clean without a baseline (mode '$mode', exit $rc)" test $rc -eq 0
done
[ $rc -eq 0 ] || head -20 "$work/out"
check "the allowlist entries are sorted, with the reason" python3 - "$fixrepo/allowlist/proc.allow" <<'PY'
import sys
es = [l.split(None, 1) for l in open(sys.argv[1]) if l.strip() and not l.startswith("#")]
assert [e[0] for e in es] == sorted(e[0] for e in es)
assert all(e[1].strip() == "legacy Linux-only access, to review" for e in es)
assert len(es) == 34, len(es)
PY
sum1=$(cd "$fixrepo" && find . -path ./.git -prune -o -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum)
pgrun "$fixrepo" -p . --fix --reason "legacy Linux-only access, to review"
sum2=$(cd "$fixrepo" && find . -path ./.git -prune -o -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum)
check "a second --fix changes nothing (exit $rc)" test "$sum1" = "$sum2" -a $rc -eq 0
check "a second --fix says so" grep -q 'nothing to fix' "$work/err"
check "the fixed C compiles (cc -fsyntax-only over the database)" python3 - "$fixrepo" <<'PY'
import json, subprocess, sys, os
r = sys.argv[1]
for e in json.load(open(os.path.join(r, "compile_commands.json"))):
    subprocess.run(["cc", "-fsyntax-only", "-Wall", "-Werror", "-Wno-unused-variable",
                    "-Wno-unused-const-variable", e["file"]], cwd=e["directory"], check=True)
PY
check "the fixed Python compiles" python3 -m py_compile "$fixrepo"/tools/*.py "$fixrepo/tools/runner"
check "the fixed C++ compiles" c++ -std=c++17 -fsyntax-only "$fixrepo/src/raw.cc"
check "the raw string and the triple-quoted string are unchanged" python3 - "$fixrepo" <<'PY'
import sys, os
r = sys.argv[1]
exec(open(os.path.join(r, "tools/doc.py")).read())
assert DOC == "/proc/self/environ\nis read here", repr(DOC)
assert 'R"(/proc/mounts)";' in open(os.path.join(r, "src/raw.cc")).read()
PY
check "a C++ file gets // acks" grep -q '"/proc/cpuinfo"; // portability: legacy' "$fixrepo/src/raw.cc"
check "a C file using block comments gets block-comment acks" \
    grep -q '"/proc/meminfo" /\* portability: legacy Linux-only access, to review \*/$' "$fixrepo/src/mod00.c"

# --fix never overwrites a file changed since it was read: an editor saving
# src/a.c while procguard fixes it (an LD_PRELOAD shim appends to it at the
# fsync of procguard's temporary file, after the first check)
race=$work/race
mkdir -p "$race/src"
printf 'const char *a = "/proc/uptime";\n' >"$race/src/a.c"
printf 'const char *b = "/proc/loadavg";\n' >"$race/src/b.c"
git init -q -b main "$race" && git -C "$race" add -A && git -C "$race" commit -qm init
cc -shared -fPIC -o "$work/touch.so" "$here/touch_on_fsync.c" -ldl
# (a sanitizer build's runtime must come first unless told otherwise)
(cd "$race" && PG_TEST_TOUCH=$race/src/a.c LD_PRELOAD=$work/touch.so \
    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
    "$pg" --fix --reason "uptime and load, Linux only") >"$work/out" 2>"$work/err"; rc=$?
check "--fix refuses a file changed while it ran: exit 2 (exit $rc)" test $rc -eq 2
check "  ... saying so" grep -q 'src/a.c: changed since procguard read it: not modified' "$work/err"
check "  ... and leaving the editor's version" \
    sh -c "grep -q 'edited while procguard' '$race/src/a.c' && ! grep -q 'portability' '$race/src/a.c'"
check "  ... while the other file is fixed" grep -q 'portability: uptime and load' "$race/src/b.c"

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
