#!/usr/bin/env bash
# Drive the zsh completion of procid and procguard as a user does: an
# interactive zsh in a pseudo-terminal (zsh/zpty) with the file on fpath and
# compinit run, a line typed, TAB pressed; every candidate the completion
# system is given (compadd, wrapped) is recorded and compared with what must
# be offered. Also: the file parses, and compinit binds both commands to
# _procid (its #compdef line).
#
#   zsh.sh COMPLETION_FILE
#
# Exits 77 (skipped) when zsh or its zsh/zpty module is missing
# (ci/deps.sh shell).
set -uo pipefail
file=$(realpath "$1")
if ! command -v zsh >/dev/null || ! zsh -fc 'zmodload zsh/zpty' 2>/dev/null; then
    echo "zsh.sh: SKIP: zsh with zsh/zpty not installed (ci/deps.sh shell)"
    exit 77
fi
zsh -n "$file" || { echo "zsh.sh: $file does not parse" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/fpath" "$work/run"
cp "$file" "$work/fpath/_procid"
touch "$work/run/food.pid" "$work/run/bard.pid"

got=$(ZDOTDIR=$work zsh -f -c '
    fpath=("$1" $fpath)
    autoload -Uz compinit && compinit -u -d "$1/.zcompdump"
    print -r -- "procid=${_comps[procid]} procguard=${_comps[procguard]}"
' _ "$work/fpath")
[ "$got" = "procid=_procid procguard=_procid" ] ||
    { echo "zsh.sh: compinit did not bind procid and procguard to _procid: $got" >&2; exit 1; }
echo "ok: compinit binds $got"

# complete LINE: the candidates zsh's completion offers for LINE + TAB.
n=0
complete_line() { # (called in $(...): the caller numbers the out files)
    local out=$work/out.$2
    (cd "$work" && ZDOTDIR=$work zsh -f -c '
        zmodload zsh/zpty
        zpty z "zsh -f -i"
        zpty -w z "PS1= RPS1=; fpath=($1 \$fpath); autoload -Uz compinit; compinit -u -d $1/.zcompdump"
        zpty -w z "zstyle \":completion:*\" list-prompt \"\"; LISTMAX=10000"
        # every candidate handed to compadd goes to the out file as well
        zpty -w z "compprefuncs=(_zc_pre); _zc_pre() { compadd() { local -a _zc; builtin compadd -O _zc \"\$@\"; print -rl -- \$_zc >> $2; builtin compadd \"\$@\"; } }"
        zpty -n -w z "$3"$'"'"'\t'"'"'
        # wait for the candidates: the file appears and stops growing
        for i in {1..100}; do
            [[ -s $2 ]] && { sleep 0.5; break; }
            sleep 0.1
        done
        zpty -d z
    ' _ "$work/fpath" "$out" "$1") >/dev/null 2>&1
    [ -f "$out" ] && grep -v '^$' "$out" | sort -u
}

failed=0
expect() {
    local line=$1 got w bad=0
    shift
    n=$((n + 1))
    got=$(complete_line "$line" $n)
    for w in "$@"; do
        if [[ $w == !* ]]; then
            if grep -qxF -- "${w#!}" <<<"$got"; then
                echo "FAIL: '$line' offers '${w#!}'; got: $(echo $got)"
                bad=1
            fi
        elif ! grep -qxF -- "$w" <<<"$got"; then
            echo "FAIL: '$line' does not offer '$w'; got: $(echo $got)"
            bad=1
        fi
    done
    [ $bad = 0 ] || { failed=1; return; }
    echo "ok: '$line' -> $(echo $got | cut -c1-70)"
}

expect 'procid ' id write status stop signal start exec
expect 'procid st' status stop start '!write'
expect 'procid stop --' --signal --retry --remove --allow-unverified --allow-weaker --insecure --quiet --owner
expect 'procid status --' --quiet --insecure --owner '!--signal'
expect 'procid start --' --background --chuid --chdir --umask --output --exclusive
expect 'procid stop --signal W' WINCH '!TERM'
expect 'procid stop --signal ' TERM KILL HUP USR1
expect 'procid stop -s K' KILL '!TERM'
expect 'procid status run/' food.pid bard.pid
expect 'procguard --format=' text json sarif
expect 'procguard --fo' --format
exit $failed
