#!/usr/bin/env bash
# The man pages render without a warning from either Debian renderer:
# mandoc -T lint (warnings and above) and man-db/groff (man --warnings).
#
#   lint.sh PAGE...
#
# Exits 77 (skipped) when neither mandoc nor man is installed
# (ci/deps.sh docs); fails when one is present and complains.
set -euo pipefail
have=0 failed=0
for page in "$@"; do
    if command -v mandoc >/dev/null; then
        have=1
        if ! out=$(mandoc -T lint -W warning "$page" 2>&1) || [ -n "$out" ]; then
            echo "$out"
            echo "FAIL: mandoc -T lint: $page"
            failed=1
        fi
    fi
    if command -v man >/dev/null && command -v groff >/dev/null; then
        have=1
        out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null || true)
        if [ -n "$out" ]; then
            echo "$out"
            echo "FAIL: man --warnings: $page"
            failed=1
        fi
        # and it renders: the NAME section is there
        LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$page" 2>/dev/null | grep -q '^NAME' ||
            { echo "FAIL: man -l $page renders no NAME section"; failed=1; }
    fi
    [ $failed = 1 ] || echo "ok: $page"
done
if [ $have = 0 ]; then
    echo "lint.sh: SKIP: neither mandoc nor man with groff is installed (ci/deps.sh docs)"
    exit 77
fi
exit $failed
