# tap.sh: TAP output for shell tests, counted by tests/run like cmocka's.
# Source it, call ok/not_ok/check, and finish with tap_done.
_tap_n=0
_tap_failed=0

ok() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $*"; }
not_ok() { _tap_n=$((_tap_n + 1)); _tap_failed=$((_tap_failed + 1)); echo "not ok $_tap_n - $*"; }
# check NAME COMMAND...: ok when COMMAND succeeds.
check() { local name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name"; fi; }
diag() { echo "# $*"; }
tap_done() { echo "1..$_tap_n"; [ "$_tap_failed" -eq 0 ]; }
