#!/usr/bin/env bash
# Drive the bash completion of procid and procguard as bash-completion
# does: COMP_WORDS / COMP_CWORD / COMP_LINE / COMP_POINT set, the completion
# function called, COMPREPLY compared with what a user must be offered.
#
#   bash.sh COMPLETION_FILE
#
# Exits 77 (skipped) when bash-completion is not installed (ci/deps.sh shell).
set -uo pipefail
file=$(realpath "$1")
bc=/usr/share/bash-completion/bash_completion
if [ ! -r "$bc" ]; then
    echo "bash.sh: SKIP: $bc not found (install bash-completion: ci/deps.sh shell)"
    exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/run"
touch "$work/run/food.pid" "$work/run/bard.pid"

# complete LINE: print the candidates offered for LINE (cursor at its end),
# one per line, sorted.
complete_line() {
    bash --norc --noprofile -c '
        source "$1" || exit 2
        source "$2" || exit 2
        compopt() { :; } # only valid inside a real completion
        line=$3
        read -ra COMP_WORDS <<<"$line"
        [[ $line == *" " ]] && COMP_WORDS+=("")
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        COMP_LINE=$line COMP_POINT=${#line}
        fn=$(complete -p "${COMP_WORDS[0]}" | sed -E "s/.*-F ([^ ]+).*/\1/")
        "$fn" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
        printf "%s\n" "${COMPREPLY[@]}" | sort -u
    ' _ "$bc" "$file" "$1"
}

failed=0
# expect LINE WORD...: every WORD is offered; "!WORD": WORD is not.
expect() {
    local line=$1 got w bad=0
    shift
    if ! got=$(cd "$work" && complete_line "$line"); then
        echo "FAIL: '$line': the completion could not be loaded or run"
        failed=1
        return
    fi
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

expect 'procid ' id write status stop signal start exec --help --version
expect 'procid start --' --background --chuid --chdir --umask --output --exclusive
expect 'procid stop --signal W' WINCH '!TERM'
expect 'procid signal run/food.pid ' HUP USR1 WINCH
expect 'procid status --owner ro' root
expect 'procid write -' --exclusive --quiet
expect 'procid exec --' --exclusive
expect 'procid st' status stop '!write' '!id'
expect 'procid stop --' --signal --retry --remove --allow-unverified --allow-weaker --insecure --quiet --owner
expect 'procid status -' --quiet --insecure --owner '!--signal'
expect 'procid stop --signal ' TERM KILL HUP USR1
expect 'procid stop -s K' KILL '!TERM'
expect 'procid stop --retry ' TERM/30/KILL/5
expect 'procid status run/' run/food.pid run/bard.pid
expect 'procid stop -s TERM run/f' run/food.pid '!run/bard.pid'
expect 'procid id ' "$$"
expect 'procid write run/food.pid ' "$$"
expect 'procid exec run/food.pid -- ech' echo
expect 'procguard --fo' --format=
expect 'procguard --format ' text json sarif
expect 'procguard -p ' run
exit $failed
