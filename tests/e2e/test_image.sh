#!/usr/bin/env bash
# test_image.sh: the lab image through isolab's own code path (runner/image),
# into a tag of the test's own (ISOLAB_IMAGE_TAG), never the real one:
# doctor calls it buildable while it is missing; `isolab __image build` builds
# it offline with progress lines from a private temporary context that is
# gone afterwards; it is under 5 MB and its probe runs; a second build does
# nothing; missing sources fail with what to do. The test image is removed
# at the end. Needs root and an engine; under CI=true their absence fails.
# The binary: ${ISOLAB:-./isolab} (e.g. ISOLAB=build-host/isolab).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh

isolab=${ISOLAB:-./isolab}
tag=isolab-lab-e2e:$$
missing_tag=isolab-lab-e2e-missing:$$
session=host-dev
tmp=

cleanup() {
	local ids
	ids=$(docker ps -aq --filter "label=isolab.session=$session" --filter "ancestor=$tag" 2>/dev/null)
	[ -n "$ids" ] && docker rm -f $ids >/dev/null 2>&1
	docker image rm "$tag" >/dev/null 2>&1
	docker image rm "$missing_tag" >/dev/null 2>&1
	[ -n "$tmp" ] && rm -rf "$tmp"
}

[ "$(id -u)" = 0 ] || cannot_run "the image e2e test needs root"
[ -x "$isolab" ] || cannot_run "$isolab is not built (make, or set ISOLAB)"
command -v jq >/dev/null || cannot_run "jq is not installed"
[ -x image/probe ] || cannot_run "image/probe is not built (make image/probe)"
[ -x /bin/busybox ] || cannot_run "/bin/busybox is missing (apt-get install busybox-static)"
docker info >/dev/null 2>&1 || scripts/dockerd >/dev/null 2>&1
docker info >/dev/null 2>&1 || cannot_run "no Docker engine answers (scripts/dockerd could not start one)"

# quiet CMD...: run it, its output discarded (check prints only ok/not ok).
quiet() { "$@" >/dev/null 2>&1; }

trap cleanup EXIT
trap 'exit 130' INT TERM HUP
tmp=$(mktemp -d)
mkdir "$tmp/ctx" "$tmp/partial"

export ISOLAB_IMAGE_TAG=$tag
export ISOLAB_IMAGE_DIR=$PWD/image
export LANG=C.UTF-8
docker image rm "$tag" >/dev/null 2>&1

# --- missing: doctor says buildable --------------------------------------------------

check "the test tag is not there to begin with" bash -c '! docker image inspect "$1" >/dev/null 2>&1' _ "$tag"
out=$("$isolab" doctor 2>&1)
rc=$?
check "doctor exits 0 with the image missing but buildable" [ "$rc" -eq 0 ]
check "doctor: the image line names the test tag and says buildable" \
	grep -qE "^✓ lab image +$tag is not built yet; it is buildable offline from $PWD/image" <<<"$out"
json=$("$isolab" doctor --json)
check "doctor --json: image ok, buildable" \
	quiet jq -e --arg t "$tag" '.[] | select(.check == "image") |
		.status == "ok" and (.detail | contains($t) and contains("buildable"))' <<<"$json"

# --- build -----------------------------------------------------------------------------

out=$(TMPDIR=$tmp/ctx "$isolab" __image build 2>&1)
rc=$?
diag "isolab __image build: exit $rc"
check "__image build exits 0" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || diag "$out"
check "progress: docker build's steps as they come" grep -qE '^  Step 1/[0-9]+ : FROM scratch' <<<"$out"
check "progress: the busybox and probe copies" grep -q 'COPY probe /bin/probe' <<<"$out"
check "progress: tagged with the test tag" grep -q "Successfully tagged $tag" <<<"$out"
check "progress: the legacy builder's notice is left out" bash -c '! grep -q DEPRECATED <<<"$1"' _ "$out"
check "the last line says it was built" bash -c '[ "$(tail -n1 <<<"$1")" = "Lab image $2: built" ]' _ "$out" "$tag"
check "the temporary build context is gone" [ -z "$(ls -A "$tmp/ctx")" ]
check "the image is there" quiet docker image inspect "$tag"
size=$(docker image inspect "$tag" --format '{{.Size}}' 2>/dev/null)
diag "image size: $size bytes"
check "the image is under 5 MB" [ "${size:-99999999}" -lt $((5 * 1024 * 1024)) ]
check "the image has only its own layers (FROM scratch: one per COPY and RUN)" \
	bash -c '[ "$(docker image inspect "$1" --format "{{len .RootFS.Layers}}")" -eq "$(grep -cE "^(COPY|RUN) " image/Dockerfile)" ]' _ "$tag"

