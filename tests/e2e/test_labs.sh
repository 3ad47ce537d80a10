#!/usr/bin/env bash
# test_labs.sh: every shipped lab run for real with `isolab run LAB --json`,
# and its transcript asserted: each step held, and the expectations and
# proofs that make the lesson are there. Afterwards nothing is left: no
# labelled container, no scratch dir, no witness.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
ISOLAB=${ISOLAB:-./isolab}
e2e_require
export ISOLAB_ISOLATED_VM=1 ISOLAB_LABS=${ISOLAB_LABS:-labs}
# Progress goes to a state dir of the test's own, never the user's.
export XDG_STATE_HOME=$(mktemp -d)
trap 'rm -rf "$XDG_STATE_HOME"' EXIT

declare -A T
for lab in capabilities host-mounts nsenter; do
	T[$lab]=$($ISOLAB run --json "$lab" 2>/tmp/isolab-e2e-labs.$$); rc=$?
	check "$lab: isolab run --json exits 0" [ $rc -eq 0 ]
	[ $rc -eq 0 ] || sed 's/^/# /' /tmp/isolab-e2e-labs.$$
	check "$lab: the transcript says it held" [ "$(jq .held <<<"${T[$lab]}")" = true ]
	check "$lab: every step ran and held" \
		[ "$(jq '[.steps[] | .held] | all' <<<"${T[$lab]}")" = true ]
	check "$lab: no step failed an expectation" [ "$(jq .failed <<<"${T[$lab]}")" = 0 ]
	check "$lab: every step removed its containers" \
		[ "$(jq '[.steps[] | (.removed | length) == ([.containers[] | select(.id != null)] | length)] | all' <<<"${T[$lab]}")" = true ]
done
rm -f /tmp/isolab-e2e-labs.$$

# held EXPR LAB STEP: the expectation whose text matches EXPR held.
held() {
	jq -e --arg s "$3" --arg x "$1" \
		'.steps[] | select(.step == $s) | .expectations[] | select(.text | test($x)) | .held' \
		<<<"${T[$2]}" >/dev/null
}
action() { jq -r --arg s "$2" --arg a "$3" ".steps[] | select(.step == \$s) | .actions[] | select(.id == \$a) | $4" <<<"${T[$1]}"; }
nonce_read() { # the action's stdout holds a 32-hex nonce
	[[ "$(action "$1" "$2" "$3" .stdout)" =~ [0-9a-f]{32} ]]
}

# capabilities
c=capabilities
check "$c: default set is Docker's 14" [ "$(jq -r '.steps[] | select(.step == "default-set") | .containers[0].inspect.caps.effective.hex' <<<"${T[$c]}")" = 00000000a80425fb ]
check "$c: mount denied without cap_sys_admin" [ "$(action $c default-set mount .result)" = denied ]
check "$c: cap-drop ALL denies chown" [ "$(action $c drop-all chown-dropped .result)" = denied ]
check "$c: default allows chown" [ "$(action $c drop-all chown-default .result)" = allowed ]
check "$c: least privilege keeps only net_bind_service" \
	[ "$(jq -r '.steps[] | select(.step == "least-privilege") | .containers[] | select(.name == "least") | .inspect.caps.effective.names | join(",")' <<<"${T[$c]}")" = cap_net_bind_service ]
check "$c: NET_ADMIN sets the MTU in its own namespace" [ "$(action $c net-admin mtu-netadmin .result)" = allowed ]
lsm=$(jq -r .host.lsm <<<"${T[$c]}")
privileged=$(jq -r .host.privileged <<<"${T[$c]}")
diag "this host: lsm $lsm, --privileged $privileged"
if [ "$lsm" = apparmor ]; then
	check "$c: under AppArmor, docker-default refuses the tracer" [ "$(action $c ptrace-host-pid read-tracer .result)" = denied ]
	check "$c: the unconfined tracer reads the witness's nonce" nonce_read $c ptrace-host-pid read-unconfined
	check "$c: the step says what AppArmor changed" \
		[ "$(jq '.steps[] | select(.step == "ptrace-host-pid") | .notes | length' <<<"${T[$c]}")" = 1 ]
