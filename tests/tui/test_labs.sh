#!/usr/bin/env bash
# test_labs.sh: each lab opened in the TUI and its first step run against
# the real engine, then the screen read for the facts that must be there:
# the capability names (and, one step on, those that differ), the host path
# of a bind mount, the namespace shared with the host. No container of the
# session is left afterwards.
cd "$(dirname "$0")/../.." || exit 1
. tests/tui/lib.sh
tui_require

tui_start 120 40
check "the lab list shows the three labs" wait_for "nsenter, into a container"
check "the status line reports the engine" wait_for "Docker"

# --- capabilities ----------------------------------------------------------
check "capabilities: the first step opens with its commands" open_lab 1
session=$(tui_session)
TUI_SESSIONS+=("$session")
check "the commands name the session's containers" test -n "$session"
check "capabilities: the first step runs" run_step
check "capabilities: every expectation held" wait_for "of 6 expectations held"
check "capabilities: Docker's default set, by name" wait_for "cap_chown"
check "capabilities: the refused experiment is shown" wait_for "denied"
out=$(screen)
check "capabilities: the kernel's view of the container" grep -q "What the kernel says" <<<"$out"
keys n
wait_for "Step 2 of"
check "capabilities: the second step runs" run_step
check "capabilities: the differing capabilities are listed" wait_for "14 dropped"
check "capabilities: cap_chown among them" wait_for "cap_chown"
check "capabilities: the reference column" wait_for "has them"
check "no container of the step is left" wait_no_containers "$session"
keys q
wait_for "Labs"

# --- host-mounts -------------------------------------------------------------
check "host-mounts: the first step opens" open_lab 2
check "host-mounts: the first step runs" run_step
check "host-mounts: no host directory in a default container" wait_for "no host directory"
check "host-mounts: Docker's masked paths" wait_for "masked"
keys n
wait_for "Step 2 of"
check "host-mounts: the bind step runs" run_step
check "host-mounts: the host path of the bind" wait_for "host ${ISOLAB_SCRATCH_BASE:-/run/isolab}/$session/"
check "host-mounts: writable, and said so" wait_for "WRITABLE"
keys q
wait_for "Labs"

# --- nsenter -------------------------------------------------------------------
check "nsenter: the first step opens" open_lab 3
check "nsenter: the first step runs" run_step
check "nsenter: the container's own uts namespace" wait_for "its own: "
keys End
check "nsenter: the hostname seen through nsenter" wait_for "isolab-box"
keys n
wait_for "Step 2 of"
check "nsenter: the --pid=host step runs" run_step
check "nsenter: the pid namespace is the host's" wait_for "HOST'S"
out=$(screen)
check "nsenter: marked as shared with the host" grep -q "◆ pid" <<<"$out"

keys q
wait_for "Labs"
keys q
status=$(tui_exit_status)
check "q on the lab list quits with status 0 (got $status)" test "$status" = 0
check "quitting removed every container of the session" wait_no_containers "$session"
check "and the scratch dir" test ! -e "${ISOLAB_SCRATCH_BASE:-/run/isolab}/$session"
tap_done
