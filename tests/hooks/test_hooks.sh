#!/usr/bin/env bash
# The pre-commit hook, installed both ways users install it, in scratch
# repositories: a commit adding an unacknowledged /proc literal is refused,
# an acknowledged and allowlisted one goes through, and the git hook judges
# the staged content, not the work tree.
#
# usage: test_hooks.sh PROCID_SOURCE_DIR   (PROCGUARD: the built binary)
set -uo pipefail
src=$1
: "${PROCGUARD:?set PROCGUARD to the built procguard}"
export PROCGUARD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.invalid
export GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.invalid
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1

passed=0 failed=0
ok() { echo "ok - $1"; passed=$((passed + 1)); }
not_ok() { echo "not ok - $1"; failed=$((failed + 1)); }
commits() { git -C "$1" rev-list --count HEAD 2>/dev/null || echo 0; }

# A repository whose allowlist lists src/linux.c.
new_repo() {
    local r=$1
    git init -q -b main "$r"
    mkdir -p "$r/allowlist" "$r/src"
    printf 'src/linux.c   the Linux backend reads process start times\n' >"$r/allowlist/proc.allow"
    printf 'int main(void) { return 0; }\n' >"$r/src/main.c"
    git -C "$r" add -A && git -C "$r" commit -qm init --no-verify
}
bad_c='const char *p = "/proc/self/stat";\n'
good_c='const char *p = "/proc/self/stat"; // portability: start time lives only in /proc on Linux\n'

# expect_commit REPO FILE CONTENT yes|no NAME [grep-pattern]
expect_commit() {
    local r=$1 f=$2 content=$3 want=$4 name=$5 pat=${6:-}
    local before out rc
    before=$(commits "$r")
    mkdir -p "$(dirname "$r/$f")"
    printf "$content" >"$r/$f"
    git -C "$r" add "$f"
    out=$(git -C "$r" commit -qm "add $f" 2>&1); rc=$?
    local after; after=$(commits "$r")
    if [ "$want" = yes ] && [ $rc -eq 0 ] && [ "$after" -eq $((before + 1)) ]; then
        ok "$name"
    elif [ "$want" = no ] && [ $rc -ne 0 ] && [ "$after" -eq "$before" ] &&
        { [ -z "$pat" ] || grep -q -- "$pat" <<<"$out"; }; then
        ok "$name"
    else
        not_ok "$name (exit $rc, commits $before -> $after)"
        echo "$out" | sed 's/^/    # /'
    fi
}

echo "# plain git hook (ci/install-hook.sh)"
r=$work/plain
new_repo "$r"
if "$src/ci/install-hook.sh" "$r" >/dev/null; then ok "install-hook.sh installs"; else not_ok "install-hook.sh installs"; fi
expect_commit "$r" src/bad.c "$bad_c" no "git hook refuses an unacknowledged /proc literal" \
    'src/bad.c:1:17: error: .*\[proc-unacked\]'
git -C "$r" reset -q HEAD -- src/bad.c && rm -f "$r/src/bad.c"
expect_commit "$r" src/linux.c "$good_c" yes "git hook lets an acknowledged, allowlisted literal through"
expect_commit "$r" src/other.c "$good_c" no "git hook refuses an acknowledged literal outside the allowlist" \
    '\[proc-not-allowlisted\]'
git -C "$r" reset -q HEAD -- src/other.c && rm -f "$r/src/other.c"

# Staged content decides: bad staged + fixed work tree is refused ...
printf "$bad_c" >"$r/src/staged.c"; git -C "$r" add src/staged.c
printf 'int x;\n' >"$r/src/staged.c"
before=$(commits "$r")
if ! git -C "$r" commit -qm staged >/dev/null 2>&1 && [ "$(commits "$r")" -eq "$before" ]; then
    ok "git hook judges the staged blob, not the fixed work tree"
else
    not_ok "git hook judges the staged blob, not the fixed work tree"
fi
# ... and good staged + bad work tree goes through.
printf 'int x;\n' >"$r/src/staged.c"; git -C "$r" add src/staged.c
printf "$bad_c" >"$r/src/staged.c"
if git -C "$r" commit -qm staged2 >/dev/null 2>&1 && [ "$(commits "$r")" -eq $((before + 1)) ]; then
    ok "git hook ignores unstaged work-tree changes"
else
    not_ok "git hook ignores unstaged work-tree changes"
fi
# A commit with no C or Python file does not run procguard at all.
expect_commit "$r" notes.txt 'see /proc/self/stat\n' yes "git hook passes a commit without C or Python files"

# An existing foreign hook is not overwritten.
r2=$work/foreign
new_repo "$r2"
printf '#!/bin/sh\nexit 0\n' >"$r2/.git/hooks/pre-commit"
if ! "$src/ci/install-hook.sh" "$r2" >/dev/null 2>&1 && grep -q 'exit 0' "$r2/.git/hooks/pre-commit"; then
    ok "install-hook.sh keeps a foreign hook unless --force"
else
    not_ok "install-hook.sh keeps a foreign hook unless --force"
fi

# A .procguard that moves the allowlist and changes the keyword: the hook
# reads the staged configuration and the allowlist it names.
configured_repo() {
    local r=$1
    git init -q -b main "$r"
    mkdir -p "$r/tools" "$r/src"
    printf 'src/linux.c   the Linux backend reads process start times\n' >"$r/tools/proc.allow"
    printf 'allowlist = tools/proc.allow\nack-keyword = proc-ok\n' >"$r/.procguard"
    printf 'int main(void) { return 0; }\n' >"$r/src/main.c"
    git -C "$r" add -A && git -C "$r" commit -qm init --no-verify
}
cfg_good='const char *p = "/proc/self/stat"; // proc-ok: start time lives only in /proc on Linux\n'
r=$work/configured
configured_repo "$r"
"$src/ci/install-hook.sh" "$r" >/dev/null
expect_commit "$r" src/linux.c "$cfg_good" yes "git hook: .procguard's allowlist and keyword are honoured"
expect_commit "$r" src/vla.c '/* portability: avoid VLAs */\nint n;\n' yes \
    "git hook: the old keyword is an ordinary comment under ack-keyword"
