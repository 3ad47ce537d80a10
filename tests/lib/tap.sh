# tap.sh: TAP output for shell tests, counted by tests/run like cmocka's.
# Source it, call ok/not_ok/check, and finish with tap_done.
_tap_n=0
_tap_failed=0

ok() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $*"; }
not_ok() { _tap_n=$((_tap_n + 1)); _tap_failed=$((_tap_failed + 1)); echo "not ok $_tap_n - $*"; }
# check NAME COMMAND...: ok when COMMAND succeeds.
check() { local name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name"; fi; }
diag() { echo "# $*"; }
# jq_true FILTER FILE: the filter's answer is true (for check: its output
# goes nowhere, the check's own line still does).
jq_true() { jq -e "$@" >/dev/null; }
# signals_default CMD...: run CMD with SIGHUP, SIGINT and SIGTERM at their
# defaults. A test that signals what it started must not depend on how it
# was itself started: a job of a shell without job control inherits SIGINT
# ignored, nohup SIGHUP, and isolab keeps a signal ignored on entry ignored.
signals_default() { exec env --default-signal=HUP,INT,TERM "$@"; }
tap_done() { echo "1..$_tap_n"; [ "$_tap_failed" -eq 0 ]; }

# cannot_run WHY: this program cannot run here. Under CI that is a
# failure; elsewhere it skips, and says so.
cannot_run() {
	if [ "${CI:-}" = true ]; then
		not_ok "cannot run: $1"
		tap_done
		exit 1
	fi
	echo "# SKIP $1"
	echo "1..0 # SKIP $1"
	exit 0
}

# e2e_require: root, an answering engine (started with scripts/dockerd when
# none answers), jq and the binary, or cannot_run.
e2e_require() {
	[ "$(id -u)" = 0 ] || cannot_run "needs root"
	docker info >/dev/null 2>&1 || scripts/dockerd >/dev/null 2>&1
	docker info >/dev/null 2>&1 || cannot_run "no Docker engine answers (scripts/dockerd could not start one)"
	command -v jq >/dev/null || cannot_run "needs jq to read JSON"
	[ -x "${ISOLAB:-./isolab}" ] || cannot_run "no isolab binary at ${ISOLAB:-./isolab} (run make, or set ISOLAB)"
}

# labelled_left LABEL: how many containers carry LABEL (key or key=value).
labelled_left() { docker ps -aq --filter "label=$1" | wc -l; }

# e2e_image: the lab image, built by isolab itself when it is missing.
e2e_image() {
	local isolab=${ISOLAB:-./isolab} ref
	ref=isolab-lab:$("$isolab" --version | awk '{print $2}')
	docker image inspect "$ref" >/dev/null 2>&1 || "$isolab" __image build >/dev/null 2>&1 || return 1
	echo "$ref"
}

# jget JSON PATH: a field ("a.b"), arrays joined by spaces, null as empty.
jget() {
	jq -r --arg p "$2" 'getpath($p | split(".")) |
		if . == null then "" elif type == "array" then map(tostring) | join(" ")
		else tostring end' <<<"$1"
}
