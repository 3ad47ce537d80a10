#!/usr/bin/env bash
# test_interrupt.sh: `isolab run` stopped in the middle of a step by
# SIGTERM, SIGHUP or SIGINT leaves no container, no scratch dir and no
# witness, and exits with the signal's status; killed with SIGKILL it
# cannot clean up, and the next run sweeps what it left.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
ISOLAB=${ISOLAB:-./isolab}
e2e_require
export ISOLAB_ISOLATED_VM=1 ISOLAB_LABS=labs
# Job control, so that background jobs do not start with SIGINT ignored.
set -m

# session_of PID: wait until the run PID has started a container, print
# its session id.
session_of() {
	local pid=$1 sid=
	for _ in $(seq 200); do
		sid=$(docker ps --filter label=isolab.lab=capabilities \
			--format '{{.Label "isolab.session"}} {{.Label "isolab.owner"}}' |
			awk -v p="$pid" 'index($2, p ":") == 1 {print $1; exit}')
		[ -n "$sid" ] && break
		sleep 0.05
	done
	echo "$sid"
}

gone() { # gone SESSION: nothing of it left
	local sid=$1 w
	[ "$(labelled_left "isolab.session=$sid")" = 0 ] || return 1
	[ ! -e "/run/isolab/$sid" ] || return 1
	for w in $(pgrep -x isolab-witness); do
		tr '\0' '\n' <"/proc/$w/environ" 2>/dev/null | grep -qx "ISOLAB_SESSION=$sid" && return 1
	done
	return 0
}

for sig in TERM HUP INT; do
	(signals_default $ISOLAB run capabilities) >/dev/null 2>&1 &
	pid=$!
	sid=$(session_of $pid)
	check "SIG$sig: the run had started a container" [ -n "$sid" ]
	kill -s "$sig" "$pid"
	wait "$pid"; rc=$?
	check "SIG$sig: exit status is the signal's (got $rc)" [ $rc -eq $((128 + $(kill -l "$sig"))) ]
	check "SIG$sig: no container, scratch dir or witness left" gone "$sid"
done

(signals_default $ISOLAB run capabilities) >/dev/null 2>&1 &
pid=$!
sid=$(session_of $pid)
kill -KILL "$pid"; wait "$pid" 2>/dev/null
check "SIGKILL: its containers are left behind" [ "$(labelled_left "isolab.session=$sid")" -ge 1 ]
$ISOLAB run --step default-set capabilities >/dev/null 2>&1
check "the next run exits 0" [ $? -eq 0 ]
check "and has swept the orphan's containers and scratch dir" gone "$sid"
tap_done
