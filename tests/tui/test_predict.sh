#!/usr/bin/env bash
# test_predict.sh: predict, then see. A step's question comes before its
# text (which could give the answer away); the choice first picked is kept
# in the progress file and shown as "answered before" on a later visit; and
# going back to a finished step keeps its results and the learner's answer.
# The runs are replayed (ISOLAB_TUI_REPLAY) from one real run of the lab
# (WALK_REC=DIR: DIR/capabilities.json recorded before).
cd "$(dirname "$0")/../.." || exit 1
. tests/tui/lib.sh
tui_require

rec=$TUI_TMP/rec
mkdir -p "$rec"
progress=$TUI_STATE/isolab/progress.json
out=${WALK_REC:+$WALK_REC/capabilities.json}
if [ -z "$out" ]; then
	out=$TUI_TMP/capabilities.json
	ISOLAB_ISOLATED_VM=1 "$ISOLAB" run --json capabilities >"$out" 2>"$TUI_TMP/err"
fi
for i in $(seq 0 $(($(jq '.steps | length' "$out") - 1))); do
	jq ".steps[$i]" "$out" >"$rec/capabilities.$(jq -r ".steps[$i].step" "$out").json"
done
check "the lab was recorded" test -s "$rec/capabilities.default-set.json"

# row TEXT: the first screen row that holds TEXT (0: none).
row() { screen | grep -nF -- "$1" | head -n1 | cut -d: -f1 | grep . || echo 0; }

tui_start 100 40 ISOLAB_TUI_REPLAY="$rec" ISOLAB_TUI_REPLAY_DELAY_MS=20
wait_for "Labs"
keys 1 Enter
wait_for "The commands this step runs"
q=$(row "Does a container started with plain"); t=$(row "A process running as uid 0")
check "the question ($q) comes before the step's text ($t)" test "$q" -gt 0 -a "$t" -gt "$q"

# A wrong prediction first (1: yes), then the right one (2: no).
keys 1
check "a wrong prediction is said wrong" wait_for "Not yes"
keys 2
check "the right one is said right" wait_for "Right: no"
check "the progress file keeps the first pick" \
	test "$(jq -r '.labs.capabilities.questions["default-set"].first' "$progress")" = yes
keys Enter
check "the step runs (replayed)" wait_for "expectations held" 60

# Away and back: the results and the answer are still there.
keys n
wait_for "Step 2 of"
keys p
check "back on step 1: its last run is still shown" wait_for "Last run:"
check "and the answer given, marked right" wait_re "2\) no +.* right"
keys Tab
check "and its results (Tab)" wait_for "expectations held"
keys q
wait_for "Labs"
keys q
tui_exit_status >/dev/null

# A new launch: "answered before" shows the earlier answer.
tui_start 100 40 ISOLAB_TUI_REPLAY="$rec" ISOLAB_TUI_REPLAY_DELAY_MS=20
wait_for "Labs"
keys 1 Enter
wait_for "Step "
keys g
if ! screen | grep -q "Step 1 of"; then keys p; fi
check "after a restart: answered before, with the first prediction and the answer" \
	wait_for "Answered before: you first predicted yes; the answer is no."
keys q
wait_for "Labs"
keys q
tui_exit_status >/dev/null
tap_done
