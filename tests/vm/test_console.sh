#!/usr/bin/env bash
# test_console.sh: `make vm`'s console, for real. scripts/vm console boots
# the lab VM in a tmux pane of 100x30 (the learner's terminal), isolab's lab
# runner opens on its serial console, and quitting it powers the VM off:
# qemu exits by itself, and the guest saw no network device.
#   VM_CONSOLE_SUITE=trixie   the suite to boot (default bookworm)
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh

[ "$(id -u)" = 0 ] || cannot_run "needs root (the image is built with debootstrap)"
command -v tmux >/dev/null || cannot_run "needs tmux"
command -v qemu-system-x86_64 >/dev/null || cannot_run "qemu-system-x86 is not installed"
suite=${VM_CONSOLE_SUITE:-bookworm}
sock=isolab-vm-console-$$
tmp=$(mktemp -d)
T() { tmux -L "$sock" -f /dev/null "$@"; }
trap 'T kill-server 2>/dev/null; rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock"; rm -rf "$tmp"' EXIT

scripts/vm build --suite "$suite" >"$tmp/build.log" 2>&1 || {
	not_ok "$suite: the image could not be built"
	sed 's/^/#   /' "$tmp/build.log" | tail -n 20
	tap_done
	exit 1
}
# wait_for TEXT SECONDS: poll the pane for TEXT.
wait_for() {
	local deadline=$(($(date +%s) + $2))
	while [ "$(date +%s)" -lt "$deadline" ]; do
		T capture-pane -p -t vm >"$tmp/screen" 2>/dev/null || return 1
		grep -qF -- "$1" "$tmp/screen" && return 0
		sleep 2
	done
	return 1
}
T new-session -d -s vm -x 100 -y 30 \
	"TERM=xterm-256color scripts/vm console --suite $suite 2>$tmp/vm.err; echo \$? >$tmp/rc; sleep 3600"
t0=$(date +%s)
if wait_for "Linux capabilities" 900; then
	ok "$suite: make vm opens isolab's lab runner on the VM's console ($(($(date +%s) - t0)) s)"
else
	not_ok "$suite: no lab menu on the VM's console within 900 s"
	sed 's/^/#   /' "$tmp/screen" | tail -n 15
fi
check "$suite: the lab menu lists the three labs" \
	bash -c 'grep -qF "Host mounts" "$1" || grep -qiF "host-mounts" "$1"' _ "$tmp/screen"
check "$suite: the runner fills the learner's terminal (the footer is on row 30)" \
	[ -n "$(sed -n 30p "$tmp/screen" | tr -d ' ')" ]
T send-keys -t vm q
deadline=$(($(date +%s) + 300))
while [ ! -s "$tmp/rc" ] && [ "$(date +%s)" -lt "$deadline" ]; do sleep 2; done
check "$suite: quitting isolab powers the VM off (qemu exited by itself)" [ -s "$tmp/rc" ]
check "$suite: qemu exited cleanly (status $(cat "$tmp/rc" 2>/dev/null))" [ "$(cat "$tmp/rc" 2>/dev/null)" = 0 ]
grep -q "no network device" "$tmp/vm.err" && ok "$suite: scripts/vm says the VM has no network device" ||
	not_ok "$suite: scripts/vm did not say the VM has no network device"
diag "$(grep -m1 'booting' "$tmp/vm.err")"
tap_done
