#!/usr/bin/env bash
# test_cleanup.sh: `isolab cleanup` against a real dockerd. Sessions killed
# with SIGKILL leave containers and scratch dirs behind, a live session and a
# stray witness run; cleanup names each thing it removes and leaves nothing
# labelled (--force: the live one too); a second run says nothing was left; with no engine it still
# removes dirs and witnesses and exits 3. `isolab cleanup` removes every
# isolab session on the engine, so outside CI this test skips when other
# sessions are about. Needs root and an engine; under CI=true their absence
# is a failure.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/session.sh

ISOLAB=${ISOLAB:-./isolab}
base=/run/isolab
set -m # background jobs keep SIGINT/SIGQUIT; see test_session.sh

[ "$(id -u)" = 0 ] || cannot_run "the cleanup e2e test needs root"
docker info >/dev/null 2>&1 || scripts/dockerd >/dev/null 2>&1
docker info >/dev/null 2>&1 || cannot_run "no Docker engine answers (scripts/dockerd could not start one)"
[ -x "$ISOLAB" ] || cannot_run "no isolab binary at $ISOLAB (run make, or set ISOLAB)"
command -v jq >/dev/null || command -v python3 >/dev/null || cannot_run "needs jq or python3 to read JSON"

witnesses() { # pids of isolab-witness processes that are not zombies
	local p
	for p in /proc/[0-9]*; do
		[ "$(cat "$p/comm" 2>/dev/null)" = isolab-witness ] || continue
		[ "$(sed 's/.*) //' "$p/stat" 2>/dev/null | cut -d' ' -f1)" = Z ] && continue
		echo "${p#/proc/}"
	done
}
session_dirs() { ls -d "$base"/[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f] 2>/dev/null; }

if [ "${CI:-}" != true ]; then
	busy=$(docker ps -aq --filter label=isolab.session)
	[ -z "$busy" ] && [ -z "$(session_dirs)" ] && [ -z "$(witnesses)" ] ||
		cannot_run "other isolab sessions exist on this machine; isolab cleanup would remove them"
fi

tmp=$(mktemp -d)
bgpids=()
dirs=()
cleanup() {
	local p ids d
	for p in "${bgpids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	ids=$(docker ps -aq --filter label=isolab.lab=cleanup-test 2>/dev/null)
	[ -n "$ids" ] && docker rm -f $ids >/dev/null 2>&1
	rm -f "$base/not-a-session"
	[ -n "${mounted:-}" ] && umount "$mounted"
	for d in "${dirs[@]}"; do
		case $d in "$base"/????????????) rm -rf --one-file-system "$d" ;; esac
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP


# The image, as test_session.sh finds or builds it.
if [ -z "${ISOLAB_TEST_IMAGE:-}" ]; then
	ISOLAB_TEST_IMAGE=$(e2e_image) || cannot_run "the lab image could not be built (isolab __image build)"
fi
export ISOLAB_TEST_IMAGE

# hold STEP: a held session in the background; sets hold_pid, line and
# hold_err (tests/lib/session.sh).
hold() { hold_session cleanup-test "$1"; }

# A stray witness: what a session leaves when its witness outlives it.
stray_witness() {
	env -i ISOLAB_NONCE=0123456789abcdef0123456789abcdef ISOLAB_SESSION="$1" PATH=/usr/bin:/bin \
		"$ISOLAB" __witness &
	stray=$!
	bgpids+=("$stray")
	for _ in $(seq 50); do
		[ "$(cat "/proc/$stray/comm" 2>/dev/null)" = isolab-witness ] && return 0
		sleep 0.1
	done
	return 1
}

# --- leave things behind ---------------------------------------------------------
# All three sessions run at once: a session that starts sweeps what dead
# ones left, so the two are killed only once no other will start.
names=()
pids=()
for step in one two live; do
	if ! hold "$step"; then
		not_ok "session $step starts"
		continue
	fi
	pids+=("$hold_pid")
	names+=($(jget "$line" names))
	dirs+=("$(jget "$line" scratch)")
	[ "$step" = live ] && { live_pid=$hold_pid; live_w=$(jget "$line" witness); }
done
check "three sessions run" [ "${#pids[@]}" = 3 ]
for p in "${pids[@]:0:2}"; do
	kill -KILL "$p"
	wait "$p" 2>/dev/null
done
check "sessions killed with SIGKILL leave their containers (6 in all)" \
	[ "$(docker ps -aq --filter label=isolab.session | wc -l)" = 6 ]
check "and their scratch dirs (3 in all)" [ "$(session_dirs | wc -l)" = 3 ]
stray_witness aaaaaaaaaaaa
check "a stray witness runs" [ -d "/proc/$stray" ]
touch "$base/not-a-session"

# --- isolab cleanup --force ----------------------------------------------------------
# --force takes the live session too (plain cleanup leaves it: test_faults.sh).
out=$("$ISOLAB" cleanup --force 2>"$tmp/cleanup.err")
rc=$?
while IFS= read -r l; do diag "cleanup: $l"; done <<<"$out"
check "isolab cleanup --force exits 0 (got $rc)" [ "$rc" = 0 ]
check "isolab cleanup says nothing on stderr" [ ! -s "$tmp/cleanup.err" ]
[ -s "$tmp/cleanup.err" ] && diag "$(cat "$tmp/cleanup.err")"
check "it says it removed 6 containers" grep -q '^removed 6 containers: ' <<<"$out"
for n in "${names[@]}"; do
	check "it names container $n" grep -qw -- "$n" <<<"$out"
