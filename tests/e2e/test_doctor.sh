#!/usr/bin/env bash
# test_doctor.sh: `isolab doctor` against the real engine (exit 0, what it
# says about --privileged on this host, JSON with every check, marks in
# UTF-8 and ASCII, no colour when piped) and against stand-in engines that
# fail (daemon down, socket permission, no binary: exit 3 and the fix).
# Needs root and an engine; under CI=true their absence is a failure.
# The binary: ${ISOLAB:-./isolab} (e.g. ISOLAB=build-host/isolab).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh

isolab=${ISOLAB:-./isolab}
stand_in=tests/fixtures/engine/bin
checks="engine-binary daemon socket-permission image scratch-dirs privileged vm cgroup seccomp lsm engine-behaviour"

[ "$(id -u)" = 0 ] || cannot_run "the doctor e2e test needs root"
[ -x "$isolab" ] || cannot_run "$isolab is not built (make, or set ISOLAB)"
command -v jq >/dev/null || cannot_run "jq is not installed"
docker info >/dev/null 2>&1 || scripts/dockerd >/dev/null 2>&1
docker info >/dev/null 2>&1 || cannot_run "no Docker engine answers (scripts/dockerd could not start one)"

# Whether this host's bounding set lacks cap_sys_resource (bit 24), as the
# development machines' does; on a workshop VM it has every capability.
capbnd=$(awk '/^CapBnd:/ {print $2}' /proc/self/status)
last_cap=$(cat /proc/sys/kernel/cap_last_cap)
all=$(( (1 << (last_cap + 1)) - 1 ))
missing=$(( all & ~0x$capbnd ))
no_resource=$(( (0x$capbnd >> 24) & 1 ))

# jqe FILTER: jq -e, quietly.
jqe() { jq -e "$@" >/dev/null; }

# doctor ARGS...: isolab ARGS in a UTF-8 locale; sets out (stdout and
# stderr) and rc.
out= rc=
doctor() {
	out=$(NO_COLOR= LANG=C.UTF-8 "$isolab" "$@" 2>&1)
	rc=$?
}

# --- the real engine -----------------------------------------------------------

doctor doctor
diag "isolab doctor: exit $rc"
check "doctor exits 0 here (the labs can run)" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || diag "$out"
check "doctor ends by saying the labs can run" grep -q '^The labs can run here.$' <<<"$out"
check "the engine binary line has a ✓ and the path" grep -qE '^✓ engine binary +/' <<<"$out"
check "the daemon line names the server version" \
	grep -qE "^✓ daemon +Docker $(docker version --format '{{.Server.Version}}' | sed 's/[.+]/\\&/g') answers" <<<"$out"
check "the lab image is present or buildable" grep -qE '^✓ lab image +isolab-lab:' <<<"$out"
if [ "$missing" -ne 0 ]; then
	check "--privileged: a warning that a real one is unavailable" \
		grep -qE '^! --privileged +a real --privileged is unavailable here' <<<"$out"
	if [ "$no_resource" -eq 0 ]; then
		check "--privileged names cap_sys_resource as missing" \
			grep -q 'lacks [a-z_, ]*cap_sys_resource' <<<"$out"
		check "the approximation drops SYS_RESOURCE" \
			grep -q -- "instead: --cap-add ALL --cap-drop SYS_RESOURCE" <<<"$out"
	else
		diag "this host has cap_sys_resource; its missing capabilities: mask $missing"
	fi
	check "--privileged: the approximation and what it leaves out" \
		grep -q 'left out: /sys stays read-only' <<<"$out"
	check "--privileged: the fix says where a real one works" \
		grep -qE '^ +fix: for a real --privileged, run the labs on a VM' <<<"$out"
else
	check "--privileged: a real one works here" \
		grep -qE '^✓ --privileged +a real --privileged works here' <<<"$out"
fi
if grep -qw hypervisor /proc/cpuinfo; then
	check "the VM line cites the hypervisor CPU flag" \
		grep -q 'the hypervisor CPU flag is set' <<<"$out"
fi
if [ -e /.dockerenv ]; then
	check "the VM line says isolab runs in a container (/.dockerenv)" \
		grep -q '/.dockerenv exists' <<<"$out"
	if grep -qw hypervisor /proc/cpuinfo; then
		# Both a VM and a container: the line says which verdict holds, and why.
		check "the VM line says the VM verdict holds over the container, and why" \
			grep -qE "^✓ virtual machine +a virtual machine( \([^)]*\))? holds: .*hypervisor.*a container shares its machine's kernel" <<<"$out"
	fi
fi
if [ ! -r /sys/class/dmi/id/sys_vendor ]; then
	check "no DMI here, and doctor says so" grep -q 'DMI: /sys/class/dmi/id is not readable' <<<"$out"
fi
check "no escape sequences when stdout is not a terminal" \
	bash -c '! grep -q $'"'"'\033'"'"' <<<"$1"' _ "$out"

