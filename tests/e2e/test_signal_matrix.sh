#!/usr/bin/env bash
# test_signal_matrix.sh: a signal (INT, TERM, HUP, KILL) at each phase of a
# step of `isolab run` (issue 11, section 5), on a private dockerd: starting
# the containers (docker run), reading them (docker inspect), an action
# running (docker exec), between the last action and the expectations
# (isolab stopped as that exec ends, the signal sent, isolab continued)
# and the teardown (docker rm). An engine wrapper holds the phase's first
# docker call (tests/lib/session.sh). After INT, TERM and HUP the run exits
# 128+N and nothing of its session is left (container, volume, scratch dir,
# disk dir, witness); after KILL, `isolab cleanup` leaves nothing of it.
# Then a signal during the start-up sweep of a dead session's leftovers
# (its docker ps held) exits 128+N too. A live session beside it all is
# untouched. Needs root and dockerd.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/dockerd.sh
. tests/lib/session.sh

ISOLAB=${ISOLAB:-$PWD/isolab}
private_engine_setup
# Background jobs keep SIGINT; only after dockerd_start, whose setsid
# would fork away from a process group leader.
set -m
lab=tests/fixtures/labs/signal/slow.yaml

hold_live signal-live

nothing_left() { # nothing_left SID: session_gone, and no volume on the engine
	session_gone "$1" && [ -z "$(docker volume ls -q)" ]
}

# signal_at PHASE SIG: run the lab, hold it at PHASE, send SIG. Sets rc, sid.
signal_at() {
	local phase=$1 sig=$2 at nth=1 pid held
	case $phase in
	start) at=run ;;
	read) at=inspect nth=2 ;; # the start-up sweep inspects the live session first
	action) at=exec ;;
	expect) at=exec-done ;;
	teardown) at=rm ;;
	esac
	rm -rf "$tmp"/mark*
	HOLD_AT=$at HOLD_NTH=$nth HOLD_MARK=$tmp/mark signals_default "$ISOLAB" --engine "$engine" run "$lab" \
		</dev/null >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	for _ in $(seq 300); do [ -s "$tmp/mark" ] && break; sleep 0.05; done
	held=$(cat "$tmp/mark" 2>/dev/null)
	sid=$(ls "$ISOLAB_SCRATCH_BASE" | grep -vx "$live_sid" | head -n 1)
	kill -s "$sig" "$pid"
	# exec-done stopped isolab itself: the signal waits until it goes on.
	[ "$at" = exec-done ] && kill -CONT "$pid"
	wait "$pid"; rc=$?
	# Under job control wait also returns when the job stops (128+SIGSTOP).
	while [ "$rc" = $((128 + $(kill -l STOP))) ]; do
		kill -CONT "$pid" 2>/dev/null
		wait "$pid"; rc=$?
	done
	# SIGKILL: the held call outlives isolab; end it as the daemon's
	# client would be ended (the container it was starting never is).
	[ "$sig" = KILL ] && [ "$at" != exec-done ] && [ -n "$held" ] && kill -KILL "$held" 2>/dev/null
	# The step's other docker runs, started beside the held one, outlive
	# isolab too: a container one of them creates after isolab cleanup
	# looked would be left. Let them end first.
	if [ "$sig" = KILL ] && [ -n "$sid" ]; then
		for _ in $(seq 200); do pgrep -f "isolab\.session=$sid" >/dev/null || break; sleep 0.05; done
	fi
	[ -n "$held" ]
}

for phase in start read action expect teardown; do
	for sig in INT TERM HUP KILL; do
		if ! signal_at "$phase" "$sig"; then
			not_ok "$phase/SIG$sig: the run reached the phase ($(tail -n 2 "$tmp/err"))"
			continue
		fi
		want=$((128 + $(kill -l "$sig")))
		check "$phase/SIG$sig: exit $want (got $rc)" [ "$rc" = "$want" ]
		[ "$rc" = "$want" ] || sed 's/^/# /' "$tmp/err" | tail -n 3
		if [ "$sig" = KILL ]; then
			"$ISOLAB" cleanup >"$tmp/cleanup" 2>&1
			check "$phase/SIGKILL: isolab cleanup exits 0" [ $? = 0 ]
		fi
		check "$phase/SIG$sig: no container, volume, scratch dir, disk dir or witness of the session left" \
			nothing_left "$sid"
		check "$phase/SIG$sig: the live session is untouched" \
			live_whole "$live_sid" "$live_scratch" "$live_w"
	done
done

# --- a signal during the start-up sweep ----------------------------------------
# A dead session's leftovers: its dir (an owner that is no process) and a
# labelled container. The sweep's docker ps is held; the signal ends the run.
dead=deadbeef0001
for sig in INT TERM HUP; do
	mkdir -p -m 0700 "$ISOLAB_SCRATCH_BASE/$dead"
	echo 1:1 >"$ISOLAB_SCRATCH_BASE/$dead/owner"
	docker run -d --pull=never --network none --label isolab.session=$dead --label isolab.lab=signal-dead \
		--label isolab.owner=1:1 "$ISOLAB_TEST_IMAGE" /bin/sleep 3600 >/dev/null
	rm -rf "$tmp"/mark*
	HOLD_AT=ps HOLD_MARK=$tmp/mark signals_default "$ISOLAB" --engine "$engine" run "$lab" </dev/null >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	for _ in $(seq 300); do [ -s "$tmp/mark" ] && break; sleep 0.05; done
	check "sweep/SIG$sig: the run is held in its start-up sweep (no session dir of its own yet)" \
		[ -s "$tmp/mark" -a "$(ls "$ISOLAB_SCRATCH_BASE" | grep -vx "$live_sid" | grep -vx $dead | wc -l)" = 0 ]
	kill -s "$sig" "$pid"
	wait "$pid"; rc=$?
	want=$((128 + $(kill -l "$sig")))
	check "sweep/SIG$sig: exit $want, the signal's own (got $rc)" [ "$rc" = "$want" ]
	[ "$rc" = "$want" ] || sed 's/^/# /' "$tmp/err" | tail -n 3
	check "sweep/SIG$sig: it made no session dir" \
		[ "$(ls "$ISOLAB_SCRATCH_BASE" | grep -vx "$live_sid" | grep -vx $dead | wc -l)" = 0 ]
	check "sweep/SIG$sig: the live session is untouched" live_whole "$live_sid" "$live_scratch" "$live_w"
done
"$ISOLAB" cleanup >/dev/null 2>&1
check "cleanup then removes the dead session's leftovers" \
	eval '[ "$(labelled_left isolab.session=$dead)" = 0 ] && [ ! -e "$ISOLAB_SCRATCH_BASE/$dead" ]'
check "the live session is untouched at the end" live_whole "$live_sid" "$live_scratch" "$live_w"
tap_done
