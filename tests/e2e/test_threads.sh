#!/usr/bin/env bash
# test_threads.sh: isolab's threaded reads under ThreadSanitizer. inspect
# and audit of many containers read /proc on worker threads, and, for
# containers named by full id, while docker inspect runs on the main one.
# The ThreadSanitizer build (make test-build puts it in $B/tsan/isolab)
# must report no race and give exactly the normal binary's answer.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
ISOLAB=${ISOLAB:-./isolab}
TSAN_ISOLAB=${TSAN_ISOLAB:-${B:-build}/tsan/isolab}
e2e_require
[ -x "$TSAN_ISOLAB" ] || cannot_run "no ThreadSanitizer build at $TSAN_ISOLAB (make test-build)"

image=${ISOLAB_TEST_IMAGE:-$(e2e_image)} || cannot_run "the lab image could not be built"
label=isolab.e2e=threads-$$
tmp=$(mktemp -d)
cleanup() {
	local ids
	ids=$(docker ps -aq --filter "label=$label" 2>/dev/null)
	[ -n "$ids" ] && docker rm -f $ids >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# Twelve containers, more than the threads, in a mix that gives the audit
# findings to make.
for i in $(seq 0 11); do
	case $((i % 4)) in
	0) flags=() ;;
	1) flags=(--cap-add NET_ADMIN) ;;
	2) flags=(-v /etc:/host-etc:ro) ;;
	3) flags=(--read-only --security-opt no-new-privileges) ;;
	esac
	docker run -d --pull=never --network none --label "$label" --name "isolab-e2e-$$-t$i" \
		"${flags[@]}" "$image" >/dev/null &
done
wait
ids=$(docker ps -q --no-trunc --filter "label=$label")
check "twelve containers run" [ "$(wc -w <<<"$ids")" -eq 12 ]

# halt_on_error: a race ends the run with TSan's exit code (66), not ours.
export TSAN_OPTIONS="halt_on_error=1 exitcode=66"

# shellcheck disable=SC2086
"$TSAN_ISOLAB" inspect --json $ids >"$tmp/tsan.json" 2>"$tmp/tsan.err"; rc=$?
check "inspect by full id under TSan: exit 0, no race" [ $rc -eq 0 ]
grep -q ThreadSanitizer "$tmp/tsan.err" && diag "$(head -40 "$tmp/tsan.err")"
# shellcheck disable=SC2086
"$ISOLAB" inspect --json $ids >"$tmp/plain.json"
check "inspect by full id under TSan: the normal binary's answer" cmp -s "$tmp/tsan.json" "$tmp/plain.json"

# Each container read early holds a descriptor until Docker answers: with
# few descriptors only some are read early (140: six of the twelve), the
# rest after; with fewer still, none. The answer is the same.
for lim in 140 100; do
	# shellcheck disable=SC2086
	(ulimit -n $lim && exec "$TSAN_ISOLAB" inspect --json $ids) >"$tmp/tsan.json" 2>"$tmp/tsan.err"; rc=$?
	[ $rc -eq 0 ] && cmp -s "$tmp/tsan.json" "$tmp/plain.json"
	check "inspect by full id with ulimit -n $lim: exit 0, no race, the same answer" [ $? -eq 0 ]
	grep -q ThreadSanitizer "$tmp/tsan.err" && diag "$(head -40 "$tmp/tsan.err")"
done

# By name: no early read, the worker threads alone.
names=$(docker ps --format '{{.Names}}' --filter "label=$label")
# shellcheck disable=SC2086
"$TSAN_ISOLAB" inspect --json $names >/dev/null 2>"$tmp/tsan.err"; rc=$?
check "inspect by name under TSan: exit 0, no race" [ $rc -eq 0 ]
grep -q ThreadSanitizer "$tmp/tsan.err" && diag "$(head -40 "$tmp/tsan.err")"

# audit of all running containers names each by full id, as --container
# does here; naming ours keeps the answer to them alone, whatever else runs.
sel=()
for id in $ids; do sel+=(--container "$id"); done
"$TSAN_ISOLAB" audit --json "${sel[@]}" >"$tmp/tsan.json" 2>"$tmp/tsan.err"; rc=$?
check "audit under TSan: exit 1 (open high findings), no race" [ $rc -eq 1 ]
grep -q ThreadSanitizer "$tmp/tsan.err" && diag "$(head -40 "$tmp/tsan.err")"
"$ISOLAB" audit --json "${sel[@]}" >"$tmp/plain.json"
check "audit under TSan: the normal binary's findings" cmp -s "$tmp/tsan.json" "$tmp/plain.json"
check "audit saw all twelve" [ "$(jq '[.[] | select(.name | startswith("isolab-e2e-'$$'-t"))] | length' "$tmp/plain.json")" -eq 12 ]
"$TSAN_ISOLAB" audit --json >/dev/null 2>"$tmp/tsan.err"; rc=$?
check "audit of every running container under TSan: no race" [ $rc -ne 66 ]
grep -q ThreadSanitizer "$tmp/tsan.err" && diag "$(head -40 "$tmp/tsan.err")"

tap_done