# On a terminal (script(1) gives one): colour, and the marks all the same.
if command -v script >/dev/null; then
	tty_out=$(env -u NO_COLOR LANG=C.UTF-8 script -qec "$isolab doctor" /dev/null 2>&1)
	check "on a terminal: colour" grep -q $'\033\\[32m✓' <<<"$tty_out"
	tty_out=$(env -u NO_COLOR LANG=C.UTF-8 script -qec "$isolab --no-color doctor" /dev/null 2>&1)
	check "on a terminal with --no-color: no colour, the marks stay" \
		bash -c '! grep -q $'"'"'\033'"'"' <<<"$1" && grep -q "^✓ engine binary" <<<"$1"' _ "$tty_out"
	tty_out=$(NO_COLOR=1 LANG=C.UTF-8 script -qec "$isolab doctor" /dev/null 2>&1)
	check "on a terminal with NO_COLOR: no colour" bash -c '! grep -q $'"'"'\033'"'"' <<<"$1"' _ "$tty_out"
else
	diag "script(1) not found: colour on a terminal not tested"
fi

out=$(LANG=C "$isolab" doctor 2>&1)
check "ASCII marks outside a UTF-8 locale" grep -qE '^ok   engine binary' <<<"$out"
check "no UTF-8 marks outside a UTF-8 locale" bash -c '! grep -q "✓" <<<"$1"' _ "$out"

json=$(LANG=C.UTF-8 "$isolab" doctor --json)
rc=$?
check "doctor --json exits 0 here" [ "$rc" -eq 0 ]
check "doctor --json is a JSON array" jqe 'type == "array"' <<<"$json"
for c in $checks; do
	check "--json has the check '$c' with a status, a detail and a fix key" \
		jqe --arg c "$c" 'map(select(.check == $c)) | length == 1 and
			(.[0].status | IN("ok", "fail", "warn", "info")) and
			(.[0].detail | type == "string" and length > 0) and
			(.[0] | has("fix"))' <<<"$json"
done
check "--json has nothing but these checks" \
	jqe --arg want "$checks" '[.[].check] == ($want | split(" "))' <<<"$json"
check "--json: no check fails here" jqe 'all(.status != "fail")' <<<"$json"
if [ "$missing" -ne 0 ]; then
	check "--json: privileged is a warning with a fix" \
		jqe '.[] | select(.check == "privileged") | .status == "warn" and (.fix | type == "string")' <<<"$json"
	[ "$no_resource" -eq 0 ] && check "--json: privileged names cap_sys_resource" \
		jqe '.[] | select(.check == "privileged") | .detail | contains("cap_sys_resource")' <<<"$json"
fi

# What the engine does, measured on one container and compared with the
# engine's own version: Docker 25 and later make a ':ro' bind recursive.
major=$(docker version -f '{{.Server.Version}}' | cut -d. -f1)
want_rro="only at its top"
[ "$major" -ge 25 ] && want_rro="all the way down"
check "--json: engine-behaviour says whether ':ro' is recursive (Docker $major: $want_rro)" \
	jqe --arg w "$want_rro" '.[] | select(.check == "engine-behaviour") | .detail | contains($w)' <<<"$json"
check "doctor leaves no probe container behind" \
	[ -z "$(docker ps -aq --filter name=isolab-doctor-)" ]

# --- stand-in engines that fail -------------------------------------------------------

doctor doctor --engine "$stand_in/daemon-down"
check "daemon down: exit 3" [ "$rc" -eq 3 ]
check "daemon down: the daemon check fails" grep -qE '^✗ daemon +the Docker daemon does not answer' <<<"$out"
check "daemon down: the fix, on the next line" \
	bash -c 'grep -A1 -E "^✗ daemon" <<<"$1" | tail -n1 |
		grep -qE "^ +fix: start the Docker daemon: sudo systemctl start docker"' _ "$out"
check "daemon down: the last line says the labs cannot run" \
	bash -c '[ "$(tail -n1 <<<"$1")" = "The labs cannot run here yet: fix the checks marked ✗." ]' _ "$out"

doctor doctor --engine "$stand_in/socket-permission"
check "socket permission: exit 3" [ "$rc" -eq 3 ]
check "socket permission: the permission check fails" grep -qE '^✗ socket permission ' <<<"$out"
check "socket permission: the fix names the docker group" \
	grep -qE '^ +fix: run isolab as root, or join the docker group: sudo usermod -aG docker' <<<"$out"

doctor doctor --engine /nonexistent
check "no binary: exit 3" [ "$rc" -eq 3 ]
check "no binary: the engine check fails naming the path" \
	grep -qE '^✗ engine binary +/nonexistent is not an executable file' <<<"$out"
check "no binary: the fix says how to install Docker" \
	grep -qE '^ +fix: install Docker \(Debian: apt-get install docker.io\)' <<<"$out"

out=$(ISOLAB_ENGINE=/nonexistent LANG=C "$isolab" doctor --json)
rc=$?
check "no binary, via ISOLAB_ENGINE, --json: exit 3" [ "$rc" -eq 3 ]
check "no binary, --json: engine-binary fails with a fix" \
	jqe '.[] | select(.check == "engine-binary") | .status == "fail" and (.fix | contains("docker.io"))' <<<"$out"
check "no binary, --json: still every check" jqe 'length == 11' <<<"$out"

doctor doctor --bogus
check "an unknown option is a usage error (exit 2)" [ "$rc" -eq 2 ]

tap_done