else
	check "$c: SYS_PTRACE + --pid=host reads the witness's nonce" nonce_read $c ptrace-host-pid read-tracer
	check "$c: without an LSM there is no third, unconfined tracer" \
		[ "$(jq '[.steps[] | select(.step == "ptrace-host-pid") | .containers[] | select(.name == "unconfined")] | length' <<<"${T[$c]}")" = 0 ]
	check "$c: and no note about what the host changed" \
		[ "$(jq '.steps[] | select(.step == "ptrace-host-pid") | .notes | length' <<<"${T[$c]}")" = 0 ]
fi
check "$c: cap_dac_read_search reads the disk canary by handle (shocker)" nonce_read $c shocker shocker-dacread
check "$c: without it the handle is refused" [ "$(action $c shocker shocker-default .result)" = denied ]
check "$c: without SYS_PTRACE it is denied" [ "$(action $c ptrace-host-pid read-hostpid .result)" = denied ]
check "$c: the privileged container runs privileged" held 'runs privileged' $c privileged
check "$c: the comparison lists cap_sys_admin added" \
	[ "$(jq -r '.steps[] | select(.step == "privileged") | .comparisons[0].diff.caps.effective.added | index("cap_sys_admin") != null' <<<"${T[$c]}")" = true ]
priv=$(jq -c '.steps[] | select(.step == "privileged") | .containers[] | select(.name == "priv") | .privileged' <<<"${T[$c]}")
if [ "$(jq .host.can_grant_all <<<"${T[$c]}")" = false ]; then
	check "$c: on this host --privileged is approximated, and recorded" [ "$(jq .approximated <<<"$priv")" = true ]
	check "$c: the approximation says what it left out" [ "$(jq '.left_out | length' <<<"$priv")" -ge 1 ]
	check "$c: the command shown is the approximation" \
		[ "$(jq -r '.steps[] | select(.step == "privileged") | .containers[] | select(.name == "priv") | .command | contains("--cap-add ALL")' <<<"${T[$c]}")" = true ]
else
	check "$c: on this host the real --privileged ran" [ "$(jq .approximated <<<"$priv")" = false ]
fi
check "$c: bounding keeps cap_chown for uid 1000" held 'bounding set has cap_chown' $c ceiling
check "$c: no-new-privileges is NoNewPrivs 1" held 'no_new_privs set' $c ceiling

# host-mounts
h=host-mounts
# The cgroup version, read here apart from isolab: cgroup2fs at the top is v2.
[ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] && cgv=v2 || cgv=v1
check "$h: the transcript names this host's cgroup version ($cgv)" [ "$(jq -r .host.cgroup <<<"${T[$h]}")" = $cgv ]
if [ $cgv = v1 ]; then
	check "$h: on cgroup v1 the baseline proves the host's cgroup namespace is shared" \
		held '^default: cgroup namespace is the host.s$' $h baseline
else
	check "$h: on cgroup v2 the baseline proves a cgroup namespace of its own" \
		held '^default: cgroup namespace is not the host.s$' $h baseline
fi
owned_by_root() { [[ "$(action $h scratch-bind look-on-host .stdout)" == "root "* ]]; }
if [ "$privileged" = real ]; then
	check "$h: a real --privileged mounts the host's disk and reads the disk canary" nonce_read $h privileged mount-disk
else
	check "$h: where --privileged is approximated the disk is not mounted" \
		[ -z "$(action $h privileged mount-disk .result)" ]
	check "$h: and the step says so" \
		[ "$(jq '.steps[] | select(.step == "privileged") | .notes | length' <<<"${T[$h]}")" = 1 ]
fi
check "$h: a write inside lands on the host as root" owned_by_root
check "$h: /etc:ro still lets the container read shadow" [ "$(action $h etc-read-only read-shadow .result)" = allowed ]
check "$h: /etc:ro refuses the write" [ "$(action $h etc-read-only write-etc .result)" = denied ]
check "$h: -v /:/host reads the canary" nonce_read $h root-bind read-canary
check "$h: chroot /host reads the canary" nonce_read $h root-bind chroot-host
check "$h: the socket :ro still starts a sibling that reads the canary" nonce_read $h docker-socket sibling
check "$h: the socket :ro disagreement is in the transcript" \
	[ "$(jq -r '.steps[] | select(.step == "docker-socket") | .containers[0].inspect.disagreements[].check' <<<"${T[$h]}" | grep -c docker-socket-ro)" = 1 ]
