#!/usr/bin/env bash
# ci/grammars.sh DIR - fetch procguard's tree-sitter grammars once, for
# offline and package builds.
#
# Puts the pinned grammar tarballs (npm pack, private npm cache) in DIR and
# checks each against its pinned sha512, by running the same code the
# configure step runs (guard/cmake/treesitter.cmake in script mode). Then
# build without network:
#
#   cmake -S . -B build -DPG_GRAMMAR_DIR=DIR
#
# A tarball already in DIR whose hash matches is kept; one that does not match
# is moved aside (*.rejected) and the script fails. Needs cmake and, for a
# tarball not yet in DIR, npm. Exit: 0 all verified, 1 fetch or check failed,
# 64 usage.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

case "${1:-}" in
-h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
"") echo "usage: ci/grammars.sh DIR (see --help)" >&2; exit 64 ;;
esac
[ $# -eq 1 ] || { echo "usage: ci/grammars.sh DIR (see --help)" >&2; exit 64; }
mkdir -p "$1"
cmake -DPG_GRAMMAR_DIR="$1" -P "$here/guard/cmake/treesitter.cmake" || exit 1
