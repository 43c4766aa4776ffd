# bash completion for procid(1) and procguard(1)            -*- shell-script -*-
# Installed as share/bash-completion/completions/procid (and a procguard
# link); bash-completion loads it on first use of either command.

_procid()
{
    local cur prev words cword
    _init_completion -n = || return

    local commands='id write status stop exec'
    local signals='HUP INT QUIT KILL USR1 USR2 ALRM TERM CONT STOP ABRT PIPE'

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

    # after "exec FILE --": the command and its arguments
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
    write) opts='--help' ;;
    status) opts='--quiet --insecure --help' ;;
    stop) opts='--signal --retry --remove --allow-unverified --insecure --quiet --help' ;;
    exec) opts='--help --' ;;
    *) return ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        return
    fi
    # write FILE [PID]: a PID after the file
    if [[ $cmd == write && $((cword - i)) -eq 2 ]]; then
        _pids
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