check "$h: the host path of the root bind is /" \
	[ "$(jq -r '.steps[] | select(.step == "root-bind") | .containers[] | select(.name == "rootbind") | .inspect.mounts[] | select(.target == "/host") | .host_path' <<<"${T[$h]}")" = / ]
check "$h: the review raises the socket for the sock container" \
	[ "$(jq -r '.steps[] | select(.step == "review") | .audit[] | select(.name | endswith("-sock")) | [.findings[].check] | index("docker-socket") != null' <<<"${T[$h]}")" = true ]
check "$h: the review shows the documented reason as accepted" \
	[ "$(jq -r '.steps[] | select(.step == "review") | .audit[] | select(.name | endswith("-certs")) | .findings[] | select(.check == "sensitive-mount") | "\(.accepted) \(.reason)"' <<<"${T[$h]}")" = "true reads the host's CA certificates to verify TLS peers" ]
check "$h: no sibling container is left" [ "$(docker ps -aq --filter name=sibling --filter label=isolab.lab=host-mounts | wc -l)" = 0 ]

# nsenter
n=nsenter
check "$n: nsenter from the host sees the container's hostname" [ "$(action $n enter-container hostname .stdout)" = isolab-box ]
uts=$(jq -r '.steps[] | select(.step == "enter-container") | .containers[0].inspect.namespaces.uts.inode' <<<"${T[$n]}")
check "$n: the uts inode inside equals the one read from the host" [ "$(action $n enter-container uts .stdout)" = "uts:[$uts]" ]
check "$n: --pid=host sees the witness" [ "$(action $n pid-host see-hostpid .stdout)" = isolab-witness ]
check "$n: a default container does not" [ "$(action $n pid-host see-default .result)" = error ]
check "$n: default capabilities cannot enter the witness" [ "$(action $n default-cannot-enter setns .result)" = denied ]
check "$n: privileged --pid=host enters and reads the canary (setns)" nonce_read $n privileged-escape setns
check "$n: and with nsenter" nonce_read $n privileged-escape nsenter
check "$n: the host's hostname after setns" \
	[ "$(action $n privileged-escape setns .probe.hostname)" = "$(hostname)" ]
check "$n: SYS_ADMIN alone is refused" [ "$(action $n which-caps setns-admin .result)" = denied ]
if [ "$lsm" = apparmor ]; then
	check "$n: under AppArmor, SYS_ADMIN and SYS_PTRACE are refused" [ "$(action $n which-caps setns-adminptrace .result)" = denied ]
	check "$n: unconfined, SYS_ADMIN and SYS_PTRACE escape" nonce_read $n which-caps setns-unconfined
else
	check "$n: SYS_ADMIN and SYS_PTRACE escape" nonce_read $n which-caps setns-adminptrace
fi

# Progress: every step of every lab held, so isolab labs shows them done.
check "isolab labs shows every lab done" \
	[ "$($ISOLAB labs --json | jq '[.[] | select(.id == "capabilities" or .id == "host-mounts" or .id == "nsenter") | .done] | all and length == 3')" = true ]
check "progress.json was written" [ -s "$XDG_STATE_HOME/isolab/progress.json" ]

# Nothing left behind by these runs (other isolab sessions may be running).
left=0 dirs=0
for lab in capabilities host-mounts nsenter; do
	sid=$(jq -r .session <<<"${T[$lab]}")
	left=$((left + $(labelled_left "isolab.session=$sid")))
	[ -e "/run/isolab/$sid" ] && dirs=$((dirs + 1))
	[ -e "/var/lib/isolab/$sid" ] && dirs=$((dirs + 1))
	for w in $(pgrep -x isolab-witness); do
		tr '\0' '\n' <"/proc/$w/environ" 2>/dev/null | grep -qx "ISOLAB_SESSION=$sid" && dirs=$((dirs + 1))
	done
done
check "no container of these sessions is left" [ "$left" = 0 ]
check "no scratch dir, disk canary dir or witness of these sessions is left" [ "$dirs" = 0 ]
tap_done
