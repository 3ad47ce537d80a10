#!/usr/bin/env bash
# test_replay.sh: the comparison screen, laid out from recorded transcripts
# (tests/fixtures/tui, replayed through the ISOLAB_TUI_REPLAY test hook) so
# that what a host decides is fixed: --privileged approximated and said so
# with what was left out, dangerous capabilities flagged with their risk
# note, Docker's word against the kernel's for a :ro socket, the canary
# read as the proof, and the same results as presentation pages. It needs
# neither root nor an engine (tui_require_replay).
cd "$(dirname "$0")/../.." || exit 1
. tests/tui/lib.sh
tui_require_replay

fixtures=$PWD/tests/fixtures/tui

# open_step LAB_INDEX STEP_INDEX: from the lab list, that step, run.
replay_step() {
	keys "$1" Enter
	wait_for "The commands this step runs" || return 1
	for _ in $(seq 2 "$2"); do keys n; done
	wait_for "Step $2 of" || return 1
	run_step
}

tui_start 120 40 ISOLAB_TUI_REPLAY="$fixtures" ISOLAB_TUI_REPLAY_DELAY_MS=50
wait_for "Labs"
# The privileged step's place in the lab (steps are added before it).
priv=$(grep -E '^  - id: ' "$LABS/capabilities.yaml" | grep -n 'id: privileged$' | cut -d: -f1)
check "capabilities, --privileged: the recorded run" replay_step 1 "$priv"
TUI_SESSIONS+=("$(tui_session)")
check "approximated, and said so" wait_for "--privileged was approximated for priv"
check "what ran instead" wait_for "ran instead:"
check "what was left out" wait_for "cap_sys_resource: this host's bounding set does not have it"
check "the subject beside the reference" wait_for "priv compared with default, the reference"
check "an added capability, marked +" wait_re "\+ cap_sys_admin +lacks it +HAS IT"
check "flagged with its risk note" wait_for "! way out: mount file systems"
check "seccomp off in the subject" scroll_to "no system call filter"
check "the paths Docker masks, visible in the subject" wait_re "! 8 paths Docker masks +masked +VISIBLE"
keys q
wait_for "Labs"

check "host-mounts, the Docker socket: the recorded run" replay_step 2 5
check "the socket mount, :ro and still the API" wait_for "the Docker socket at /var/run/docker.sock (:ro, still the API)"
check "Docker and the kernel disagree" wait_for "they disagree (docker-socket-ro)"
check "what Docker says" wait_for "Docker says: /var/run/docker.sock is mounted read-only"
check "what the kernel says" wait_for "the kernel says: /var/run/docker.sock is the host's /run/docker.sock"
keys End
check "the canary, read from the host, as the proof" wait_re "the canary, read from the host: [0-9a-f]{32}"
check "each expectation with its mark" wait_for "✓ sibling: allowed, output holds the canary's nonce"

keys P
check "presentation: the results as pages" wait_for "page 1/"
keys Space Space
check "presentation: the disagreement on a page of its own" wait_for "sock: Docker and the kernel disagree"
keys P
keys q
wait_for "Labs"

check "nsenter, --pid=host: the recorded run" replay_step 3 2
check "the pid namespace, the host's, marked" wait_re "◆ pid +its own +HOST'S"
check "with what sharing it means" wait_for "which processes it can see and signal"
keys q
wait_for "Labs"
keys q
check "isolab ends with status 0" test "$(tui_exit_status)" = 0

# -v /:/host: the sub-mounts a recursive bind brings along, folded under it
# (an edit of a recorded transcript: tests/fixtures/compare/README), and m
# unfolds them. A fresh state: the lab opens at its first step again.
rm -rf "${TUI_STATE:?}"/*
tui_start 120 40 ISOLAB_TUI_REPLAY="$PWD/tests/fixtures/compare" ISOLAB_TUI_REPLAY_DELAY_MS=50
wait_for "Labs"
rootbind=$(grep -E '^  - id: ' "$LABS/host-mounts.yaml" | grep -n 'id: root-bind$' | cut -d: -f1)
check "host-mounts, -v /:/host: the edited run" replay_step 2 "$rootbind"
TUI_SESSIONS+=("$(tui_session)")
check "the bind, one row" wait_re "\+ /host → host / +not mounted +host bind, WRITABLE"
check "its sub-mounts folded into one line, with the key" wait_for "6 mounts below it came along (the bind is recursive) m: show them"
check "no sub-mount row while folded" wait_gone "/host/proc" 1
keys m
check "m: the sub-mounts listed" wait_for "/host/boot/efi"
check "a mount stacked twice, listed once" test "$(screen | grep -c '^ */host/run$')" = 1
check "and the key that folds them" wait_for "m: fold them"
keys m
check "m again: folded" wait_gone "/host/boot/efi"
keys '?'
check "the key in the step's help" wait_for "results: show or fold the mounts a recursive bind"
keys q
check "the help closes" wait_gone "results: show or fold the mounts a recursive bind"
keys q
wait_for "Labs"
keys q
check "isolab ends with status 0" test "$(tui_exit_status)" = 0
tap_done
