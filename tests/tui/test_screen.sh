#!/usr/bin/env bash
# test_screen.sh: terminals: a resize relays the screen out at once (80x24,
# 200x60); below 80x24 a clear message instead of a broken screen, and the
# screen back once it is large enough; NO_COLOR and --no-color give a screen
# without a single colour, with the marks still there; a locale that is not
# UTF-8 gets ASCII marks and rules.
cd "$(dirname "$0")/../.." || exit 1
. tests/tui/lib.sh
tui_require

# A colour in tmux's rendering of the screen: an SGR with a foreground or
# background colour other than the default (39, 49).
has_colour() {
	T capture-pane -p -e | grep -qE $'\e\\[([0-9]+;)*(3[0-7]|4[0-7]|9[0-7]|10[0-7]|38|48)(;[0-9]+)*m'
}

no_colour() { ! has_colour; }

tui_start 120 40
wait_for "Labs"
check "the status line is there" wait_for "Docker"
check "colours by default" has_colour
keys Enter
wait_for "The commands this step runs"
session=$(tui_session)
TUI_SESSIONS+=("$session")

T resize-window -x 80 -y 24
check "at 80x24 the step is laid out again" wait_for "Step 1 of"
check "nothing wider than 80 columns" test "$(screen_width)" -le 80
check "the key bar on the last row" bash -c "tmux -L $TUI_SOCK -f /dev/null capture-pane -p | tail -n1 | grep -q 'Enter Run'"
check "the text wrapped to the new width" wait_for "A process running as uid 0"

T resize-window -x 200 -y 60
check "at 200x60 the screen fills the new size" wait_re "─{190}"
check "the key bar moved to row 60" bash -c "tmux -L $TUI_SOCK -f /dev/null capture-pane -p | sed -n 60p | grep -q 'Enter Run'"

T resize-window -x 60 -y 20
check "60x20: a clear message" wait_for "needs a terminal of at least 80x24"
check "saying how large it is" wait_for "60x20"
check "and no broken screen behind it" wait_gone "The commands this step runs"
T resize-window -x 80 -y 24
check "back at 80x24 the step comes back" wait_for "Step 1 of"
keys q
wait_for "Labs"
keys q
check "isolab ends with status 0" test "$(tui_exit_status)" = 0

# Started too small: the message, and q still quits.
tui_start 60 20
check "started at 60x20: the message" wait_for "needs a terminal of at least 80x24"
keys q
check "q quits from the message (status 0)" test "$(tui_exit_status)" = 0

# --- no colour -------------------------------------------------------------------
tui_start 100 30 NO_COLOR=1
wait_for "Labs"
check "NO_COLOR: said in the title bar" wait_for "NO COLOR"
check "NO_COLOR: not a single colour on the screen" no_colour
check "NO_COLOR: the status marks are still there" wait_for "✓ Docker"
keys q
tui_exit_status >/dev/null

tui_start 100 30 -- --no-color
wait_for "Labs"
check "--no-color: said in the title bar" wait_for "NO COLOR"
check "--no-color: no colour either" no_colour
keys 1 Enter
wait_for "The commands this step runs"
TUI_SESSIONS+=("$(tui_session)")
keys Enter
wait_for "First, predict"
keys 1
check "--no-color: a wrong answer has its mark" wait_for "✗ not this one"
keys Escape
keys q
wait_for "Labs"
keys q
tui_exit_status >/dev/null

# --- not UTF-8 -------------------------------------------------------------------
tui_start 100 30 LANG=C LC_ALL=C
wait_for "Labs"
check "C locale: said in the title bar" wait_for "ASCII"
check "C locale: ASCII marks" wait_for "ok Docker"
check "C locale: ASCII rules" wait_re "^-{100}$"
only_ascii() { ! screen | LC_ALL=C grep -q $'[\x80-\xff]'; }
check "C locale: no UTF-8 on the screen" only_ascii
keys q
tui_exit_status >/dev/null
tap_done
