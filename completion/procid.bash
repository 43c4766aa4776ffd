# bash completion for procid(1) and procguard(1)            -*- shell-script -*-
# Installed as share/bash-completion/completions/procid (and a procguard
# link); bash-completion loads it on first use of either command.

_procid()
{
    local cur prev words cword
    _init_completion -n = || return

    local commands='id write status stop signal start exec'
    # every signal this system names (kill -l), without SIG
    local signals
    signals=$(kill -l 2>/dev/null | tr -s ' \t' '\n' | sed -n 's/^SIG//p')
    [[ -n $signals ]] || signals='HUP INT QUIT KILL USR1 USR2 ALRM TERM CONT STOP WINCH'

    # the command is the first word after procid
    local cmd='' i
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
        -*) ;;
        *) cmd=${words[i]}; break ;;
        esac
    done

    if [[ -z $cmd ]]; then
        COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
        return
    fi

    # after "exec/start ... FILE --": the command and its arguments
    local j
    for ((j = i + 1; j < cword; j++)); do
        if [[ ${words[j]} == -- ]]; then
            _command_offset $((j + 1))
            return
        fi
    done

    case $prev in
    -s | --signal)
        COMPREPLY=($(compgen -W "$signals" -- "${cur#SIG}"))
        return
        ;;
    -u | --owner)
        COMPREPLY=($(compgen -u -- "$cur"))
        return
        ;;
    -c | --chuid)
        COMPREPLY=($(compgen -u -- "$cur"))
        return
        ;;
    -d | --chdir)
        _filedir -d
        return
        ;;
    -o | --output)
        _filedir
        return
        ;;
    -k | --umask)
        COMPREPLY=($(compgen -W '022 027 077' -- "$cur"))
        return
        ;;
    -R | --retry)
        COMPREPLY=($(compgen -W "TERM/30/KILL/5 TERM/10/KILL/5 forever" -- "$cur"))
        return
        ;;
    esac

    local opts
    case $cmd in
    id)
        [[ $cur == -* ]] && { COMPREPLY=($(compgen -W '--help' -- "$cur")); return; }
        _pids
        return
        ;;
    write) opts='--exclusive --quiet --help' ;;
    status) opts='--owner --exec --name --user --quiet --insecure --help' ;;
    stop) opts='--owner --exec --name --user --signal --retry --remove --allow-unverified --allow-weaker --insecure --quiet --help' ;;
    signal) opts='--owner --exec --name --user --allow-unverified --allow-weaker --insecure --quiet --help' ;;
    start) opts='--background --chuid --chdir --umask --output --exclusive --insecure --quiet --help --' ;;
    exec) opts='--exclusive --quiet --help --' ;;
    *) return ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        return
    fi
    # the word after the file: write's PID, signal's SIG
    local args=0 k
    for ((k = i + 1; k < cword; k++)); do
        case ${words[k]} in
        -u | --owner | -s | --signal | -R | --retry | -c | --chuid | -d | --chdir | -k | --umask | -o | --output) ((k++)) ;;
        -*) ;;
        *) ((args++)) ;;
        esac
    done
    if [[ $cmd == write && $args -eq 1 ]]; then
        _pids
        return
    fi
    if [[ $cmd == signal && $args -eq 1 ]]; then
        COMPREPLY=($(compgen -W "$signals" -- "${cur#SIG}"))
        return
    fi
    _filedir
} &&
    complete -F _procid procid

_procguard()
{
    local cur prev words cword split
    _init_completion -s || return

    case $prev in
    -p | --build-dir | --resource-dir)
        _filedir -d
        return
        ;;
    --allowlist | --ignore | --sarif | --baseline | --write-baseline | --config)
        _filedir
        return
        ;;
    --format)
        COMPREPLY=($(compgen -W 'text json sarif' -- "$cur"))
        return
        ;;
    -j | --jobs)
        COMPREPLY=($(compgen -W "$(seq 1 "$(nproc 2>/dev/null || echo 1)")" -- "$cur"))
        return
        ;;
    esac
    $split && return

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W '--build-dir= --allowlist= --ignore= --format=
            --baseline= --write-baseline= --fix --reason= --config= --print-config
            --sarif= --jobs= --resource-dir= --list-rules --help --version' -- "$cur"))
        [[ ${COMPREPLY-} == *= ]] && compopt -o nospace
        return
    fi
    _filedir
} &&
    complete -F _procguard procguard

# ex: filetype=sh
