#!/usr/bin/env bash
# test_freeze.sh: a daemon that hangs (SIGSTOP of a private dockerd) in the
# middle of a step of `isolab run` (issue 11, section 4). The run stops at
# the engine's first time-out in each phase (starting the containers,
# reading them, an action, removing them), says once that the engine does
# not answer, lists what may be left and names `isolab cleanup`, and exits
# 3; once the daemon answers again, `isolab cleanup` removes what was left.
# Every other command meets a frozen engine with exit 3 as well (labs never
# asks it: exit 0). The deadlines are cut to 10 % by the test-only
# ISOLAB_ENGINE_TIMEOUT_PERCENT. Needs root and dockerd.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/dockerd.sh
. tests/lib/session.sh

ISOLAB=${ISOLAB:-$PWD/isolab}
export ISOLAB_ENGINE_TIMEOUT_PERCENT=10
private_engine_setup
lab=tests/fixtures/labs/signal/slow.yaml

# A live session beside it all, which nothing here may touch.
hold_live freeze-live

# freeze_at CALL MODE: run the lab (MODE text or json); the engine wrapper
# freezes the daemon at the first docker CALL, and thaws it once the run
# ended. Sets rc, secs, sid.
freeze_at() {
	local call=$1 mode=$2 nth=1 t0
	# The start-up sweep inspects the live session's containers first.
	[ "$call" = inspect ] && nth=2
	rm -rf "$tmp"/mark*
	# The wrapper stops itself at CALL: freeze the daemon, then let it go on.
	HOLD_AT=$call HOLD_NTH=$nth HOLD_MARK=$tmp/mark "$ISOLAB" --engine "$engine" run \
		$([ "$mode" = json ] && echo --json) "$lab" </dev/null >"$tmp/out" 2>"$tmp/err" &
	local pid=$!
	t0=$(date +%s)
	for _ in $(seq 300); do [ -s "$tmp/mark" ] && break; sleep 0.1; done
	sid=$(ls "$ISOLAB_SCRATCH_BASE" | grep -vx "$live_sid" | head -n 1)
	kill -STOP "$(dockerd_pid)"
	kill -CONT "$(cat "$tmp/mark" 2>/dev/null)" 2>/dev/null
	wait "$pid"; rc=$?
	secs=$(($(date +%s) - t0))
	kill -CONT "$(dockerd_pid)"
}

# A deadline at 10 %: run 12 s, exec 6 s (and 1.5 s to see whether the
# engine answers), rm 9 s, quick calls 1.5 s; never every deadline one
# after another.
for case in "run text 20" "inspect json 10" "exec text 15" "rm json 15"; do
	set -- $case
	freeze_at "$1" "$2"
	check "frozen at docker $1 ($2): exit 3 (got $rc)" [ "$rc" = 3 ]
	check "frozen at docker $1: the run stopped within $3 s (took $secs s)" [ "$secs" -le "$3" ]
	check "frozen at docker $1: stderr says once that the engine does not answer" \
		[ "$(grep -c 'the engine does not answer' "$tmp/err")" = 1 ]
	check "frozen at docker $1: it names the session's label and isolab cleanup" \
		grep -q "labelled isolab.session=$sid\. \`isolab cleanup\` removes them once the engine answers again" "$tmp/err"
	check "frozen at docker $1: it names the step's containers" \
		grep -q "isolab-$sid-sleepy-a, isolab-$sid-sleepy-b" "$tmp/err"
	[ "$2" = json ] && check "frozen at docker $1: the JSON says it in error" \
		jq_true '.error | test("the engine does not answer")' "$tmp/out"
	[ "$rc" = 3 ] && [ "$(grep -c 'removes them' "$tmp/err")" = 1 ] || sed 's/^/# /' "$tmp/err" | tail -n 5
	check "frozen at docker $1: the scratch and disk dirs are removed" \
		[ -n "$sid" -a ! -e "$ISOLAB_SCRATCH_BASE/$sid" -a ! -e "$ISOLAB_DISK_BASE/$sid" ]
	# A docker run killed on its deadline may still be creating its
	# container in the daemon once it is thawed: let it settle first.
	sleep 1
	docker ps -q >/dev/null
	out=$("$ISOLAB" cleanup 2>&1); crc=$?
	check "frozen at docker $1: once thawed, isolab cleanup exits 0 (got $crc)" [ "$crc" = 0 ]
	check "frozen at docker $1: and nothing of the session is left" session_gone "$sid"
	check "frozen at docker $1: the live session is untouched" \
		live_whole "$live_sid" "$live_scratch" "$live_w"
done

# --- every command meets a frozen engine with exit 3 --------------------------
docker run -d --pull=never --network none --name frozen-target "$ISOLAB_TEST_IMAGE" /bin/sleep 3600 >/dev/null
kill -STOP "$(dockerd_pid)"
for c in "inspect frozen-target" "diff frozen-target frozen-target" audit "run $lab" \
	"run --json $lab" cleanup doctor "doctor --json"; do
	timeout -s KILL 30 "$ISOLAB" $c </dev/null >"$tmp/out" 2>"$tmp/err"
	rc=$?
	check "frozen engine: isolab $c exits 3 (got $rc)" [ "$rc" = 3 ]
	case $c in doctor*) f=$tmp/out ;; *) f=$tmp/err ;; esac
	check "frozen engine: isolab $c says the engine does not answer" \
		grep -q "the engine does not answer" "$f"
done
timeout -s KILL 30 "$ISOLAB" labs </dev/null >/dev/null 2>&1
rc=$?
check "frozen engine: isolab labs, which never asks the engine, exits 0 (got $rc)" [ "$rc" = 0 ]
kill -CONT "$(dockerd_pid)"
docker rm -f frozen-target >/dev/null
check "the live session is untouched at the end" live_whole "$live_sid" "$live_scratch" "$live_w"
tap_done
