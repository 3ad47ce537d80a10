#!/usr/bin/env bash
# test_modes.sh: presentation mode (--present, and P to toggle it) and demo
# mode (--demo LAB) render their first screens at 80x24, the size a
# projector shows in a large font; the demo's keys (Space pauses, n skips
# ahead, q stops); an unknown demo lab is a usage error before any screen.
cd "$(dirname "$0")/../.." || exit 1
. tests/tui/lib.sh
tui_require

# --- presentation --------------------------------------------------------------
tui_start 80 24 -- --present
check "--present: the badge in the title bar" wait_for "PRESENT"
check "--present: the labs, one line each" wait_for "Linux capabilities"
check "--present: no summaries (one idea a screen)" wait_gone "Root in a container is not"
keys 1 Enter
check "--present: the step's first page" wait_for "page 1/"
TUI_SESSIONS+=("$(tui_session)")
# Predict, then see: the question's page comes first, the text after it.
check "--present: the first page is the step's question" wait_for "Does a container started with plain"
check "--present: and not the text that explains it" wait_gone "A process running as uid 0" 1
keys Space
check "--present: Space turns the page" wait_for "page 2/"
check "--present: the step's text, large spacing" wait_for "A process running as uid 0"
check "--present: the commands are on a page of their own" wait_gone "The commands this step runs" 1
keys Left
check "--present: Left turns it back" wait_for "page 1/"
keys P
check "P leaves presentation mode" wait_gone "PRESENT"
check "the whole step is back in one scrolling view" wait_re "more lines?:"
keys P
check "P enters it again" wait_for "PRESENT"
keys q
wait_for "Labs"
keys q
check "isolab ends with status 0" test "$(tui_exit_status)" = 0

# --- demo ----------------------------------------------------------------------------
tui_start 80 24 -- --demo capabilities
check "--demo: the badge in the title bar" wait_for "DEMO"
check "--demo: the autopilot runs" wait_for "autopilot"
check "--demo: the first step's text" wait_for "Step 1 of"
check "--demo: the demo's keys in the key bar" wait_for "Space Pause"
TUI_SESSIONS+=("$(tui_session)")
keys Space
check "--demo: Space pauses" wait_for "paused"
keys Space
check "--demo: Space resumes" wait_for "Resumed"
keys n
skipped() { wait_any 10 "the answer" "The commands this step runs" >/dev/null; }
check "--demo: n skips ahead (to the answer or the commands)" skipped
keys n
keys n
check "--demo: the step runs on its own" wait_for "expectations held" 60
keys q
check "--demo: q stops it, back to the labs" wait_for "Labs"
keys q
check "isolab ends with status 0" test "$(tui_exit_status)" = 0

tui_start 80 24 -- --demo no-such-lab
status=$(tui_exit_status)
check "--demo with an unknown lab: status 2 (got $status)" test "$status" = 2
check "and a message naming the known labs" wait_for "no lab 'no-such-lab'"
tap_done
