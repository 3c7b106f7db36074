# tests/shcheck.sh - sourced by the shell tests (install.sh, package.sh) after they set
# CHECK_PREFIX: runs from the top of the tree, gives a scratch dir $d removed on exit,
# and pass/fail lines "PASS PREFIX.NAME" / "FAIL PREFIX.NAME: why"; rc is 1 once any
# check failed, so the script ends with `exit $rc`.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
rc=0
pass() { echo "PASS $CHECK_PREFIX.$1"; }
fail() { echo "FAIL $CHECK_PREFIX.$1: $2"; rc=1; }