expect_commit "$r" src/bad.c "$good_c" no "git hook: a portability: ack no longer acknowledges" '\[proc-unacked\]'
git -C "$r" reset -q HEAD -- src/bad.c && rm -f "$r/src/bad.c"
expect_commit "$r" tools/probe "#!/usr/bin/env python3\nopen('/proc/uptime')\n" no \
    "git hook: an extensionless Python script is checked" 'tools/probe:2:6: error: .*\[proc-unacked\]'
git -C "$r" reset -q HEAD -- tools/probe && rm -f "$r/tools/probe"

echo "# pre-commit framework (.pre-commit-hooks.yaml)"
if ! command -v pre-commit >/dev/null 2>&1; then
    echo "SKIP: the pre-commit framework is not installed (ci/deps.sh hooks)" >&2
    not_ok "pre-commit framework available"
else
    # The hook repository as a user's pre-commit would fetch it: our manifest
    # and script, committed, at a fixed rev.
    hr=$work/hookrepo
    git init -q -b main "$hr"
    mkdir -p "$hr/ci"
    cp "$src/.pre-commit-hooks.yaml" "$hr/"
    cp "$src/ci/pre-commit" "$hr/ci/"
    git -C "$hr" add -A && git -C "$hr" commit -qm hooks
    rev=$(git -C "$hr" rev-parse HEAD)

    r=$work/framework
    new_repo "$r"
    printf 'repos:\n  - repo: %s\n    rev: %s\n    hooks:\n      - id: procguard\n' "$hr" "$rev" \
        >"$r/.pre-commit-config.yaml"
    git -C "$r" add .pre-commit-config.yaml && git -C "$r" commit -qm config --no-verify
    export PRE_COMMIT_HOME=$work/pre-commit-home
    if (cd "$r" && pre-commit install >/dev/null); then ok "pre-commit install"; else not_ok "pre-commit install"; fi
    expect_commit "$r" src/bad.c "$bad_c" no "framework hook refuses an unacknowledged /proc literal" \
        'src/bad.c:1:17: error: .*\[proc-unacked\]'
    git -C "$r" reset -q HEAD -- src/bad.c && rm -f "$r/src/bad.c"
    expect_commit "$r" src/linux.c "$good_c" yes "framework hook lets an acknowledged, allowlisted literal through"
    expect_commit "$r" tool.py 'open("/proc/self/status")\n' no "framework hook checks Python" '\[proc-unacked\]'
    git -C "$r" reset -q HEAD -- tool.py && rm -f "$r/tool.py"
    expect_commit "$r" tools/probe "#!/usr/bin/env python3\nopen('/proc/uptime')\n" no \
        "framework hook checks an extensionless Python script (not executable)" 'tools/probe:2:6: error: .*\[proc-unacked\]'
    git -C "$r" reset -q HEAD -- tools/probe && rm -f "$r/tools/probe"

    r=$work/fwconfigured
    configured_repo "$r"
    printf 'repos:\n  - repo: %s\n    rev: %s\n    hooks:\n      - id: procguard\n' "$hr" "$rev" \
        >"$r/.pre-commit-config.yaml"
    git -C "$r" add -A && git -C "$r" commit -qm config --no-verify
    (cd "$r" && pre-commit install >/dev/null)
    expect_commit "$r" src/linux.c "$cfg_good" yes "framework hook: .procguard's allowlist and keyword are honoured"
    expect_commit "$r" src/bad.c "$good_c" no "framework hook: a portability: ack no longer acknowledges" '\[proc-unacked\]'

    # A Python-only project (the README's recipe): no C, no build, no
    # compile database; an allowlist and the framework hook.
    r=$work/pyonly
    git init -q -b main "$r"
    mkdir -p "$r/allowlist" "$r/runner"
    printf 'runner/linux.py   engine start times come from /proc on Linux\n' >"$r/allowlist/proc.allow"
    printf 'import os\n' >"$r/runner/main.py"
    printf 'repos:\n  - repo: %s\n    rev: %s\n    hooks:\n      - id: procguard\n' "$hr" "$rev" \
        >"$r/.pre-commit-config.yaml"
    git -C "$r" add -A && git -C "$r" commit -qm init --no-verify
    if (cd "$r" && pre-commit install >/dev/null); then ok "python-only: pre-commit install"; else not_ok "python-only: pre-commit install"; fi
    expect_commit "$r" runner/probe.py 'from pathlib import Path\nstat = Path("/proc") / "self" / "stat"\n' no \
        "python-only: an unacknowledged Path(\"/proc\") is refused" 'runner/probe.py:2:13: error: .*\[proc-unacked\]'
    git -C "$r" reset -q HEAD -- runner/probe.py && rm -f "$r/runner/probe.py"
    expect_commit "$r" runner/linux.py 'STAT = "/proc/%%d/stat"  # portability: engine start time, Linux only\n' yes \
        "python-only: an acknowledged, allowlisted literal goes through"
    expect_commit "$r" runner/other.py 'STAT = "/proc/%%d/stat"  # portability: engine start time, Linux only\n' no \
        "python-only: an acknowledged literal outside the allowlist is refused" '\[proc-not-allowlisted\]'
fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
