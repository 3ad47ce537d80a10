# dockerd.sh: a private Docker engine for one test, on paths of its own
# (mktemp), so a test may freeze, kill or fill it without touching the
# machine's engine or another test's. Source it after tap.sh:
#   dockerd_start   start it, export DOCKER_HOST, wait until it answers
#                   (returns 1 when it does not within 60 s)
#   dockerd_stop    stop it and remove its paths (dockerd_start sets no
#                   trap: call it from your own EXIT trap)
#   dockerd_pid     the daemon's pid, for kill -STOP / -CONT
#   dockerd_image   the lab image, built by isolab on the private engine
#                   (it starts with none; the build is offline, FROM scratch)
_dockerd_dir=
_dockerd_pid=
_dockerd_outer_host=${DOCKER_HOST:-}

dockerd_pid() { echo "$_dockerd_pid"; }

dockerd_start() {
	# Short paths: a unix socket's path is limited to 108 bytes.
	_dockerd_dir=$(mktemp -d /tmp/isd.XXXXXX) || return 1
	local d=$_dockerd_dir
	mkdir -p "$d/data" "$d/exec"
	setsid dockerd --bridge=none --iptables=false --ip-masq=false \
		--data-root "$d/data" --exec-root "$d/exec" --pidfile "$d/pid" \
		-H "unix://$d/sock" >"$d/log" 2>&1 </dev/null &
	_dockerd_pid=$!
	export DOCKER_HOST=unix://$d/sock
	for i in $(seq 240); do
		# The daemon's own pid: under job control (set -m) setsid forks,
		# and $! is only the setsid that exited at once; wait 10 s for
		# the pidfile before taking the daemon as dead.
		[ -s "$d/pid" ] && _dockerd_pid=$(cat "$d/pid")
		docker info >/dev/null 2>&1 && return 0
		kill -0 "$_dockerd_pid" 2>/dev/null || [ "$i" -lt 40 ] || break
		sleep 0.25
	done
	diag "the private dockerd did not answer; its log ends:"
	tail -n 5 "$d/log" | sed 's/^/# /'
	return 1
}

dockerd_stop() {
	[ -n "$_dockerd_dir" ] || return 0
	local d=$_dockerd_dir ids
	[ -s "$d/pid" ] && _dockerd_pid=$(cat "$d/pid")
	if [ -n "$_dockerd_pid" ] && kill -0 "$_dockerd_pid" 2>/dev/null; then
		kill -CONT "$_dockerd_pid" 2>/dev/null
		ids=$(timeout 20 docker ps -aq 2>/dev/null)
		[ -n "$ids" ] && timeout 30 docker rm -f $ids >/dev/null 2>&1
		kill -TERM "$_dockerd_pid" 2>/dev/null
		for _ in $(seq 100); do kill -0 "$_dockerd_pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$_dockerd_pid" 2>/dev/null
	fi
	# The daemon's own containerd lives under exec-root: gone with it.
	umount -R "$d/data" 2>/dev/null
	grep -o " $d/[^ ]*" /proc/self/mounts | sort -r | while read -r m; do umount -l "$m"; done
	rm -rf --one-file-system "$d"
	_dockerd_dir= _dockerd_pid=
	if [ -n "$_dockerd_outer_host" ]; then export DOCKER_HOST=$_dockerd_outer_host; else unset DOCKER_HOST; fi
}

dockerd_image() {
	local isolab=${ISOLAB:-./isolab} ref
	ref=isolab-lab:$("$isolab" --version | awk '{print $2}')
	docker image inspect "$ref" >/dev/null 2>&1 || "$isolab" __image build >/dev/null 2>&1 || return 1
	echo "$ref"
}
