#!/usr/bin/env bash
# test_session.sh: a session against a real dockerd, through the hidden test
# driver `isolab __session-demo`: the scratch dir, the canary, the host
# witness, the labels of its containers; nothing left after a normal end nor
# after SIGTERM, SIGHUP or SIGINT in the middle (and the exit status is the
# signal's); a session killed with SIGKILL is swept by the next one, while a
# live one is not. Needs root and an engine; under CI=true their absence is
# a failure.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh

ISOLAB=${ISOLAB:-./isolab}
base=/run/isolab
# Job control: without it, bash starts background jobs with SIGINT ignored,
# and isolab (like any well-behaved program) keeps an ignored SIGINT so.
set -m

[ "$(id -u)" = 0 ] || cannot_run "the session e2e test needs root"
docker info >/dev/null 2>&1 || scripts/dockerd >/dev/null 2>&1
docker info >/dev/null 2>&1 || cannot_run "no Docker engine answers (scripts/dockerd could not start one)"
[ -x "$ISOLAB" ] || cannot_run "no isolab binary at $ISOLAB (run make, or set ISOLAB)"
command -v jq >/dev/null || command -v python3 >/dev/null || cannot_run "needs jq or python3 to read JSON"

tmp=$(mktemp -d)
sessions=()  # every session id seen, for the trap
bgpids=()

cleanup() {
	local s ids p
	for p in "${bgpids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	for s in "${sessions[@]}"; do
		ids=$(docker ps -aq --filter "label=isolab.session=$s" 2>/dev/null)
		[ -n "$ids" ] && docker rm -f $ids >/dev/null 2>&1
		case $s in ????????????) rm -rf "${base:?}/$s" ;; esac
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP


# --- the image: the lab image if built, else a tiny one of our own ----------
if [ -z "${ISOLAB_TEST_IMAGE:-}" ]; then
	ISOLAB_TEST_IMAGE=$(e2e_image) || cannot_run "the lab image could not be built (isolab __image build)"
fi
export ISOLAB_TEST_IMAGE
diag "image: $ISOLAB_TEST_IMAGE"

# --- helpers -------------------------------------------------------------------

# hold LAB STEP: start a held session in the background; sets hold_pid and
# line (its JSON). Fails when no line comes within 60 s.
hold() {
	local out=$tmp/hold-$RANDOM.out
	(signals_default "$ISOLAB" __session-demo --lab "$1" --step "$2" --hold) >"$out" 2>"$out.err" &
	hold_pid=$!
	bgpids+=("$hold_pid")
	line=
	for _ in $(seq 600); do
		if [ -s "$out" ]; then
			line=$(head -n 1 "$out")
			break
		fi
		kill -0 "$hold_pid" 2>/dev/null || break
		sleep 0.1
	done
	if [ -z "$line" ]; then
		diag "no session line from isolab; stderr:"
		while IFS= read -r l; do diag "  $l"; done <"$out.err"
		return 1
	fi
	sessions+=("$(jget "$line" session)")
	hold_err=$out.err
}

# stop SIGNAL: send it to the held session, wait; sets rc.
stop() {
	kill "-$1" "$hold_pid"
	wait "$hold_pid"
	rc=$?
}

