#!/usr/bin/env bash
# ci/deps.sh GROUP... — make sure the Debian packages a part of the build needs
# are installed. Installs with apt-get when run as root; otherwise prints the
# exact command to run and exits 1. Other systems: prints what is needed.
#
# Groups:
#   base    compiler, CMake, cmocka (libprocid, the CLI, the unit tests)
#   guard   libclang, tree-sitter, node/npm (procguard and its grammars),
#           python3-jsonschema (SARIF output checked against its schema)
#   cross   the MinGW-w64 cross compiler (Windows build check of libprocid)
#   fuzz    clang with libFuzzer and the sanitizer runtimes
#   bench   peers and tools the benchmarks compare against
#   lint    clang-tidy and cppcheck (ci/lint.sh)
#   hooks   the pre-commit framework (the hook tests install it both ways)
#   python  pytest, venv, setuptools, wheel and mypy (the procid Python
#           package: its tests and type check, and an offline pip install
#           into a scratch venv)
#   abi     libabigail's abidw/abidiff (the abi_check test)
#   package dpkg-dev (dpkg-shlibdeps), file (both used by cpack -G DEB) and
#           lintian: the Debian package test
#   docs    mandoc and man-db (the man page lint test)
#   shell   bash-completion and zsh (the completion tests)
set -euo pipefail

pkgs_for() {
    case "$1" in
    base) echo "cmake gcc make pkg-config libcmocka-dev util-linux procps git python3" ;;
    guard) echo "clang libclang-dev libtree-sitter-dev python3-jsonschema" ;;
    cross) echo "gcc-mingw-w64-x86-64" ;;
    fuzz) echo "clang libclang-rt-14-dev valgrind" ;;
    bench) echo "python3-psutil procps gnuplot-nox" ;;
    lint) echo "clang-tidy cppcheck" ;;
    hooks) echo "pre-commit" ;;
    python) echo "python3-pytest python3-venv python3-setuptools python3-wheel python3-mypy" ;;
    abi) echo "abigail-tools" ;;
    package) echo "dpkg-dev lintian file" ;;
    docs) echo "mandoc man-db" ;;
    shell) echo "bash-completion zsh" ;;
    *) echo "ci/deps.sh: unknown group '$1' (base, guard, cross, fuzz, bench, lint, hooks, python, abi, package, docs, shell)" >&2; return 2 ;;
    esac
}

[ $# -gt 0 ] || set -- base
want=()
for g in "$@"; do
    for p in $(pkgs_for "$g"); do want+=("$p"); done
done

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "ci/deps.sh: not a Debian system; make sure these (or your system's equivalents) are installed: ${want[*]}" >&2
    exit 0
fi

missing=()
# npm fetches the tree-sitter grammars; any npm will do (nodesource's nodejs
# bundles it and conflicts with Debian's npm package), so look for the command.
for g in "$@"; do
    if [ "$g" = guard ] && ! command -v npm >/dev/null 2>&1; then missing+=(nodejs npm); fi
done
for p in "${want[@]}"; do
    st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
    case "$st" in ii*) ;; *) missing+=("$p") ;; esac
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "ci/deps.sh: missing packages: ${missing[*]}" >&2
    echo "ci/deps.sh: install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi

echo "ci/deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
