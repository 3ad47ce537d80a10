#!/usr/bin/env bash
# test_faults.sh: faults of issue 11 (sections 3 and 4) that end with a clear
# word and a documented exit: a FIFO given as a lab, targets that would be
# docker options, a terminal terminfo cannot drive, output to a full disk,
# and `isolab cleanup` beside a live session (it is left whole) and an
# ownerless labelled container (the next start sweeps it). The sessions run
# under their own scratch bases (ISOLAB_SCRATCH_BASE, ISOLAB_DISK_BASE), so
# nothing of another session on this machine is touched; point DOCKER_HOST
# at a private engine. Needs root and an engine.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/session.sh

ISOLAB=${ISOLAB:-./isolab}
e2e_require

tmp=$(mktemp -d)
export ISOLAB_SCRATCH_BASE=$tmp/run ISOLAB_DISK_BASE=$tmp/disk ISOLAB_ISOLATED_VM=1
bgpids=()
cleanup() {
	local p ids
	for p in "${bgpids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	ids=$(docker ps -aq --filter label=isolab.lab=faults-test 2>/dev/null)
	[ -n "$ids" ] && docker rm -f $ids >/dev/null 2>&1
	rm -rf --one-file-system "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# runs NAME SECONDS WANT CMD...: CMD ends within SECONDS with status WANT.
runs() {
	local name=$1 secs=$2 want=$3 rc
	shift 3
	timeout -s KILL "$secs" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	check "$name: exit $want (got $rc)" [ "$rc" = "$want" ]
}

# --- a FIFO is no lab, and opening it never hangs --------------------------------
mkfifo "$tmp/lab.yaml"
runs "check-labs on a FIFO" 10 2 "$ISOLAB" check-labs "$tmp/lab.yaml"
check "check-labs says it is not a regular file" grep -q "not a regular file" "$tmp/out" "$tmp/err"
runs "run on a FIFO" 10 2 "$ISOLAB" run "$tmp/lab.yaml" </dev/null
check "run says it is not a regular file" grep -q "not a regular file" "$tmp/err"

# --- a target is never a docker option ------------------------------------------------
runs "inspect -- -f x" 10 2 "$ISOLAB" inspect -- -f '{{.Id}}' x
check "it says '-f' is not a target" grep -q "'-f' is not a target" "$tmp/err"
runs "inspect ../.." 10 2 "$ISOLAB" inspect ../..
runs "inspect ''" 10 2 "$ISOLAB" inspect ''
runs "diff -- -f x" 10 2 "$ISOLAB" diff -- -f x

# --- a terminal terminfo cannot drive --------------------------------------------------
if command -v script >/dev/null; then
	for t in dumb no-such-terminal-xyz; do
		out=$(TERM=$t timeout -s KILL 10 script -qec "$ISOLAB; echo rc=\$?" /dev/null </dev/null 2>&1)
		check "TERM=$t: exit 2" grep -q 'rc=2' <<<"$out"
		check "TERM=$t: it points at isolab run" grep -q 'isolab run' <<<"$out"
	done
else
	diag "no script(1): the TERM cases are not tested"
fi

# --- output to a full disk: exit 4, a word on stderr -----------------------------------
for cmd in doctor audit cleanup labs; do
	timeout -s KILL 60 "$ISOLAB" $cmd >/dev/full 2>"$tmp/err"
	rc=$?
	check "$cmd > /dev/full: exit 4 (got $rc)" [ "$rc" = 4 ]
	check "$cmd > /dev/full: says it on stderr" grep -q "cannot write the output" "$tmp/err"
done

# --- an engine that prints garbage, or never answers: cleanup says so, exit 3 --------
printf '#!/bin/sh\necho "not json {{{"\n' >"$tmp/garbage"
printf '#!/bin/sh\nexec sleep 3600\n' >"$tmp/hang"
chmod +x "$tmp/garbage" "$tmp/hang"
runs "cleanup, a garbage engine" 30 3 "$ISOLAB" --engine "$tmp/garbage" cleanup
check "it prints the engine's error" grep -q "containers not checked: .*not JSON" "$tmp/err"
runs "cleanup, an engine that never answers" 40 3 "$ISOLAB" --engine "$tmp/hang" cleanup
check "it says the engine does not answer" grep -q "the engine does not answer" "$tmp/err"

# --- isolab labs says when it sets a corrupt progress file aside ---------------------
mkdir -p "$tmp/state/isolab"
echo '{garbage' >"$tmp/state/isolab/progress.json"
runs "labs with a corrupt progress file" 20 0 env XDG_STATE_HOME="$tmp/state" "$ISOLAB" labs
check "it says the file was set aside" grep -q "set aside as" "$tmp/err"

# --- the image, for the cases with containers ----------------------------------------
if [ -z "${ISOLAB_TEST_IMAGE:-}" ]; then
	ISOLAB_TEST_IMAGE=$(e2e_image) || cannot_run "the lab image could not be built (isolab __image build)"
fi
export ISOLAB_TEST_IMAGE

lab=$(ls labs/*.yaml | head -n 1)
lab_id=$(basename "$lab" .yaml)
step=$(awk '/^  - id:/ {print $3; exit}' "$lab")
timeout -s KILL 120 "$ISOLAB" run "$lab_id" --step "$step" >/dev/full 2>"$tmp/err" </dev/null
rc=$?
check "run > /dev/full: exit 4 (got $rc)" [ "$rc" = 4 ]
check "run > /dev/full: says it on stderr" grep -q "cannot write the output" "$tmp/err"

# --- doctor checks the scratch dirs as run does -----------------------------------------
mkdir -p "$tmp/foreign/run"
chown 65534 "$tmp/foreign/run"
runs "doctor, a scratch base of another uid" 120 4 env ISOLAB_SCRATCH_BASE="$tmp/foreign/run" \
	"$ISOLAB" doctor
check "doctor names its owner" grep -q "foreign/run must belong to uid 0 .*uid 65534" "$tmp/out"
runs "and run refuses it the same way" 120 4 env ISOLAB_SCRATCH_BASE="$tmp/foreign/run" \
	"$ISOLAB" run "$lab_id" --step "$step"

# --- a system call that fails is exit 4 (DESIGN.md), never 1 -------------------------
touch "$tmp/file"
runs "run with a scratch base under a file" 120 4 env ISOLAB_SCRATCH_BASE="$tmp/file/run" \
	"$ISOLAB" run "$lab_id" --step "$step"
check "it says what it could not create" grep -q "cannot create $tmp/file/run" "$tmp/err"

# --- cleanup beside a live session: it is left whole ------------------------------------
out=$tmp/hold.out
if hold_session faults-test live; then
	sid=$(jget "$line" session)
	scratch=$(jget "$line" scratch)
	witness=$(jget "$line" witness)
	text=$("$ISOLAB" cleanup 2>"$tmp/err")
	rc=$?
	check "cleanup beside a live session: exit 0 (got $rc)" [ "$rc" = 0 ]
	check "it names the live session as left" grep -q "^left session $sid" <<<"$text"
	check "the live scratch dir and its canary stay" [ -s "$scratch/canary" ]
	check "the live disk dir stays" [ -s "$ISOLAB_DISK_BASE/$sid/owner" ]
	check "the live witness runs" kill -0 "$witness"
	check "the live containers stay (2)" [ "$(labelled_left "isolab.session=$sid")" = 2 ]
	# Ownerless and labelled, like the docker-socket step's sibling.
	docker run -d --pull=never --network none --label isolab.session=eeeeeeeeeee1 \
		--label isolab.lab=faults-test "$ISOLAB_TEST_IMAGE" /bin/sleep 3600 >/dev/null
	kill -KILL "$hold_pid"
	wait "$hold_pid" 2>/dev/null
	"$ISOLAB" __session-demo --lab faults-test --step next >"$out" 2>"$out.err"
	line=$(head -n 1 "$out")
	check "the next start sweeps the dead session's containers" \
		[ "$(labelled_left "isolab.session=$sid")" = 0 ]
	check "and the ownerless labelled container" \
		[ "$(labelled_left "isolab.session=eeeeeeeeeee1")" = 0 ]
	check "and the dead session's scratch dir" [ ! -e "$scratch" ]
	check "and its disk dir" [ ! -e "$ISOLAB_DISK_BASE/$sid" ]
	text=$("$ISOLAB" cleanup --force 2>&1)
	check "cleanup --force: nothing left" [ "$(labelled_left isolab.lab=faults-test)" = 0 ]
else
	not_ok "a held session starts ($(cat "$hold_err"))"
fi

tap_done
