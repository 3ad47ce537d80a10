#!/usr/bin/env bash
# test_keys.sh: the keys a learner uses around a step: the safety gate asked
# inside the TUI (refused, then confirmed), the help (?) listing every key,
# hints (h) from the first pointer to the solution, and a question answered
# wrong, then right, with its explanation, counted in the progress file.
cd "$(dirname "$0")/../.." || exit 1
. tests/tui/lib.sh
tui_require

# --- the safety gate, without the flag --------------------------------------
# A scratch base of its own: a "yes" noted in this boot elsewhere must not
# spare this test the gate.
tui_start 100 30 ISOLAB_ISOLATED_VM= "ISOLAB_SCRATCH_BASE=$TUI_TMP/scratch"
wait_for "Labs"
check "the status line says the gate will ask" wait_for "gate asks first"
keys 1 Enter
check "opening a lab asks the safety gate first" wait_for "Safety gate"
check "it says what isolab found" wait_for "isolab found"
keys n o Enter
check "an answer other than yes is refused" wait_for "not confirmed"
keys Escape
check "Esc goes back to the labs, nothing run" wait_for "no lab runs until the safety gate is"
keys Enter
wait_for "Safety gate"
keys y e s Enter
check "yes opens the step" wait_for "The commands this step runs"
session=$(tui_session)
TUI_SESSIONS+=("$session")

# --- isolab's own labels: left out, L shows the whole argv -------------------------
check "the commands leave isolab's --label isolab.* options out, and say so" \
	bash -c '! grep -q "isolab\.session=" <<<"$1" && grep -q "options left out" <<<"$1"' _ "$(screen)"
keys L
check "L shows the whole argv, isolab's labels too" wait_for "--label isolab.session=$session"
keys L
check "L again leaves them out" wait_gone "isolab.session=$session"

# --- the commands, as a learner would paste them --------------------------------
# The first docker run, wrapped on the screen with " \" between words: read
# by a shell it must give the same words as on one line.
pasted=$(screen | awk '/docker run -d/ { on = 1 } on { sub(/^ +/, ""); print } on && !/\\$/ { exit }')
words_pasted=$(sh -c "printf '%s\n' $pasted")
joined=$(printf '%s\n' "$pasted" | sed 's/ \\$//' | tr '\n' ' ')
words_joined=$(sh -c "printf '%s\n' $joined")
check "the docker run line is wrapped on the screen" test "$(printf '%s\n' "$pasted" | wc -l)" -gt 1
check "pasted into a shell, it gives the words of the one-line command" \
	test "$words_pasted" = "$words_joined"
check "which is a docker run of the lab image" \
	bash -c 'head -n2 <<<"$1" | tr "\n" " " | grep -q "^docker run " && grep -q "^isolab-lab:" <<<"$1"' _ "$words_pasted"

# --- help ------------------------------------------------------------------------
keys '?'
check "? opens the help" wait_for "Keys on this screen (step)"
out=$(screen)
for k in "Enter, r" "n, p" "h " "Tab" "Esc, Ctrl-C" "1-9" "q "; do
	check "the help lists the key '$k'" grep -qF -- "$k" <<<"$out"
done
check "and the keys that work everywhere" grep -qF "Keys everywhere" <<<"$out"
check "presentation mode among them" grep -qF "presentation mode" <<<"$out"
keys q
check "any key closes the help" wait_gone "Keys on this screen"

# --- hints -----------------------------------------------------------------------
keys h
check "h shows the first hint" wait_re "Hint( 1 of [0-9]+)?:"
check "the solution is not shown yet" wait_gone "Solution:" 1
keys h
check "h again, at the end, shows the solution" wait_for "Solution:"
keys h
check "no hint after the solution" wait_for "No more hints"

# --- a question, answered wrong then right ------------------------------------
keys Enter
check "Enter asks the question before the run" wait_for "First, predict"
# Each answer either marks one more choice "not this one" or is right.
wrong_marks() { screen | grep -c "not this one"; }
right=
for n in 1 2 3 4 5 6 7 8 9; do
	before=$(wrong_marks)
	keys "$n"
	deadline=$((SECONDS + 10))
	while [ $SECONDS -lt $deadline ]; do
		screen | grep -qF "Right:" && { right=$n; break 2; }
		[ "$(wrong_marks)" -gt "$before" ] && { wrong_seen=1; break; }
		sleep 0.1
	done
	[ $SECONDS -ge $deadline ] && break
done
check "a wrong answer is marked wrong" test -n "${wrong_seen:-}"
check "the wrong choice is marked on the screen" wait_for "not this one"
check "the right answer is accepted (choice $right)" test -n "$right"
check "with its explanation" wait_for "Why:"
progress=$TUI_STATE/isolab/progress.json
check "the answer is in the progress file" test -f "$progress"
if command -v jq >/dev/null; then
	check "counted as not right at the first try" \
		test "$(jq -r '.labs.capabilities.questions["default-set"].right' "$progress")" = false
	check "with both tries counted" \
		test "$(jq -r '.labs.capabilities.questions["default-set"].tries' "$progress")" -ge 2
fi
keys Enter
check "Enter now runs the step" wait_for "expectations held" 90
check "the step is marked done" wait_for "done"

keys q
wait_for "Labs"
check "the lab list counts the step" wait_re " 1/[0-9]+ steps done"
check "and the question, not right at the first try" wait_re " 0/[0-9]+ questions right"
keys q
check "isolab ends with status 0" test "$(tui_exit_status)" = 0
check "no container of the session is left" wait_no_containers "$session"
tap_done
