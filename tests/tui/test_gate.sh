#!/usr/bin/env bash
# test_gate.sh: the safety gate remembers a "yes" for this boot of this
# machine: a second launch in the same boot does not ask; a note of
# another boot, or one that someone besides root could have written, does
# not count. The title is said once, at 120 columns too. Each launch uses
# a scratch base of its own (ISOLAB_SCRATCH_BASE), where the note lives.
cd "$(dirname "$0")/../.." || exit 1
. tests/tui/lib.sh
tui_require

base=$TUI_TMP/scratch
note=$base/gate-confirmed
gate_env=(ISOLAB_ISOLATED_VM= "ISOLAB_SCRATCH_BASE=$base")

# launch: isolab at 120x40 without the flag, on the lab list.
launch() {
	tui_start 120 40 "${gate_env[@]}"
	wait_for "Labs" || diag "status: $(cat "$TUI_TMP/status" 2>&1)"
}

# --- the first launch asks; its title once -------------------------------------------
launch
check "the first launch: the status line says the gate will ask" wait_for "gate asks first"
keys 1 Enter
check "opening a lab asks the safety gate" wait_for "isolab found"
check "at 120 columns the title 'Safety gate' is said once" \
	test "$(screen | grep -o 'Safety gate' | wc -l)" -eq 1
keys y e s Enter
check "yes opens the step" wait_for "The commands this step runs"
TUI_SESSIONS+=("$(tui_session)")
check "the note holds this boot's id" test "$(cat "$note" 2>/dev/null)" = "$(cat /proc/sys/kernel/random/boot_id)"
perm=$(stat -c '%u %a' "$note" 2>/dev/null)
check "the note is root's and only root may write it ($perm)" test "$perm" = "0 644"

# --- the same boot: not asked again -------------------------------------------------------
launch
check "a second launch in this boot: the status line says confirmed this boot" \
	wait_for "gate confirmed this boot"
keys 1 Enter
check "and a lab opens without the gate" wait_for "The commands this step runs"
check "no gate on the way" bash -c '! grep -q "isolab found" <<<"$1"' _ "$(screen)"
TUI_SESSIONS+=("$(tui_session)")

# --- another boot's note, or one others may write: asked again ---------------------------
echo 00000000-0000-0000-0000-000000000000 >"$note"
launch
check "a note of another boot does not count: the gate asks" wait_for "gate asks first"
cat /proc/sys/kernel/random/boot_id >"$note"
chmod 0666 "$note"
launch
check "a note others may write does not count: the gate asks" wait_for "gate asks first"
chmod 0644 "$note"
launch
check "this boot's note, root's alone, counts again" wait_for "gate confirmed this boot"

T kill-server 2>/dev/null
tap_done