# The probe runs in it (no network, never a pull, labelled, removed).
probe=$(docker run --rm --pull=never --network none --label "isolab.session=$session" \
	"$tag" /bin/probe self 2>&1)
check "the probe runs in the image and prints JSON" \
	quiet jq -e '.uid == 0 and (.caps.CapEff | length == 16)' <<<"$probe"
check "busybox's applets are linked in" \
	quiet docker run --rm --pull=never --network none --label "isolab.session=$session" "$tag" /bin/ls /bin/sh

out=$("$isolab" doctor 2>&1)
check "doctor: now present" grep -qE "^✓ lab image +$tag is present" <<<"$out"

out=$("$isolab" __image build 2>&1)
rc=$?
check "a second build does nothing" [ "$rc" -eq 0 ]
check "a second build says it is already present" grep -q "Lab image $tag: already present, nothing to do" <<<"$out"
check "a second build runs no docker build" bash -c '! grep -q "Step 1/" <<<"$1"' _ "$out"

# --- stale: the same tag built from other sources is rebuilt ----------------------------

check "the image carries the fingerprint of its sources" \
	bash -c '[ -n "$(docker image inspect -f "{{index .Config.Labels \"org.isolab.sources\"}}" "$1")" ]' _ "$tag"
want=$(docker image inspect -f '{{index .Config.Labels "org.isolab.sources"}}' "$tag")
# Another image under the test's tag, as after a changed probe.
docker build -q --pull=false -t "$tag" - >/dev/null 2>&1 <<<'FROM scratch
LABEL org.isolab.sources=stale'
out=$("$isolab" __image build 2>&1)
check "an image built from other sources is rebuilt, saying why" grep -q "built from other sources" <<<"$out"
check "and now carries the sources' fingerprint" \
	bash -c '[ "$(docker image inspect -f "{{index .Config.Labels \"org.isolab.sources\"}}" "$1")" = "$2" ]' _ "$tag" "$want"

# --- sources missing: what to do -----------------------------------------------------------

cp image/Dockerfile "$tmp/partial/"
out=$(ISOLAB_IMAGE_TAG=$missing_tag ISOLAB_IMAGE_DIR=$tmp/partial "$isolab" __image build 2>&1)
rc=$?
check "no probe: the build fails" [ "$rc" -ne 0 ]
check "no probe: it says run make" grep -q "$tmp/partial/probe is missing.*run make" <<<"$out"
check "no probe: nothing was built" bash -c '! docker image inspect "$1" >/dev/null 2>&1' _ "$missing_tag"

out=$(ISOLAB_IMAGE_TAG=$missing_tag ISOLAB_IMAGE_DIR=$tmp/partial "$isolab" doctor 2>&1)
rc=$?
check "no probe: doctor exits 1 (the engine is fine)" [ "$rc" -eq 1 ]
check "no probe: doctor's image check fails" grep -qE "^✗ lab image +$missing_tag is not built, and cannot be built here" <<<"$out"
check "no probe: doctor's fix says run make" grep -qE '^ +fix: .*probe is missing.*run make' <<<"$out"

out=$(ISOLAB_IMAGE_TAG=$missing_tag ISOLAB_IMAGE_DIR=$tmp/nowhere "$isolab" __image build 2>&1)
check "no Dockerfile: it says where it looked" grep -q "ISOLAB_IMAGE_DIR=$tmp/nowhere holds no Dockerfile" <<<"$out"

# A dynamically linked probe cannot run FROM scratch.
cp /bin/true "$tmp/partial/probe"
out=$(ISOLAB_IMAGE_TAG=$missing_tag ISOLAB_IMAGE_DIR=$tmp/partial "$isolab" __image build 2>&1)
check "a dynamic probe is refused, with the fix" grep -q "probe is dynamically linked.*rebuild it with make" <<<"$out"

tap_done
