#!/usr/bin/env bash
# install-hook.sh [--force] [REPO] - install procguard as REPO's git
# pre-commit hook (REPO: the current repository). Installed as
# procguard-install-hook.
#
# The hook is a small wrapper that runs the pre-commit script of the procid
# installation whose procguard is on PATH when the hook runs
# (PREFIX/share/procid/ci/pre-commit), else the script this command came
# with (an installation or a procid checkout): updating procid updates the
# hook. Honours core.hooksPath. An existing pre-commit hook that is not ours
# is left alone unless --force is given.
# Uninstall: rm "$(git rev-parse --git-path hooks)/pre-commit".
set -euo pipefail
self=$(readlink -f "$0")
dir=$(dirname "$self")
force=0
case "${1:-}" in
-h|--help) sed -n '2,12p' "$self" | sed 's/^# \{0,1\}//'; exit 0 ;;
--force) force=1; shift ;;
esac
# the pre-commit script beside this one: a checkout (ci/), an installed copy
# (share/procid/ci/), or PREFIX/bin/procguard-install-hook
script=""
for c in "$dir/pre-commit" "$dir/../share/procid/ci/pre-commit"; do
    if [ -x "$c" ]; then script=$(readlink -f "$c"); break; fi
done
if [ -z "$script" ]; then
    echo "install-hook: no pre-commit script beside $self" >&2
    exit 2
fi
repo=${1:-.}
cd "$repo"
git rev-parse --git-dir >/dev/null 2>&1 || {
    echo "install-hook: $repo is not a git repository" >&2
    exit 2
}
hooks=$(git rev-parse --git-path hooks)
mkdir -p "$hooks"
hook=$hooks/pre-commit
marker="# installed by procid ci/install-hook.sh"
if [ -e "$hook" ] && ! grep -qF "$marker" "$hook" && [ $force -eq 0 ]; then
    echo "install-hook: $hook exists and is not procguard's; use --force to replace it" >&2
    exit 1
fi
cat >"$hook" <<HOOK
#!/bin/sh
$marker
pg=\$(command -v procguard 2>/dev/null) &&
    s=\$(dirname "\$(readlink -f "\$pg")")/../share/procid/ci/pre-commit &&
    [ -x "\$s" ] && exec "\$s"
exec "$script"
HOOK
chmod +x "$hook"
echo "procguard pre-commit hook installed: $hook (runs $script)"
