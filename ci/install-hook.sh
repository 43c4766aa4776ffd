#!/usr/bin/env bash
# ci/install-hook.sh [--force] [REPO] - install procguard as REPO's git
# pre-commit hook (REPO: the current repository).
#
# The hook is a two-line wrapper that runs this checkout's ci/pre-commit, so
# updating procid updates the hook. Honours core.hooksPath. An existing
# pre-commit hook that is not ours is left alone unless --force is given.
# Uninstall: rm "$(git rev-parse --git-path hooks)/pre-commit".
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
force=0
case "${1:-}" in
-h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
--force) force=1; shift ;;
esac
repo=${1:-.}
cd "$repo"
git rev-parse --git-dir >/dev/null 2>&1 || {
    echo "ci/install-hook.sh: $repo is not a git repository" >&2
    exit 2
}
hooks=$(git rev-parse --git-path hooks)
mkdir -p "$hooks"
hook=$hooks/pre-commit
marker="# installed by procid ci/install-hook.sh"
if [ -e "$hook" ] && ! grep -qF "$marker" "$hook" && [ $force -eq 0 ]; then
    echo "ci/install-hook.sh: $hook exists and is not procguard's; use --force to replace it" >&2
    exit 1
fi
cat >"$hook" <<HOOK
#!/bin/sh
$marker
exec "$here/ci/pre-commit"
HOOK
chmod +x "$hook"
echo "procguard pre-commit hook installed: $hook"
