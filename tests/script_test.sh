# Sourced by the shell tests (`. "$(dirname "$0")/script_test.sh" "$@"`):
# their arguments MEMCONFORM_BINARY SOURCE_DIR as $mc and $src, a temporary
# folder $tmp removed on exit, the source folder as the current one, and
# fail(), which prints a failure and counts it in $failures.
set -uo pipefail
mc=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$src" || exit 2
failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
