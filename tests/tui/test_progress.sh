#!/usr/bin/env bash
# test_progress.sh: progress kept across a restart (steps done, resumed at
# the last step), a lab reset from the lab list after a confirmation, and
# a corrupt progress file set aside with a message instead of a crash.
cd "$(dirname "$0")/../.." || exit 1
. tests/tui/lib.sh
tui_require

progress=$TUI_STATE/isolab/progress.json

tui_start 120 40
wait_for "Labs"
check "a fresh start: nothing done" wait_re "Linux capabilities +0/[0-9]+ steps done"
keys 1 Enter
wait_for "The commands this step runs"
TUI_SESSIONS+=("$(tui_session)")
check "the first step runs" run_step
check "and is done" wait_for "Step done"
keys n
check "on to the second step" wait_for "Step 2 of"
keys q
wait_for "Labs"
keys q
check "isolab ends with status 0" test "$(tui_exit_status)" = 0
check "the progress file was written" test -s "$progress"
check "no temporary file was left beside it" \
	test "$(find "$(dirname "$progress")" -name 'progress.json.tmp-*' | wc -l)" -eq 0

tui_start 120 40
wait_for "Labs"
check "after a restart the step is still done" wait_re "Linux capabilities +1/[0-9]+ steps done"
keys 1 Enter
check "the lab resumes at the last step" wait_for "Step 2 of"
TUI_SESSIONS+=("$(tui_session)")
keys q
wait_for "Labs"

keys 1 R
check "R asks before resetting" wait_for "Reset the progress of Linux capabilities?"
keys n
check "n leaves it as it was" wait_for "Nothing changed"
check "still done" wait_re "Linux capabilities +1/[0-9]+ steps done"
keys R
wait_for "Reset the progress"
keys y
check "y resets it" wait_for "reset: it starts again at step 1"
check "nothing done any more" wait_re "Linux capabilities +0/[0-9]+ steps done"
keys 1 Enter
check "the lab starts again at step 1" wait_for "Step 1 of"
keys q
wait_for "Labs"
keys q
tui_exit_status >/dev/null
if command -v jq >/dev/null; then
	check "the reset is saved" test "$(jq -r '.labs.capabilities.done | length' "$progress")" = 0
fi

# A corrupt file: set aside, said so, and isolab goes on.
printf '{"version": 1, "labs": {"capabilities": ' >"$progress"
tui_start 120 40
check "a corrupt progress file is reported" wait_for "could not be read back"
check "it was set aside" test "$(find "$(dirname "$progress")" -name 'progress.json.corrupt-*' | wc -l)" -eq 1
check "and isolab goes on, with the labs" wait_for "Linux capabilities"
keys q
check "isolab ends with status 0" test "$(tui_exit_status)" = 0
tap_done