done
# Each session has two dirs: its scratch dir and its disk canary's dir.
check "it says it removed 6 session dirs (3 scratch, 3 disk canary)" grep -q '^removed 6 scratch dirs: ' <<<"$out"
check "the disk canary dirs are among them" [ "$(grep -o '/var/lib/isolab/[0-9a-f]*' <<<"$out" | sort -u | wc -l)" = 3 ]
for d in "${dirs[@]}"; do
	check "it names scratch dir $d" grep -q -- "$d" <<<"$out"
done
check "it says it killed 2 witness processes" grep -q '^killed 2 witness processes: ' <<<"$out"
check "it names the stray witness $stray" grep -qw "$stray" <<<"$(grep '^killed' <<<"$out")"
[ -n "$live_pid" ] && check "it names the live session's witness $live_w" \
	grep -qw "$live_w" <<<"$(grep '^killed' <<<"$out")"
check "it ends with: nothing else left" [ "$(tail -n 1 <<<"$out")" = "nothing else left" ]
check "no container labelled isolab.session is left" \
	[ -z "$(docker ps -aq --filter label=isolab.session)" ]
check "no session dir is left under $base" [ -z "$(session_dirs)" ]
check "no witness is left" [ -z "$(witnesses)" ]
check "what is not a session dir stays ($base/not-a-session)" [ -e "$base/not-a-session" ]
rm -f "$base/not-a-session"
check "$base itself stays" [ -d "$base" ]

if [ -n "$live_pid" ]; then
	kill -TERM "$live_pid"
	wait "$live_pid"
	rc=$?
	check "the live session, cleaned under its feet, still ends on SIGTERM (143, got $rc)" \
		[ "$rc" = 143 ]
	check "and its own cleanup found nothing to complain about" [ ! -s "$hold_err" ]
	[ -s "$hold_err" ] && diag "$(cat "$hold_err")"
fi

# --- a second run ----------------------------------------------------------------------
out=$("$ISOLAB" cleanup 2>&1)
rc=$?
check "a second cleanup exits 0" [ "$rc" = 0 ]
check "a second cleanup says nothing was left ($out)" \
	[ "$out" = "nothing to clean up: no isolab container, scratch dir or witness was left" ]
out=$("$ISOLAB" cleanup --json 2>&1)
check "cleanup --json: empty lists and no error" \
	[ "$(jget "$out" containers)|$(jget "$out" scratch_dirs)|$(jget "$out" witnesses)|$(jget "$out" failures)|$(jget "$out" engine_checked)|$(jget "$out" error)" = "||||true|" ]

# --- a mount inside a scratch dir is never descended into ---------------------------
mnt_id=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
mkdir -p "$base/$mnt_id/m"
dirs+=("$base/$mnt_id")
echo x >"$base/$mnt_id/file"
if mount -t tmpfs isolab-test "$base/$mnt_id/m" 2>/dev/null; then
	mounted=$base/$mnt_id/m
	echo keep >"$mounted/inner"
	# No owner file: only --force takes it (plain cleanup leaves a dir that
	# may be a session being born).
	out=$("$ISOLAB" cleanup --force 2>&1)
	rc=$?
	check "a mount point inside a scratch dir: cleanup exits 1 (got $rc)" [ "$rc" = 1 ]
	check "it says the mount point is left in place" \
		grep -q "left in place: $mounted is a mount point" <<<"$out"
	check "what is on the mount survives" [ "$(cat "$mounted/inner")" = keep ]
	check "the rest of the dir is removed" [ ! -e "$base/$mnt_id/file" ]
	umount "$mounted" && mounted=
	out=$("$ISOLAB" cleanup --force 2>&1)
	check "once unmounted, cleanup removes the dir" \
		eval '[ ! -e "$base/$mnt_id" ] && grep -q "removed 1 scratch dir: $base/$mnt_id" <<<"$out"'
else
	diag "cannot mount a tmpfs here: the mount point case is not tested"
fi

# --- no engine: dirs and witnesses still go, exit 3 ---------------------------------------
fake=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
mkdir -m 0700 "$base/$fake"
dirs+=("$base/$fake")
echo 1:1 >"$base/$fake/owner"
stray_witness "$fake"
out=$("$ISOLAB" --engine /nonexistent/docker cleanup --json 2>"$tmp/noengine.err")
rc=$?
check "no engine: exit 3 (got $rc)" [ "$rc" = 3 ]
check "no engine: the scratch dir is removed and named" \
	eval '[ ! -e "$base/$fake" ] && grep -qw "$base/$fake" <<<"$(jget "$out" scratch_dirs)"'
check "no engine: the witness is killed and named" \
	eval '[ ! -d "/proc/$stray" ] || [ "$(sed "s/.*) //" /proc/$stray/stat | cut -d" " -f1)" = Z ]'
check "no engine: the witness is named" grep -qw "$stray" <<<"$(jget "$out" witnesses)"
check "no engine: the error says so" grep -qi "docker\|engine" <<<"$(jget "$out" error)"
check "no engine: containers were not checked" [ "$(jget "$out" engine_checked)" = false ]
wait "$stray" 2>/dev/null
out=$("$ISOLAB" --engine /nonexistent/docker cleanup 2>&1)
check "no engine, text: says containers were not checked" grep -q "containers not checked" <<<"$out"

tap_done
