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

# e2e_require: root, an answering engine, jq and the binary, or stop here:
# under CI a missing piece is a failure, elsewhere the program skips.
e2e_require() {
	local why=
	[ "$(id -u)" = 0 ] || why="needs root"
	[ -z "$why" ] && ! docker info >/dev/null 2>&1 && why="no Docker engine answers (scripts/dockerd starts one)"
	[ -z "$why" ] && ! command -v jq >/dev/null && why="needs jq"
	[ -z "$why" ] && [ ! -x "${ISOLAB:-./isolab}" ] && why="no isolab binary at ${ISOLAB:-./isolab}"
	[ -z "$why" ] && return 0
	if [ "${CI:-}" = true ]; then
		not_ok "cannot run: $why"
		tap_done
		exit 1
	fi
	echo "1..0 # SKIP $why"
	exit 0
}

# labelled_left LABEL: how many containers carry LABEL (key or key=value).
labelled_left() { docker ps -aq --filter "label=$1" | wc -l; }