# alive PID: the process runs (a zombie does not).
alive() {
	local st
	[ -r "/proc/$1/stat" ] || return 1
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

labelled() { docker ps -aq --filter "label=isolab.session=$1"; }

# nothing_left WHAT SESSION DIR WITNESS
nothing_left() {
	local left w=$4
	left=$(labelled "$2")
	check "$1: no container labelled isolab.session=$2 is left" [ -z "$left" ]
	check "$1: the scratch dir $3 is gone" [ ! -e "$3" ]
	check "$1: the witness $w is gone" eval '! alive "$w"'
}

# --- a held session: what it made ------------------------------------------------
if ! hold lab-one step-a; then
	not_ok "a session starts and prints itself"
	tap_done
	exit 1
fi
ok "a session starts and prints itself"
sid=$(jget "$line" session)
scratch=$(jget "$line" scratch)
nonce=$(jget "$line" nonce)
witness=$(jget "$line" witness)
read -r -a ids <<<"$(jget "$line" containers)"

check "the session id is 12 lowercase hex digits ($sid)" eval '[[ $sid =~ ^[0-9a-f]{12}$ ]]'
check "the nonce is 32 lowercase hex digits" eval '[[ $nonce =~ ^[0-9a-f]{32}$ ]]'
check "the scratch dir is $base/<id>" [ "$scratch" = "$base/$sid" ]
check "the scratch dir exists" [ -d "$scratch" ]
check "the scratch dir has mode 0700" [ "$(stat -c %a "$scratch")" = 700 ]
check "the canary holds the nonce and a newline" \
	eval '[ "$(cat "$scratch/canary")" = "$nonce" ] && [ "$(stat -c %s "$scratch/canary")" = 33 ]'
check "the canary has mode 0644" [ "$(stat -c %a "$scratch/canary")" = 644 ]

check "the witness runs" alive "$witness"
check "the witness is called isolab-witness" [ "$(cat "/proc/$witness/comm")" = isolab-witness ]
check "the witness is isolab's child" [ "$(ps -o ppid= -p "$witness" | tr -d ' ')" = "$hold_pid" ]
wpgid=$(ps -o pgid= -p "$witness" | tr -d ' ')
check "the witness is in its own process group" [ "$wpgid" = "$witness" ]
check "the witness is not in isolab's process group" \
	[ "$wpgid" != "$(ps -o pgid= -p "$hold_pid" | tr -d ' ')" ]
check "the witness is not PID 1" [ "$witness" != 1 ]
env_lines=$(tr '\0' '\n' <"/proc/$witness/environ")
check "the witness's environ holds ISOLAB_NONCE=<nonce>" grep -qx "ISOLAB_NONCE=$nonce" <<<"$env_lines"
check "the witness's environ holds ISOLAB_SESSION=<id>" grep -qx "ISOLAB_SESSION=$sid" <<<"$env_lines"
check "the witness's environ holds those, PATH and nothing else" \
	[ "$(grep -vc '^PATH=' <<<"$env_lines")" = 2 ]
fds=$(ls "/proc/$witness/fd" | sort | tr '\n' ' ')
check "the witness holds only fds 0-2 ($fds)" [ "$fds" = "0 1 2 " ]
check "the witness does not hold the terminal (fds are /dev/null)" \
	eval '[ "$(readlink "/proc/$witness/fd/0")" = /dev/null ] && [ "$(readlink "/proc/$witness/fd/2")" = /dev/null ]'

start=$(sed 's/.*) //' "/proc/$hold_pid/stat" | cut -d' ' -f20)
check "two containers were started" [ "${#ids[@]}" = 2 ]
for id in "${ids[@]}"; do
	info=$(docker inspect -f '{{.Name}}|{{index .Config.Labels "isolab.session"}}|{{index .Config.Labels "isolab.lab"}}|{{index .Config.Labels "isolab.step"}}|{{index .Config.Labels "isolab.owner"}}|{{.HostConfig.NetworkMode}}|{{.State.Running}}' "$id")
	IFS='|' read -r cname l_sess l_lab l_step l_owner net running <<<"$info"
	check "container ${id:0:12} runs" [ "$running" = true ]
	check "container ${id:0:12} is named isolab-<id>-step-a-* ($cname)" \
		eval '[[ $cname == /isolab-$sid-step-a-* ]]'
	check "container ${id:0:12} has isolab.session=<id>" [ "$l_sess" = "$sid" ]
	check "container ${id:0:12} has isolab.lab=lab-one" [ "$l_lab" = lab-one ]
	check "container ${id:0:12} has isolab.step=step-a" [ "$l_step" = step-a ]
	check "container ${id:0:12} has isolab.owner=<pid>:<starttime> ($l_owner)" \
		[ "$l_owner" = "$hold_pid:$start" ]
	check "container ${id:0:12} runs with --network none" [ "$net" = none ]
done

stop TERM
check "SIGTERM: isolab's exit status is the signal's (143, got $rc)" [ "$rc" = 143 ]
check "SIGTERM: nothing on stderr" [ ! -s "$hold_err" ]
nothing_left "SIGTERM" "$sid" "$scratch" "$witness"

# --- a normal end ----------------------------------------------------------------
out=$("$ISOLAB" __session-demo --lab lab-one --step step-b 2>"$tmp/normal.err")
rc=$?
check "a normal end exits 0" [ "$rc" = 0 ]
[ -s "$tmp/normal.err" ] && diag "$(cat "$tmp/normal.err")"
n_sid=$(jget "$out" session)
sessions+=("$n_sid")
check "a normal run printed its session" [ -n "$n_sid" ]
nothing_left "normal end" "$n_sid" "$base/$n_sid" "$(jget "$out" witness)"

# --- SIGHUP and SIGINT in the middle ------------------------------------------------
for sig in HUP INT; do
	num=$(kill -l "$sig")
	if ! hold lab-one "step-$sig"; then
		not_ok "SIG$sig: a held session starts"
		continue
	fi
	s=$(jget "$line" session)
	w=$(jget "$line" witness)
	stop "$sig"
	check "SIG$sig: isolab's exit status is the signal's ($((128 + num)), got $rc)" \
		[ "$rc" = $((128 + num)) ]
	nothing_left "SIG$sig" "$s" "$base/$s" "$w"
done

# --- a signal at once, whatever isolab is doing (opening, starting docker) ---------
for delay in 0.05 0.3 0.8; do
	out=$tmp/early-$delay.out
	"$ISOLAB" __session-demo --lab lab-one --step early --hold >"$out" 2>"$out.err" &
	p=$!
	bgpids+=("$p")
	sleep "$delay"
	kill -TERM "$p"
	wait "$p"
	rc=$?
	check "SIGTERM after ${delay}s: exit status 143 (got $rc)" [ "$rc" = 143 ]
	# Its owner label names it: whatever it made carries pid $p.
	sleep 0.5
	left=$(docker ps -aq --filter label=isolab.owner | while read -r id; do
		docker inspect -f '{{index .Config.Labels "isolab.owner"}}' "$id" 2>/dev/null
	done | grep -c "^$p:")
	check "SIGTERM after ${delay}s: no container of it is left" [ "$left" = 0 ]
	dirs=$(grep -lx "$p:.*" "$base"/*/owner 2>/dev/null | wc -l)
	check "SIGTERM after ${delay}s: no scratch dir of it is left" [ "$dirs" = 0 ]
done

# --- an orphan: SIGKILL leaves things behind, the next session sweeps them -----------
if hold lab-one step-orphan; then
	o_sid=$(jget "$line" session)
	o_w=$(jget "$line" witness)
	o_ids=$(jget "$line" containers)
	stop KILL
	check "SIGKILL: exit status 137 (got $rc)" [ "$rc" = 137 ]
	check "SIGKILL: its two containers are left behind" [ "$(labelled "$o_sid" | wc -l)" = 2 ]
	check "SIGKILL: its scratch dir is left behind" [ -d "$base/$o_sid" ]
	# The witness dies with its parent (PR_SET_PDEATHSIG).
	for _ in $(seq 50); do alive "$o_w" || break; sleep 0.1; done
	check "SIGKILL: the witness died with isolab" eval '! alive "$o_w"'

	# The next session sweeps the orphan; it stays alive, and the one
	# after it must leave it alone.
	if hold lab-one step-live; then
		l_sid=$(jget "$line" session)
		l_w=$(jget "$line" witness)
		swept=$(jget "$line" swept.containers)
		for id in $o_ids; do
			check "the next session swept the orphan's container ${id:0:12}" \
				grep -qw "$id" <<<"$swept"
		done
		check "the next session swept the orphan's scratch dir" \
			grep -qw "$base/$o_sid" <<<"$(jget "$line" swept.dirs)"
		check "no container of the orphan is left" [ -z "$(labelled "$o_sid")" ]
		check "the orphan's scratch dir is gone" [ ! -e "$base/$o_sid" ]

		out=$("$ISOLAB" __session-demo --lab lab-one --step step-next 2>"$tmp/next.err")
		check "a session next to a live one runs" [ $? = 0 ]
		sessions+=("$(jget "$out" session)")
		check "it swept nothing of the live session" \
			eval '! grep -q "$l_sid" <<<"$(jget "$out" swept.dirs) $(jget "$out" swept.containers)"'
		check "the live session's containers are still there" [ "$(labelled "$l_sid" | wc -l)" = 2 ]
		check "the live session's scratch dir is still there" [ -d "$base/$l_sid" ]
		check "the live session's witness still runs" alive "$l_w"
		stop TERM
		check "the live session ends on SIGTERM (143, got $rc)" [ "$rc" = 143 ]
		nothing_left "the live session" "$l_sid" "$base/$l_sid" "$l_w"
	else
		not_ok "a live session starts"
	fi
else
	not_ok "a session to orphan starts"
fi

tap_done
