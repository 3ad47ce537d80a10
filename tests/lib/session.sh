# session.sh: helpers for the e2e tests that start isolab sessions beside
# each other (test_faults.sh, test_cleanup.sh, test_freeze.sh,
# test_signal_matrix.sh). Source it after tap.sh (and dockerd.sh for
# private_engine_setup); set ISOLAB and tmp first (private_engine_setup
# makes tmp itself).
#   private_engine_setup   the start of a test that runs isolab beside a live
#                          session on a private dockerd it holds or freezes
#                          (test_freeze.sh, test_signal_matrix.sh): skips
#                          without root, dockerd, jq or $ISOLAB; makes tmp,
#                          bgpids and the scratch bases under tmp; on EXIT
#                          kills bgpids, stops that dockerd (frozen or not)
#                          and removes tmp; starts it with the lab image
#                          (ISOLAB_TEST_IMAGE) and writes engine_wrapper to
#                          $engine
#   hold_live LAB          hold_session LAB live, or fail the test: sets
#                          live_sid, live_scratch and live_w (its witness)
#   hold_session LAB STEP  a held `isolab __session-demo` in the background:
#                          sets hold_pid, line (its JSON line), hold_err and
#                          appends the pid to bgpids; returns 1 when it
#                          printed nothing
#   live_whole SID SCRATCH WITNESS  that session is untouched: its two
#                          containers, its canary, its disk dir, its witness
#   session_gone SID       nothing of SID left: no labelled container, no
#                          scratch dir, no disk dir, no witness
#   engine_wrapper PATH    writes an engine (for --engine) that runs docker,
#                          except that the first call whose subcommand is
#                          $HOLD_AT (the $HOLD_NTH-th, 1 unless set) writes
#                          its pid to $HOLD_MARK and stops itself (SIGSTOP)
#                          before it runs; HOLD_AT=exec-done:
#                          the first docker exec runs, then stops isolab
#                          (its parent) before it exits
hold_session() {
	local out=$tmp/hold-$RANDOM.out
	"$ISOLAB" __session-demo --lab "$1" --step "$2" --hold >"$out" 2>"$out.err" &
	hold_pid=$!
	bgpids+=("$hold_pid")
	line=
	for _ in $(seq 600); do
		[ -s "$out" ] && { line=$(head -n 1 "$out"); break; }
		kill -0 "$hold_pid" 2>/dev/null || break
		sleep 0.1
	done
	hold_err=$out.err
	[ -n "$line" ]
}

live_whole() {
	local sid=$1 scratch=$2 witness=$3
	[ -s "$scratch/canary" ] && [ -s "${ISOLAB_DISK_BASE:-/var/lib/isolab}/$sid/owner" ] &&
		kill -0 "$witness" 2>/dev/null &&
		[ "$(labelled_left "isolab.session=$sid")" = 2 ]
}

session_gone() {
	local sid=$1 w
	[ -n "$sid" ] || return 1
	[ "$(labelled_left "isolab.session=$sid")" = 0 ] || return 1
	[ ! -e "${ISOLAB_SCRATCH_BASE:-/run/isolab}/$sid" ] || return 1
	[ ! -e "${ISOLAB_DISK_BASE:-/var/lib/isolab}/$sid" ] || return 1
	for w in $(pgrep -x isolab-witness); do
		tr '\0' '\n' 2>/dev/null <"/proc/$w/environ" | grep -qx "ISOLAB_SESSION=$sid" && return 1
	done
	return 0
}

engine_wrapper() {
	cat >"$1" <<'WRAP'
#!/bin/bash
# An engine for isolab's tests: docker, held once at $HOLD_AT.
if [ "$HOLD_AT" = exec-done ] && [ "$1" = exec ] && mkdir "$HOLD_MARK.d" 2>/dev/null; then
	docker "$@"
	rc=$?
	kill -STOP "$PPID"
	echo "$PPID" >"$HOLD_MARK"
	exit $rc
fi
if [ -n "$HOLD_AT" ] && [ "$1" = "$HOLD_AT" ]; then
	# The HOLD_NTH-th such call (1 unless said) holds; mkdir counts them.
	i=1
	until mkdir "$HOLD_MARK.c$i" 2>/dev/null; do i=$((i + 1)); done
	if [ "$i" = "${HOLD_NTH:-1}" ]; then
		echo $$ >"$HOLD_MARK"
		kill -STOP $$
	fi
fi
exec docker "$@"
WRAP
	chmod +x "$1"
}

private_engine_setup() {
	[ "$(id -u)" = 0 ] || cannot_run "needs root"
	command -v dockerd >/dev/null || cannot_run "no dockerd"
	command -v jq >/dev/null || cannot_run "needs jq"
	[ -x "$ISOLAB" ] || cannot_run "no isolab binary at $ISOLAB"
	tmp=$(mktemp -d)
	bgpids=()
	trap _private_engine_finish EXIT
	trap 'exit 130' INT TERM HUP
	export ISOLAB_SCRATCH_BASE=$tmp/run ISOLAB_DISK_BASE=$tmp/disk ISOLAB_ISOLATED_VM=1
	dockerd_start || cannot_run "a private dockerd did not start"
	ISOLAB_TEST_IMAGE=$(dockerd_image) || cannot_run "the lab image could not be built"
	export ISOLAB_TEST_IMAGE
	engine=$tmp/engine
	engine_wrapper "$engine"
}

_private_engine_finish() {
	local p
	for p in "${bgpids[@]}"; do kill -KILL "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
	dockerd_stop # thaws it first, should the test have left it stopped
	rm -rf --one-file-system "$tmp"
}

hold_live() {
	hold_session "$1" live || { not_ok "a live session starts ($(cat "$hold_err"))"; tap_done; exit 1; }
	live_sid=$(jget "$line" session) live_scratch=$(jget "$line" scratch) live_w=$(jget "$line" witness)
}
