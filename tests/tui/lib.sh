# lib.sh: what the TUI tests share. The real binary runs in tmux on a
# private server (-L isolab-test-PID, -f /dev/null, escape-time 0), in a
# UTF-8 locale, with the safety gate confirmed by ISOLAB_ISOLATED_VM=1 and
# its progress in a temporary XDG_STATE_HOME. The tests read the screen by
# polling capture-pane for text, never by sleeping a fixed time, and read
# the exit status from a file the wrapper writes (tmux wait-for says when).
#
# Source it from a tests/tui/test_*.sh after `cd` to the source tree.
# shellcheck shell=bash

. tests/lib/tap.sh

ISOLAB=${ISOLAB:-./isolab}
case $ISOLAB in /*) ;; *) ISOLAB=$PWD/$ISOLAB ;; esac
LABS=${ISOLAB_LABS:-$PWD/labs}
export LANG=C.UTF-8 LC_ALL=C.UTF-8
TUI_SOCK=isolab-test-$$
TUI_TMP=$(mktemp -d)
TUI_STATE=$TUI_TMP/state
mkdir -p "$TUI_STATE"
TUI_SESSIONS=()

# SHELL: the server runs each pane's command with it, and a user whose
# login shell is nologin (nobody, for a run without root) would get none.
# bash, which execs a lone command, so that the pane's process is the
# wrapper and tui_pid finds isolab as its child (dash forks first).
T() { SHELL=$BASH tmux -L "$TUI_SOCK" -f /dev/null "$@"; }

tui_cleanup() {
	local s ids
	T kill-server 2>/dev/null
	# tmux leaves its socket behind when the server is killed.
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$TUI_SOCK"
	for s in "${TUI_SESSIONS[@]}"; do
		[ -n "$s" ] || continue
		ids=$(docker ps -aq --filter "label=isolab.session=$s" 2>/dev/null)
		[ -n "$ids" ] && docker rm -f $ids >/dev/null 2>&1
	done
	rm -rf "$TUI_TMP"
}
trap tui_cleanup EXIT
trap 'exit 130' INT TERM HUP

# tui_cannot_run WHY: under CI a missing piece fails loudly, elsewhere the
# test is skipped (and says why). Nothing when WHY is empty.
tui_cannot_run() {
	[ -z "$1" ] && return 0
	if [ "${CI:-}" = true ]; then
		not_ok "cannot run: $1"
		tap_done
		exit 1
	fi
	echo "1..0 # SKIP $1"
	exit 0
}

# tui_require_replay: what a test needs that only replays recorded
# transcripts (ISOLAB_TUI_REPLAY): tmux, the binary and the labs. Neither
# root nor an engine: a replay starts no container and its session opens
# without the engine. The session's dirs go below the test's temporary
# dir unless ISOLAB_SCRATCH_BASE and ISOLAB_DISK_BASE say where (the
# defaults, under /run and /var/lib, are root's).
tui_require_replay() {
	local why=
	command -v tmux >/dev/null || why="needs tmux"
	[ -z "$why" ] && [ ! -x "$ISOLAB" ] && why="no isolab binary at $ISOLAB (run make, or set ISOLAB)"
	[ -z "$why" ] && [ ! -d "$LABS" ] && why="no labs directory at $LABS"
	tui_cannot_run "$why"
	export ISOLAB_SCRATCH_BASE=${ISOLAB_SCRATCH_BASE:-$TUI_TMP/scratch}
	export ISOLAB_DISK_BASE=${ISOLAB_DISK_BASE:-$TUI_TMP/disk}
}

# tui_require: root, an engine, tmux and the binary (the tests that run
# steps for real).
tui_require() {
	local why=
	[ "$(id -u)" = 0 ] || why="needs root"
	[ -z "$why" ] && ! command -v tmux >/dev/null && why="needs tmux"
	[ -z "$why" ] && ! docker info >/dev/null 2>&1 && why="no Docker engine answers (scripts/dockerd starts one)"
	[ -z "$why" ] && [ ! -x "$ISOLAB" ] && why="no isolab binary at $ISOLAB (run make, or set ISOLAB)"
	[ -z "$why" ] && [ ! -d "$LABS" ] && why="no labs directory at $LABS"
	tui_cannot_run "$why"
}

# tui_start W H [VAR=VALUE...] [-- ARGS...]: start isolab in a fresh
# server, W columns by H rows. VAR=VALUE words go to its environment
# (NO_COLOR=1, ISOLAB_ISOLATED_VM= to unset the gate's flag...).
tui_start() {
	local w=$1 h=$2 envs=() args=() a
	shift 2
	while [ $# -gt 0 ]; do
		a=$1
		shift
		[ "$a" = -- ] && { args=("$@"); break; }
		envs+=(-e "$a")
	done
	T kill-server 2>/dev/null
	rm -f "$TUI_TMP/status"
	cat >"$TUI_TMP/run.sh" <<-EOF
		#!/bin/sh
		"\$@"
		echo \$? >"$TUI_TMP/status"
		tmux -L "$TUI_SOCK" -f /dev/null wait-for -S "$TUI_SOCK-exit"
		exec sleep 86400
	EOF
	chmod +x "$TUI_TMP/run.sh"
	T new-session -d -x "$w" -y "$h" -e LANG=C.UTF-8 -e LC_ALL=C.UTF-8 -e TERM=screen \
		-e XDG_STATE_HOME="$TUI_STATE" -e ISOLAB_ISOLATED_VM=1 -e ISOLAB_LABS="$LABS" \
		"${envs[@]}" "$TUI_TMP/run.sh $(printf '%q ' "$ISOLAB" "${args[@]}")" \; \
		set -s escape-time 0
}

screen() { T capture-pane -p; }
keys() { T send-keys "$@"; }

# poll_screen WANT GREP-OPT PATTERN SECONDS: poll the screen (never sleep a
# fixed time) until grep finds PATTERN (WANT=shown) or no longer does
# (WANT=gone); on a timeout, say so and show the screen.
poll_screen() {
	local want=$1 opt=$2 pat=$3 deadline=$((SECONDS + $4)) found
	while [ $SECONDS -lt $deadline ]; do
		screen | grep -q "$opt" -- "$pat" && found=shown || found=gone
		[ "$found" = "$want" ] && return 0
		sleep 0.1
	done
	if [ "$want" = shown ]; then
		diag "timed out waiting for: $pat"
		screen | sed 's/^/#   | /'
	else
		diag "still on the screen: $pat"
	fi
	return 1
}

# wait_for TEXT [SECONDS]: until the screen shows TEXT (a fixed string).
wait_for() { poll_screen shown -F "$1" "${2:-20}"; }
# wait_re REGEX [SECONDS]: until a line of the screen matches REGEX (ERE).
wait_re() { poll_screen shown -E "$1" "${2:-20}"; }
# wait_gone TEXT [SECONDS]: until the screen no longer shows TEXT.
wait_gone() { poll_screen gone -F "$1" "${2:-20}"; }

# tui_exit_status [SECONDS]: wait for isolab to end; print its status.
tui_exit_status() {
	timeout "${1:-30}" tmux -L "$TUI_SOCK" -f /dev/null wait-for "$TUI_SOCK-exit" 2>/dev/null
	cat "$TUI_TMP/status" 2>/dev/null || echo none
}

# isolab's pid: the child of the pane's wrapper shell.
tui_pid() { pgrep -P "$(T display-message -p '#{pane_pid}')" | head -n1; }

# The session id: from the environment of isolab's witness (a child of
# isolab), which holds it; waits for the session to open. Call it as
# session=$(tui_session); TUI_SESSIONS+=("$session") for the cleanup.
tui_session() {
	local id= pid w deadline=$((SECONDS + 20))
	while [ -z "$id" ] && [ $SECONDS -lt $deadline ]; do
		pid=$(tui_pid)
		for w in $(pgrep -P "${pid:-0}" 2>/dev/null); do
			id=$({ tr '\0' '\n' <"/proc/$w/environ"; } 2>/dev/null | sed -n 's/^ISOLAB_SESSION=//p')
			[ -n "$id" ] && break
		done
		[ -n "$id" ] || sleep 0.1
	done
	echo "$id"
}

# containers_left SESSION: how many containers the session still has.
containers_left() { docker ps -aq --filter "label=isolab.session=$1" | wc -l; }

# wait_no_containers SESSION [SECONDS]
wait_no_containers() {
	local deadline=$((SECONDS + ${2:-10}))
	while [ $SECONDS -lt $deadline ]; do
		[ "$(containers_left "$1")" -eq 0 ] && return 0
		sleep 0.2
	done
	docker ps -a --filter "label=isolab.session=$1" --format '#   left: {{.Names}}'
	return 1
}

# open_lab N: from the lab list, open the Nth lab (1-based).
open_lab() {
	wait_for "Labs" || return 1
	keys "$1"
	keys Enter
	wait_for "The commands this step runs"
}

# wait_any SECONDS TEXT...: until the screen shows one of the texts;
# prints the one it found.
wait_any() {
	local deadline=$((SECONDS + $1)) text out
	shift
	while [ $SECONDS -lt $deadline ]; do
		out=$(screen)
		for text in "$@"; do
			grep -qF -- "$text" <<<"$out" && { echo "$text"; return 0; }
		done
		sleep 0.1
	done
	return 1
}

# run_step: run the step on the screen; its question, if any, is
# answered by showing the answer (s). Waits for the result.
run_step() {
	keys Enter
	if [ "$(wait_any 10 "First, predict" "Running" "expectations held")" = "First, predict" ]; then
		keys s
		wait_for "The answer:" || return 1
		keys Enter
	fi
	wait_for "expectations held" 90
}

# scroll_to TEXT [PAGES]: page down (PgDn) until TEXT is on the screen.
scroll_to() {
	local i
	for i in $(seq 0 "${2:-30}"); do
		screen | grep -qF -- "$1" && return 0
		keys NPage
		sleep 0.2
	done
	diag "not found scrolling down: $1"
	return 1
}

# The screen's longest line, in columns.
screen_width() { screen | wc -L; }
