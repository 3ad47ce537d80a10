#!/usr/bin/env bash
# test_install.sh: `make install PREFIX=...` gives a binary that finds its
# installed labs, image sources and manual page, away from the source tree;
# DESTDIR stages the same tree; uninstall removes it.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
e2e_require

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
build=$tmp/build

make -s install PREFIX="$prefix" B="$build" BIN="$build/isolab" >"$tmp/make.log" 2>&1
rc=$?
check "make install PREFIX=... exits 0" [ $rc -eq 0 ]
[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/make.log" | tail -n 20

bin=$prefix/bin/isolab
check "the binary is installed" [ -x "$bin" ]
check "the labs are installed" [ "$(ls "$prefix"/share/isolab/labs/*.yaml | wc -l)" -eq "$(ls labs/*.yaml | wc -l)" ]
[ -s "$prefix/share/isolab/image/Dockerfile" ] && [ -x "$prefix/share/isolab/image/probe" ]
check "the image sources are installed" [ $? -eq 0 ]
check "the manual page is installed" [ -s "$prefix/share/man/man1/isolab.1" ]

# Away from the source tree and with no ISOLAB_LABS, it finds its own.
out=$(cd / && env -u ISOLAB_LABS "$bin" labs 2>&1)
check "the installed binary lists the installed labs" grep -q '^capabilities ' <<<"$out"
out=$(cd / && env -u ISOLAB_LABS "$bin" check-labs 2>&1)
check "check-labs checks the installed labs" grep -q "$prefix/share/isolab/labs/capabilities.yaml: ok" <<<"$out"
# An image tag that does not exist: doctor says where it would build it from.
out=$(cd / && env -u ISOLAB_IMAGE_DIR ISOLAB_IMAGE_TAG=isolab-install-test:$$ "$bin" doctor --json 2>/dev/null)
check "doctor finds the installed image sources" \
	grep -q "buildable offline from $prefix/share/isolab/image" <<<"$(jq -r '.[] | select(.check == "image") | .detail' <<<"$out")"

# DESTDIR stages the same files under another root.
make -s install PREFIX=/usr DESTDIR="$tmp/stage" B="$build" BIN="$build/isolab" >"$tmp/make2.log" 2>&1
[ -x "$tmp/stage/usr/bin/isolab" ] && [ -s "$tmp/stage/usr/share/isolab/labs/nsenter.yaml" ]
check "DESTDIR=... stages under it" [ $? -eq 0 ]
check "the staged binary looks in PREFIX, not in DESTDIR" \
	grep -q '/usr/share/isolab/labs' <<<"$(strings "$tmp/stage/usr/bin/isolab")"
make -s uninstall PREFIX="$prefix" >/dev/null 2>&1
[ ! -e "$bin" ] && [ ! -e "$prefix/share/isolab" ]
check "uninstall removes the binary and the data" [ $? -eq 0 ]
tap_done
