#!/usr/bin/env bash
# The Debian packages, as a user gets them: build them with CPack from the
# source tree, check what each holds (dpkg-deb -c, control fields), install
# them on this machine (dpkg -i), use them (procid --version, procguard
# --version, the man pages, the bash completion, the README example built
# against the installed library with pkg-config and CMake), run lintian (no
# errors allowed), then remove them (dpkg --purge: dpkg -r would leave
# libprocid0's postrm registered), leaving the machine as found.
#
#   deb.sh SOURCE_DIR [GRAMMAR_DIR]
#
# GRAMMAR_DIR: verified tree-sitter tarballs (a build's _grammars), so the
# package build needs no network. Exits 77 (skipped) with the reason when not
# root, when a tool is missing (ci/deps.sh package docs), or when one of the
# packages is already installed (it is not ours to replace).
set -euo pipefail
src=$(realpath "$1") grammars=${2:-}
pkgs=(libprocid0 libprocid-dev procid procguard)

skip() { echo "deb.sh: SKIP: $*"; exit 77; }
fail() { echo "deb.sh: FAIL: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || skip "dpkg -i needs root"
for t in dpkg dpkg-deb dpkg-shlibdeps cpack lintian man pkg-config; do
    command -v "$t" >/dev/null || skip "$t not installed (ci/deps.sh base package docs)"
done
for p in "${pkgs[@]}"; do
    if dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^.i'; then
        skip "$p is already installed on this machine; not replacing it"
    fi
done

work=$(mktemp -d)
installed=0
cleanup() {
    if [ $installed = 1 ]; then
        dpkg --purge "${pkgs[@]}" >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

echo "== configure + build (prefix /usr) and cpack -G DEB"
args=(-DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPROCID_BUILD_TESTS=OFF)
[ -z "$grammars" ] || args+=(-DPG_GRAMMAR_DIR="$grammars")
if ! { cmake -S "$src" -B "$work/build" "${args[@]}" &&
    cmake --build "$work/build" -j2 &&
    (cd "$work/build" && cpack -G DEB); } >"$work/build.log" 2>&1; then
    tail -40 "$work/build.log" >&2
    fail "the package build failed (log tail above)"
fi
debs=()
for p in "${pkgs[@]}"; do
    f=$(find "$work/build" -maxdepth 1 -name "${p}_*.deb" -print -quit)
    [ -n "$f" ] || fail "cpack made no $p package"
    debs+=("$f")
    echo "   $(basename "$f")"
done

echo "== contents and control fields"
# package: paths it must hold (regexes over dpkg-deb -c)
declare -A has=(
    [libprocid0]='usr/lib/[^/]*/libprocid\.so\.0[[:space:]]-> usr/lib/[^/]*/libprocid\.so\.0\.[0-9.]*$ usr/share/doc/libprocid0/copyright$'
    [libprocid-dev]='usr/include/procid\.h$ usr/lib/[^/]*/libprocid\.a$ usr/lib/[^/]*/libprocid\.so[[:space:]]-> usr/lib/[^/]*/pkgconfig/procid\.pc$ usr/lib/[^/]*/cmake/procid/procidConfig\.cmake$ usr/share/man/man3/libprocid\.3\.gz$ usr/share/man/man3/procid_signal\.3\.gz[[:space:]]->'
    [procid]='usr/bin/procid$ usr/share/man/man1/procid\.1\.gz$ usr/share/bash-completion/completions/procid$ usr/share/zsh/vendor-completions/_procid$ cmake/procid/procidCliTargets\.cmake$'
    [procguard]='usr/bin/procguard$ usr/share/man/man1/procguard\.1\.gz$ usr/share/bash-completion/completions/procguard$ usr/bin/procguard-install-hook$ usr/share/procid/ci/pre-commit$ usr/share/procid/ci/lint\.sh$ usr/share/procid/ci/install-hook\.sh$ usr/share/procid/ci/procguard\.yml$ cmake/procid/procidGuardTargets\.cmake$'
)
declare -A section=([libprocid0]=libs [libprocid-dev]=libdevel [procid]=utils [procguard]=devel)
declare -A depends=(
    [libprocid0]='libc6'
    [libprocid-dev]='libprocid0 (= '
    [procid]='libprocid0 (= '
    [procguard]='libclang1- libclang-common- libtree-sitter0'
)
for i in "${!pkgs[@]}"; do
    p=${pkgs[$i]} deb=${debs[$i]}
    list=$(dpkg-deb -c "$deb")
    for re in ${has[$p]}; do
        grep -Eq "$re" <<<"$list" || fail "$p does not hold /$re; it holds:
$list"
    done
    # nothing of another package's
    for q in "${pkgs[@]}"; do
        [ "$q" = "$p" ] && continue
        for re in ${has[$q]}; do
            case $re in *copyright*) continue ;; esac
            if grep -Eq "$re" <<<"$list"; then fail "$p also holds $q's /$re"; fi
        done
    done
    [ "$(dpkg-deb -f "$deb" Section)" = "${section[$p]}" ] ||
        fail "$p: Section '$(dpkg-deb -f "$deb" Section)', want ${section[$p]}"
    dep=$(dpkg-deb -f "$deb" Depends)
    for d in ${depends[$p]}; do
        [[ $dep == *"$d"* ]] || fail "$p: Depends '$dep' lacks $d"
    done
    desc=$(dpkg-deb -f "$deb" Description)
    [ "$(wc -l <<<"$desc")" -ge 3 ] || fail "$p: no long description: $desc"
    echo "   $p: ${section[$p]}; Depends: $dep; $(head -1 <<<"$desc")"
done

echo "== lintian"
lintian --allow-root "${debs[@]}" >"$work/lintian.txt" 2>&1 || true
sed 's/^/   /' "$work/lintian.txt"
if grep -q '^E: ' "$work/lintian.txt"; then fail "lintian reports errors (above)"; fi

echo "== dpkg -i"
installed=1
dpkg -i "${debs[@]}" >"$work/install.log" 2>&1 || { cat "$work/install.log" >&2; fail "dpkg -i failed"; }

echo "== use the installed packages"
[ "$(command -v procid)" = /usr/bin/procid ] || fail "procid on PATH is $(command -v procid), not /usr/bin/procid"
procid --version | grep -Eq '^procid [0-9]+\.[0-9]+\.[0-9]+$' || fail "procid --version: $(procid --version)"
/usr/bin/procguard --version | grep -Eq '^procguard [0-9]+\.[0-9]+\.[0-9]+$' || fail "procguard --version"
/usr/bin/procid write "$work/self.pid" $$
/usr/bin/procid status "$work/self.pid" >/dev/null || fail "procid status on a live pidfile"
for page in 'procid' 'procguard' '3 libprocid' '3 procid_check' '3 procid_pidfile_read'; do
    # shellcheck disable=SC2086
    f=$(man -w $page) || fail "man $page: not found"
    # shellcheck disable=SC2086
    LC_ALL=C.UTF-8 MANWIDTH=80 man $page 2>/dev/null | grep -q '^NAME' || fail "man $page does not render"
    echo "   man $page -> $f"
done
# procguard loads libclang (dlopen) from the installed dependencies: a -p run
# on a one-file project with a compile database.
mkdir -p "$work/proj"
printf 'const char *p = "/proc/self/stat";\n' >"$work/proj/a.c"
printf '[{"directory": "%s", "file": "a.c", "command": "cc -c a.c"}]\n' "$work/proj" \
    >"$work/proj/compile_commands.json"
rc=0
(cd "$work/proj" && /usr/bin/procguard -p . a.c) >"$work/pg.txt" 2>&1 || rc=$?
[ $rc = 1 ] && grep -q 'proc-unacked' "$work/pg.txt" ||
    { cat "$work/pg.txt" >&2; fail "installed procguard -p: exit $rc, want 1 with proc-unacked"; }
echo "   procguard -p finds the unacknowledged literal (libclang loaded)"
got=$(bash -c 'source /usr/share/bash-completion/bash_completion
    source /usr/share/bash-completion/completions/procid
    COMP_WORDS=(procid st); COMP_CWORD=1; COMP_LINE="procid st"; COMP_POINT=9
    _procid procid st procid; echo "${COMPREPLY[*]}"')
[ "$got" = "status stop start" ] || fail "installed bash completion: 'procid st' -> '$got'"
echo "   bash completion: procid st -> $got"
# The README example against the installed library, both ways.
cc "$src/tests/install/example.c" $(pkg-config --cflags --libs procid) -o "$work/example_pc"
"$work/example_pc" "$work/pc.pid"
cmake -S "$src/tests/install/cmake_consumer" -B "$work/consumer" >"$work/consumer.log" 2>&1 &&
    cmake --build "$work/consumer" >>"$work/consumer.log" 2>&1 ||
    { cat "$work/consumer.log" >&2; fail "find_package(procid) consumer against /usr"; }
"$work/consumer/example_shared" "$work/shared.pid"
"$work/consumer/example_static" "$work/static.pid"
grep -qx "cli=/usr/bin/procid" "$work/consumer/commands.txt" || fail "procid::cli is not /usr/bin/procid"
echo "   README example: pkg-config and find_package(procid) builds run"

echo "== dpkg --purge"
dpkg --purge "${pkgs[@]}" >"$work/remove.log" 2>&1 || { cat "$work/remove.log" >&2; fail "dpkg --purge failed"; }
installed=0
for p in "${pkgs[@]}"; do
    st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
    case $st in "" | un*) ;; *) fail "$p left in dpkg state '$st'" ;; esac
done
[ ! -e /usr/bin/procid ] && [ ! -e /usr/bin/procguard ] || fail "binaries left after dpkg --purge"
echo "debian packages: ok"
