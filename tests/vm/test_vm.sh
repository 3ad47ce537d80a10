#!/usr/bin/env bash
# test_vm.sh: the vm layer. Builds the lab VM for each suite (bookworm:
# Docker 20.10; trixie: Docker 26), boots each with scripts/vm (no network
# device, a snapshot disk), and runs tests/vm/guest.sh inside: the three
# labs, inspect against the guest's /proc, audit, doctor, a SIGINT mid-step
# and the leftovers. The suites run side by side, one vCPU each.
#   VM_SUITES="bookworm"   only these suites
#   VM_OUT=DIR             keep each guest's transcripts in DIR/SUITE
#                          (default build/vm-test)
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh

[ "$(id -u)" = 0 ] || cannot_run "needs root (debootstrap and chroot build the image)"
for t in qemu-system-x86_64 debootstrap mkfs.ext4; do
	command -v "$t" >/dev/null || cannot_run "$t is not installed (make test installs it)"
done
suites=${VM_SUITES:-bookworm trixie}
keep=${VM_OUT:-build/vm-test}
in=$(mktemp -d)
trap 'rm -rf "$in"' EXIT
cp tests/vm/guest.sh tests/lib/tap.sh "$in/"

# Build first, side by side: debootstrap waits on the archive as much as on
# the CPU. A failed build is a failed layer, with the reason.
t0=$(date +%s)
declare -A pid
for s in $suites; do
	scripts/vm build --suite "$s" >"$in/build-$s.log" 2>&1 &
	pid[$s]=$!
done
built=()
for s in $suites; do
	if wait "${pid[$s]}"; then
		built+=("$s")
	else
		not_ok "$s: the lab VM image could not be built"
		sed 's/^/#   /' "$in/build-$s.log" | tail -n 20
	fi
done
diag "images built in $(($(date +%s) - t0)) s"

t0=$(date +%s)
for s in "${built[@]}"; do
	rm -rf "${keep:?}/$s"
	mkdir -p "$keep/$s"
	ISOLAB_VM_QUIET=1 scripts/vm run --suite "$s" --in "$in" --out "$keep/$s" --timeout 2700 -- \
		bash -c 'exec bash "$ISOLAB_VM_IN/guest.sh"' >"$in/run-$s.tap" 2>"$in/run-$s.err" &
	pid[$s]=$!
done
for s in "${built[@]}"; do
	wait "${pid[$s]}"
	rc=$?
	cat "$in/run-$s.tap"
	if [ "$rc" = 125 ]; then
		not_ok "$s: the lab VM did not run the tests (scripts/vm exit 125)"
		sed 's/^/#   /' "$in/run-$s.err" | tail -n 30
	elif ! grep -q '^1\.\.' "$in/run-$s.tap"; then
		not_ok "$s: the guest's tests ended early (exit $rc)"
		sed 's/^/#   /' "$in/run-$s.err" | tail -n 30
	fi
done
diag "suites ran in $(($(date +%s) - t0)) s; transcripts in $keep/"
tap_done
