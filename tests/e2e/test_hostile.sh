#!/usr/bin/env bash
# test_hostile.sh: the hostile corpus (tests/fixtures/labs/hostile, issue
# 11 sections 1 and 2). check-labs refuses every file with exit 2 and a
# FILE:LINE:COL; `isolab run` without a terminal refuses it too, before any
# container starts; and a lab that reaches the host by an accepted
# spelling is listed in Docker's canonical spelling and refused unasked.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
ISOLAB=${ISOLAB:-./isolab}
e2e_require
export ISOLAB_ISOLATED_VM=1 XDG_STATE_HOME=$(mktemp -d)
trap 'rm -rf "$XDG_STATE_HOME"' EXIT

before=$(docker ps -aq | wc -l)
for f in tests/fixtures/labs/hostile/*.yaml; do
	n=$(basename "$f" .yaml)
	out=$($ISOLAB check-labs "$f" 2>&1); rc=$?
	check "$n: check-labs exits 2" [ $rc -eq 2 ]
	check "$n: check-labs names FILE:LINE:COL" grep -qE "^$f:[0-9]+:[0-9]+: " <<<"$out"
	out=$($ISOLAB run "$f" </dev/null 2>&1); rc=$?
	check "$n: run without a terminal exits 2" [ $rc -eq 2 ]
	check "$n: run names FILE:LINE:COL" grep -qE "^$f:[0-9]+:[0-9]+: " <<<"$out"
done
check "no container was started by any hostile lab" [ "$(docker ps -aq | wc -l)" -eq "$before" ]

# An accepted spelling that reaches the host: listed as Docker gets it.
lab=$(mktemp --suffix=.yaml)
sed 's|flags: \[.*\]|flags: ["-v/:/host"]|' tests/fixtures/labs/hostile/volume-named.yaml |
	sed 's/^id: .*/id: reach-short/' >"$lab"
out=$($ISOLAB run "$lab" </dev/null 2>&1); rc=$?
check "reach by -v/:/host: run without a terminal exits 2" [ $rc -eq 2 ]
check "reach by -v/:/host: listed in the canonical spelling" grep -q -- "--volume /:/host" <<<"$out"
check "reach by -v/:/host: no container started" [ "$(docker ps -aq | wc -l)" -eq "$before" ]
rm -f "$lab"
tap_done
