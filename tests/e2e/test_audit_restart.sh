#!/usr/bin/env bash
# test_audit_restart.sh: `isolab audit` of a container that restarts
# (--restart always, every capability, --pid host, a command that exits at
# once) on a private engine. Docker's ps lists it while it is restarting or
# between runs, so its process often cannot be read: that must never be a
# pass ("No findings: 0 containers reviewed", exit 0). Issue 11, section 4.
# Needs root and dockerd; under CI=true their absence is a failure.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/dockerd.sh

ISOLAB=${ISOLAB:-./isolab}

[ "$(id -u)" = 0 ] || cannot_run "needs root"
command -v dockerd >/dev/null || cannot_run "needs dockerd"
command -v jq >/dev/null || cannot_run "needs jq to read JSON"
[ -x "$ISOLAB" ] || cannot_run "no isolab binary at $ISOLAB (run make, or set ISOLAB)"

tmp=$(mktemp -d)
trap 'dockerd_stop; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM HUP
dockerd_start || cannot_run "the private dockerd did not start"
image=$(dockerd_image) || cannot_run "the lab image could not be built"

name=restarter-$$
# Every capability this host grants: these development machines lack
# CAP_SYS_RESOURCE in their bounding set (DESIGN.md), where ALL fails.
drop=()
grep -q '^CapBnd:.*' /proc/self/status && ! capsh --has-b=cap_sys_resource 2>/dev/null &&
	drop=(--cap-drop SYS_RESOURCE)
out=$(docker run -d --pull=never --network none --restart always --cap-add ALL "${drop[@]}" \
	--pid host --name "$name" "$image" false 2>&1) || cannot_run "docker run --restart always: $out"

bad=0 unread=0 read=0
for run in $(seq 20); do
	json=$("$ISOLAB" audit --json 2>"$tmp/err")
	rc=$?
	"$ISOLAB" audit >"$tmp/text" 2>&1
	trc=$?
	# The container is there every time, and a pass only with its findings.
	if ! jq -e --arg n "$name" 'any(.[]; .name == $n and (.gone | not))' <<<"$json" >/dev/null ||
		[ "$rc" = 0 ] || [ "$trc" = 0 ] || grep -q "^No findings" "$tmp/text"; then
		bad=$((bad + 1))
		diag "run $run: json exit $rc, text exit $trc: $(head -c 300 "$tmp/text")"
		continue
	fi
	if jq -e --arg n "$name" '.[] | select(.name == $n) | has("error")' <<<"$json" >/dev/null; then
		unread=$((unread + 1))
		jq -e --arg n "$name" '.[] | select(.name == $n) |
			(.error | type == "string") and
			any(.findings[]; .check == "host-pid" and (.evidence | startswith("from Docker")))' \
			<<<"$json" >/dev/null || { bad=$((bad + 1)); diag "run $run: error without Docker's view"; }
		grep -q "^Not a pass: " "$tmp/text" || grep -q "findings of" "$tmp/text" ||
			{ bad=$((bad + 1)); diag "run $run: text: $(head -c 300 "$tmp/text")"; }
	else
		read=$((read + 1))
	fi
done
check "20 audits of a restarting container: never 'No findings', never exit 0, never missing" \
	[ "$bad" = 0 ]
diag "its process unreadable in $unread runs, read in $read"
check "exit 1 (not a pass), not 2-4, on the last run (got $rc)" [ "$rc" = 1 ]

tap_done
