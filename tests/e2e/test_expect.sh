#!/usr/bin/env bash
# test_expect.sh: each kind of expectation, once where it holds and once
# where it fails, through `isolab run` on lab files outside the installed
# labs (so also: the host-reach list and its confirmation), and the exit
# codes: 0 when all held, 1 when one failed, 2 for a bad lab file.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
ISOLAB=${ISOLAB:-./isolab}
e2e_require
export ISOLAB_ISOLATED_VM=1
fx=tests/fixtures/labs/e2e

kinds() { jq -r '[.steps[0].expectations[] | select(.held == ('"$2"')) | .kind] | unique | join(",")' <<<"$1"; }
all_kinds=action,cap,finding,mount,namespace,no_new_privs,privileged,seccomp

out=$($ISOLAB run --json $fx/expect-hold.yaml </dev/null 2>/dev/null); rc=$?
check "a lab file from elsewhere that reaches the host is refused without a terminal" [ $rc -eq 2 ]
err=$($ISOLAB run --json $fx/expect-hold.yaml </dev/null 2>&1 >/dev/null)
check "and the refusal lists what reaches the host (--pid host)" grep -q -- '--pid host' <<<"$err"
check "and names --accept-host-reach" grep -q -- '--accept-host-reach' <<<"$err"

out=$($ISOLAB run --json --accept-host-reach $fx/expect-hold.yaml 2>/dev/null); rc=$?
check "every expectation holds: exit 0" [ $rc -eq 0 ]
check "18 held, 0 failed" [ "$(jq -r '"\(.passed),\(.failed)"' <<<"$out")" = "18,0" ]
check "every kind held at least once" [ "$(kinds "$out" true)" = "$all_kinds" ]

out=$($ISOLAB run --json --accept-host-reach $fx/expect-fail.yaml 2>/dev/null); rc=$?
check "every expectation fails: exit 1" [ $rc -eq 1 ]
check "0 held, 18 failed" [ "$(jq -r '"\(.passed),\(.failed)"' <<<"$out")" = "0,18" ]
check "every kind failed at least once" [ "$(kinds "$out" false)" = "$all_kinds" ]
check "each failure says what was seen" [ "$(jq '[.steps[0].expectations[] | .seen | length > 0] | all' <<<"$out")" = true ]

text=$($ISOLAB --no-color run --accept-host-reach $fx/expect-fail.yaml 2>/dev/null </dev/null); rc=$?
check "text: exit 1" [ $rc -eq 1 ]
check "text: failures are marked and say what was seen" grep -q 'seen:' <<<"$text"

$ISOLAB run tests/fixtures/labs/bad/$(ls tests/fixtures/labs/bad | head -n 1) >/dev/null 2>&1
check "a broken lab file: exit 2" [ $? -eq 2 ]
$ISOLAB run no-such-lab >/dev/null 2>&1; check "an unknown lab: exit 2" [ $? -eq 2 ]
ISOLAB_LABS=labs $ISOLAB run --step no-such-step capabilities >/dev/null 2>&1; check "an unknown step: exit 2" [ $? -eq 2 ]
# Predict, then see: the question is asked before the step's text.
out=$(ISOLAB_LABS=labs $ISOLAB --no-color run --step default-set capabilities </dev/null 2>&1)
qline=$(grep -n '^Question: ' <<<"$out" | head -n1 | cut -d: -f1)
tline=$(grep -n 'A process running as uid 0' <<<"$out" | head -n1 | cut -d: -f1)
check "run: the question (line ${qline:-none}) comes before the step's text (line ${tline:-none})" \
	test "${qline:-0}" -gt 0 -a "${tline:-0}" -gt "${qline:-0}"

# A scratch base of its own: the gate's note of a "yes" in this boot lives there.
gbase=$(mktemp -d)
ISOLAB_SCRATCH_BASE=$gbase ISOLAB_ISOLATED_VM= ISOLAB_LABS=labs $ISOLAB run --step default-set capabilities </dev/null >/dev/null 2>&1
check "the safety gate unconfirmed, no terminal: exit 2" [ $? -eq 2 ]
# A "yes" noted for this boot: the gate goes on (here to an engine that is down: exit 3).
cat /proc/sys/kernel/random/boot_id >"$gbase/gate-confirmed"
out=$(ISOLAB_SCRATCH_BASE=$gbase ISOLAB_ISOLATED_VM= ISOLAB_LABS=labs $ISOLAB --engine tests/fixtures/engine/bin/daemon-down run --step default-set capabilities </dev/null 2>&1); rc=$?
check "a yes noted for this boot: the gate does not ask again (exit $rc, the engine's 3)" \
	bash -c '[ "$1" -eq 3 ] && grep -q "confirmed earlier in this boot" <<<"$2"' _ "$rc" "$out"
echo 00000000-0000-0000-0000-000000000000 >"$gbase/gate-confirmed"
ISOLAB_SCRATCH_BASE=$gbase ISOLAB_ISOLATED_VM= ISOLAB_LABS=labs $ISOLAB run --step default-set capabilities </dev/null >/dev/null 2>&1
check "a note of another boot does not count: exit 2" [ $? -eq 2 ]
rm -rf "$gbase"
out=$(ISOLAB_LABS=labs $ISOLAB --engine tests/fixtures/engine/bin/daemon-down run capabilities 2>&1); rc=$?
[ $rc -eq 3 ] && [[ "$out" == *"daemon is not running"* ]]; check "the engine down: exit 3 and what to do" [ $? -eq 0 ]

check "nothing left by these runs" [ "$(labelled_left isolab.lab=expect-hold)$(labelled_left isolab.lab=expect-fail)" = 00 ]
tap_done
