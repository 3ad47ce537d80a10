#!/usr/bin/env bash
# test_docs.sh: the documents say what the binary does: the manual page
# renders without warnings and covers every command; README gives the two
# commands; the shipped labs pass check-labs.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
ISOLAB=${ISOLAB:-./isolab}

warn=$(groff -man -ww -z docs/isolab.1 2>&1)
check "isolab.1 renders without groff warnings" [ -z "$warn" ]
page=$(MANWIDTH=200 man -l docs/isolab.1 2>/dev/null)
cmds=$($ISOLAB --help | awk '/^Commands:/ {on = 1; next} on && /^  [a-z]/ {print $1} /^$/ && on {on = 0}')
# So that the loop below cannot pass by checking nothing.
check "--help lists the commands (found: $(echo $cmds))" [ "$(wc -w <<<"$cmds")" -ge 8 ]
# A command is documented where the page gives its usage line
# ("isolab CMD ..."): the bare word (run, labs, diff) is in any prose.
for cmd in $cmds; do
	check "isolab.1 documents '$cmd'" grep -qE -- "^ *isolab $cmd( |$)" <<<"$page"
done
# Every audit check, as `isolab audit --help` lists them (the table's
# names), is in the manual page and has --explain text.
checks=$($ISOLAB audit --help | awk '/^Checks:/ {on = 1; sub(/^Checks:/, "")} on {print} on && /\.$/ {exit}' | tr ',.' '  ')
check "audit --help lists the checks (found: $(wc -w <<<"$checks"))" [ "$(wc -w <<<"$checks")" -ge 19 ]
# A name may break at its hyphen at the end of a line: join them.
flat=$(tr '\n' ' ' <<<"$page" | sed -E 's/- +/-/g')
# A check's name as a name of its own, not inside another word
# (privileged in --privileged, host-pid in a longer name).
for c in $checks; do
	check "isolab.1 documents the audit check '$c'" grep -qE -- "(^|[^a-z-])$c([^a-z-]|$)" <<<"$flat"
	check "audit --explain $c says how to fix it" bash -c "$ISOLAB audit --explain $c | grep -q '^How to fix it'"
done
for code in 0 1 2 3; do
	check "isolab.1 documents exit status $code" grep -qE "^ +$code +[A-Z]" <<<"$(sed -n "/^EXIT STATUS/,/^ENVIRONMENT/p" <<<"$page")"
done
check "README.md gives 'make run'" grep -q 'make run' README.md
check "README.md gives 'make test'" grep -q 'make test' README.md
ISOLAB_LABS=labs $ISOLAB check-labs >/dev/null 2>&1
check "the shipped labs pass check-labs" [ $? -eq 0 ]
# In the labs table, as `NAME`: "capabilities" alone is in any paragraph.
check "each lab documented in README" bash -c 'for l in labs/*.yaml; do grep -qF "| \`$(basename "$l" .yaml)\` |" README.md || exit 1; done'
tap_done
