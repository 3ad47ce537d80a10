#!/usr/bin/env bash
# test_cancel.sh: a run stopped in the middle leaves nothing behind. The
# engine is docker behind a wrapper that lingers after `run` and `exec`,
# so that the step is surely still running (with its container created)
# when the key comes. Ctrl-C and Esc cancel the run: the step's containers
# are removed and the screen says so; the TUI stays usable. SIGTERM in the
# middle of a run ends isolab with the signal's status, the terminal
# restored and no container left; so does quitting.
cd "$(dirname "$0")/../.." || exit 1
. tests/tui/lib.sh
tui_require

real=$(command -v docker)
cat >"$TUI_TMP/slow-docker" <<EOF
#!/bin/sh
"$real" "\$@"
rc=\$?
case "\$1" in run|exec) sleep 5 ;; esac
exit \$rc
EOF
chmod +x "$TUI_TMP/slow-docker"

# cancel_with KEY: run the step on the screen and press KEY mid-run.
cancel_with() {
	local key=$1 session=$2
	keys Enter
	if [ "$(wait_any 10 "First, predict" "Running")" = "First, predict" ]; then
		keys s
		wait_for "The answer:" || return 1
		keys Enter
	fi
	wait_for "starting" 20 || return 1
	# The container exists (docker run returned) while the client lingers.
	local deadline=$((SECONDS + 20))
	while [ "$(containers_left "$session")" -eq 0 ] && [ $SECONDS -lt $deadline ]; do
		sleep 0.1
	done
	[ "$(containers_left "$session")" -gt 0 ] || { diag "no container was ever created"; return 1; }
	keys "$key"
	wait_for "Cancelled" 20
}

tui_start 120 40 ISOLAB_ENGINE="$TUI_TMP/slow-docker"
wait_for "Labs"
keys 1 Enter
wait_for "The commands this step runs"
session=$(tui_session)
TUI_SESSIONS+=("$session")
check "Ctrl-C in the middle of a run cancels it" cancel_with C-c "$session"
check "the screen says the step's containers were removed" wait_for "containers of step"
check "no container of the session is left" wait_no_containers "$session"
check "isolab is still there, on the step" wait_for "Step 1 of"
keys n
check "the next step can be opened" wait_for "Step 2 of"
check "Esc cancels as well" cancel_with Escape "$session"
check "again no container is left" wait_no_containers "$session"
keys q
wait_for "Labs"
keys q
check "quitting after cancels: status 0" test "$(tui_exit_status)" = 0
check "the scratch dir is gone" test ! -e "${ISOLAB_SCRATCH_BASE:-/run/isolab}/$session"

# SIGTERM in the middle of a run.
tui_start 120 40 ISOLAB_ENGINE="$TUI_TMP/slow-docker"
wait_for "Labs"
keys 1 Enter
wait_for "The commands this step runs"
session=$(tui_session)
TUI_SESSIONS+=("$session")
keys Enter
[ "$(wait_any 10 "First, predict" "Running")" = "First, predict" ] && { keys s; wait_for "The answer:"; keys Enter; }
wait_for "starting" 20
deadline=$((SECONDS + 20))
while [ "$(containers_left "$session")" -eq 0 ] && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
pid=$(tui_pid)
check "isolab's pid is known" test -n "$pid"
[ -n "$pid" ] && kill -TERM "$pid"
status=$(tui_exit_status 30)
check "SIGTERM mid-run: isolab ends by the signal (status $status)" test "$status" = 143
check "SIGTERM mid-run: no container left" wait_no_containers "$session"
check "SIGTERM mid-run: the scratch dir is gone" test ! -e "${ISOLAB_SCRATCH_BASE:-/run/isolab}/$session"
check "SIGTERM mid-run: the terminal left the alternate screen" bash -c "! tmux -L $TUI_SOCK -f /dev/null capture-pane -p | grep -q 'Step 1 of'"
tap_done
