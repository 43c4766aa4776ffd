#!/usr/bin/env bash
# The zsh completion loads the way zsh loads it: the file parses, and
# compinit with the directory on fpath binds both procid and procguard to
# _procid (its #compdef line). The candidates themselves are driven only in
# bash (bash.sh); zsh's widgets need a terminal.
#
#   zsh.sh COMPLETION_FILE
#
# Exits 77 (skipped) when zsh is not installed (ci/deps.sh shell).
set -euo pipefail
file=$(realpath "$1")
if ! command -v zsh >/dev/null; then
    echo "zsh.sh: SKIP: zsh not installed (ci/deps.sh shell)"
    exit 77
fi
zsh -n "$file"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$file" "$work/_procid"
got=$(ZDOTDIR=$work zsh -f -c '
    fpath=("$1" $fpath)
    autoload -Uz compinit && compinit -u -d "$1/.zcompdump"
    print -r -- "procid=${_comps[procid]} procguard=${_comps[procguard]}"
' _ "$work")
echo "$got"
[ "$got" = "procid=_procid procguard=_procid" ] ||
    { echo "zsh.sh: compinit did not bind procid and procguard to _procid" >&2; exit 1; }
echo "zsh completion: ok"
