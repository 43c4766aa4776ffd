#!/usr/bin/env bash
# The configuration file .procguard, against the built procguard in scratch
# git repositories: found by walking up from the working directory, every
# key honoured, --config and the command line winning, --print-config
# naming where each value came from, malformed lines exit 2 with file:line.
#
# usage: config.sh PROCGUARD
set -uo pipefail
pg=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
passed=0 failed=0
ok() { echo "ok - $1"; passed=$((passed + 1)); }
not_ok() { echo "not ok - $1"; failed=$((failed + 1)); }
check() { local n=$1; shift; if "$@"; then ok "$n"; else not_ok "$n"; fi; }
pgrun() { local d=$1; shift; (cd "$d" && "$pg" "$@") >"$work/out" 2>"$work/err"; rc=$?; }

r=$work/repo
git init -q "$r"
mkdir -p "$r/src/deep" "$r/tools" "$r/gen"
printf 'const char *p = "/proc/self/stat"; /* proc-ok: start time, Linux only */\n/* portability: avoid VLAs here */\nint n;\n' >"$r/src/a.c"
printf 'static const char *q = "/proc/meminfo"; // proc-ok: memory totals\n' >"$r/gen/paths.inc"
printf 'src/a.c      Linux start times\ngen/paths.inc  generated path table\n' >"$r/tools/proc.allow"
printf '# where things are\nallowlist = tools/proc.allow\n  ack-keyword = proc-ok\nextensions = .inc=c\n' >"$r/.procguard"
git -C "$r" add -A

pgrun "$r"
check "a .procguard moving the allowlist and changing the keyword is honoured (exit $rc)" test $rc -eq 0
check "the .inc extension is checked" grep -q '2 files checked' "$work/err"
pgrun "$r/src/deep"
check "found by walking up from a subdirectory (exit $rc)" test $rc -eq 0
pgrun "$r" --print-config
check "--print-config names the file and line of each configured value" \
    sh -c "grep -q '^allowlist *= tools/proc.allow *# .procguard:2\$' '$work/out' &&
           grep -q '^ack-keyword *= proc-ok *# .procguard:3\$' '$work/out' &&
           grep -q '^ignore *= allowlist/proc.ignore *# default\$' '$work/out'"
pgrun "$r" --print-config --allowlist tools/other.allow
check "--print-config: the command line wins and says so" \
    grep -q '^allowlist *= tools/other.allow *# command line$' "$work/out"

# without the configuration the same tree fails: proof the file is read
pgrun "$r" --config /dev/null
check "--config replaces the file found (exit $rc)" test $rc -eq 1
check "  ... and the default keyword is back (proc-unacked and ack-unused)" \
    sh -c "grep -q 'proc-unacked' '$work/out' && grep -q 'ack-unused' '$work/out'"

# disable
printf 'allowlist = tools/proc.allow\ndisable = ack-unused proc-unacked\n' >"$work/dis.cfg"
pgrun "$r" --config "$work/dis.cfg"
check "disabled rules are not reported (exit $rc)" test $rc -eq 0

# baseline from the configuration
printf 'baseline = procguard.baseline\n' >"$r/.procguard"
pgrun "$r" --write-baseline "$r/procguard.baseline"
pgrun "$r"
check "the configured baseline is applied (exit $rc)" test $rc -eq 0

# the result cache's directory, relative to the repository root
printf 'cache-dir = .pgcache\n' >"$r/.procguard"
(cd "$r/src/deep" && "$pg" --cache-stats) >"$work/out" 2>"$work/err"
check "cache-dir is where the cache is kept" test -d "$r/.pgcache"
check "  ... and --cache-stats says so" grep -q 'stored, .* in .*\.pgcache' "$work/err"
pgrun "$r" --print-config
check "  ... and --print-config names it" grep -q '^cache-dir *= .*/\.pgcache *# \.procguard:1' "$work/out"
rm -rf "$r/.pgcache"

# malformed lines: every one named, exit 2, nothing judged
printf 'allowlist = a\nnonsense\nallowlist = b\ncolour = blue\nack-keyword = two words\ndisable = parse-error\nextensions = inc\nbaseline =\n' >"$r/.procguard"
pgrun "$r"
check "a malformed configuration exits 2 (exit $rc)" test $rc -eq 2
for l in 2 3 4 5 6 7 8; do
    check "  ... naming .procguard:$l" grep -q "^.procguard:$l:[0-9]*: error: " "$work/err"
done
check "  ... and judging nothing" test ! -s "$work/out"
pgrun "$r" --config "$work/none.cfg"
check "a missing --config file exits 2 (exit $rc)" test $rc -eq 2

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
