#!/usr/bin/env bash
# test_walk.sh: every step of every lab at 80x24, in the normal view and in
# presentation mode, read screen by screen. The steps are recorded once
# against the real engine (isolab run --json, one run per lab), then
# replayed through the ISOLAB_TUI_REPLAY hook so that each screen is read
# as a learner would see it. A screen fails on:
#   - a line cut where the text went on (it ends in the ellipsis glyph), or,
#     in the step's text, one that reaches the right edge (it went on past it);
#   - in presentation mode, the footer ("page N/M") drawn over text: the
#     row above it must be blank; and a page of the step's text that ends
#     inside a sentence (pages break between paragraphs);
#   - a hint that names "the X row(s)" when no row of the step's screens
#     starts with X;
#   - a command of the step's text that shows isolab's own --label isolab.*
#     options (left out unless L asks); the review step's reason label that,
#     copied from the screen into a shell, is not the word isolab runs.
# WALK_LABS="capabilities" limits the walk to some labs; WALK_REC=DIR
# replays DIR/LAB.json (isolab run --json LAB) instead of recording.
cd "$(dirname "$0")/../.." || exit 1
. tests/tui/lib.sh
tui_require

rec=$TUI_TMP/rec
mkdir -p "$rec"
labs=${WALK_LABS:-"capabilities host-mounts nsenter"}

# record LAB: one real run; each step's object to rec/LAB.STEP.json.
record() {
	local out=$TUI_TMP/$1.json n i id
	if [ -n "${WALK_REC:-}" ]; then
		out=$WALK_REC/$1.json	# a run recorded before (while writing labs)
	else
		ISOLAB_ISOLATED_VM=1 "$ISOLAB" run --json "$1" >"$out" 2>"$TUI_TMP/$1.err"
	fi
	n=$(jq '.steps | length' "$out") || return 1
	[ "$n" -gt 0 ] || return 1
	for i in $(seq 0 $((n - 1))); do
		id=$(jq -r ".steps[$i].step" "$out")
		jq ".steps[$i]" "$out" >"$rec/$1.$id.json"
	done
}

lab_index() {
	local i=1 l
	for l in $(cd "$LABS" && ls -- *.yaml | sort); do
		[ "${l%.yaml}" = "$1" ] && { echo "$i"; return; }
		i=$((i + 1))
	done
}

# The problems of one screen, one a line (empty: none).
screen_problems() {
	local s=$1 present=$2
	# The ellipsis glyph at the end of a line: the text went on. Row 1,
	# the breadcrumb, repeats the step's title in full on row 2.
	grep -nE '…[[:space:]]*$' <<<"$s" | grep -v '^1:' | sed 's/^/cut line: /'
	# In the step's text (rows 4 to the last but one: below the header,
	# above the key bar) no line reaches the right edge: prose wraps before
	# it, and a command breaks with " \" inside it, so a line that reaches
	# it went on past the edge (a command a learner could not paste).
	[ "$3" = text ] && sed -n '4,$p' <<<"$s" | sed '$d' | while IFS= read -r line; do
		[ "${#line}" -ge 80 ] && [ "${line: -1}" != " " ] && echo "clipped at the edge: $line"
	done
	if [ "$present" = 1 ]; then
		# The footer is drawn at the right of the page's last row: the
		# left of that row must be empty.
		grep -E 'Space: next page|Space: the next page' <<<"$s" |
			grep -vE '^[[:space:]]*Space: (the )?next page' | sed 's/^/footer over text: /'
		# A page of the step's text that goes on ends between paragraphs:
		# its last line of text (below the header's rule, above the
		# footer) ends a sentence, not in the middle of one.
		# The commands' page may end with a command, never inside one.
		[ "$3" = text ] && awk '
			/^───/ { body = 1; next }
			/The commands this step runs/ { cmds = 1 }
			/Space: (the )?next page/ {
				if (body && last ~ / \\$/) print "page ends inside a command: " last
				else if (body && !cmds && last !~ /[.:!?)`"\047]$/) print "page ends inside a sentence: " last
				exit }
			body && NF { last = $0; sub(/[[:space:]]+$/, "", last) }' <<<"$s"
	fi
}

# hint_rows LAB STEP: the row names the step's hints refer to ("the X
# row"), read from the lab file: the hints: list of the step's block.
hint_rows() {
	awk -v id="$2" '
		/^  - id: / { on = ($3 == id); hints = 0; next }
		on && /^    hints:/ { hints = 1; next }
		on && hints && /^    [a-z_]+:/ { hints = 0 }
		on && hints { print }' "$LABS/$1.yaml" |
		grep -oE 'the [a-z_]+ rows?' | awk '{print $2}' | sort -u
}

PROBLEMS=$TUI_TMP/problems
: >"$PROBLEMS"

# walk_screens MODE: page through both views of the step on screen and
# append every screen to $TUI_TMP/seen, its problems to $PROBLEMS.
walk_screens() {
	local present=$1 view prev s i label
	for view in results text; do
		keys g
		sleep 0.2
		prev=
		for i in $(seq 1 40); do
			s=$(screen)
			[ "$s" = "$prev" ] && break
			printf '%s\n' "$s" >>"$TUI_TMP/seen"
			[ "$view" = text ] && printf '%s\n' "$s" >>"$TUI_TMP/seen_text"
			[ -n "${WALK_DUMP:-}" ] && printf '=== %s/%s %s %s\n%s\n' "$LAB" "$STEP" "$present" "$view" "$s" >>"$WALK_DUMP"
			label="$LAB/$STEP ($([ "$present" = 1 ] && echo presentation || echo normal), $view)"
			screen_problems "$s" "$present" "$view" | sed "s|^|$label: |" >>"$PROBLEMS"
			prev=$s
			keys NPage
			sleep 0.15
		done
		keys Tab
		sleep 0.2
	done
}

# reason_pasted: on the review step's text, the certs container's command
# as a learner would copy it from the screen (one line and its
# continuations), read by a shell, holds the reason label as one word,
# whole: a word longer than the line is split so the shell still reads it.
reason_pasted() {
	local i pasted rc want="--label=isolab.reason.sensitive-mount=reads the host's CA certificates to verify TLS peers"
	keys Tab	# the step's text (walk_screens ends on its results)
	keys g
	sleep 0.2
	scroll_to "review-certs" || return 1
	for i in $(seq 1 20); do
		[ "$(screen | grep -n 'review-certs' | head -n1 | cut -d: -f1)" -le 8 ] && break
		keys j
		sleep 0.05
	done
	pasted=$(screen | awk '/docker run .*review-certs/ { on = 1 } on { print } on && !/\\$/ { exit }')
	sh -c 'printf "%s\n" '"$pasted" | grep -qxF -- "$want"
	rc=$?
	[ $rc -eq 0 ] || printf '%s\n' "$pasted" | sed 's/^/#   pasted: /'
	keys Tab
	return $rc
}

walk_lab() {
	local present=$1 idx n i
	idx=$(lab_index "$LAB")
	n=$(ls "$rec/$LAB".*.json | wc -l)
	# A fresh progress file: the lab opens at its first step.
	rm -rf "${TUI_STATE:?}"/*
	if [ "$present" = 1 ]; then
		tui_start 80 24 ISOLAB_TUI_REPLAY="$rec" ISOLAB_TUI_REPLAY_DELAY_MS=20 -- --present
	else
		tui_start 80 24 ISOLAB_TUI_REPLAY="$rec" ISOLAB_TUI_REPLAY_DELAY_MS=20
	fi
	wait_for "Labs" || return 1
	keys "$idx" Enter
	for i in $(seq 1 "$n"); do
		# The header says "Step 3 of 7:", or "3/7" when the title would
		# not fit beside it (presentation mode's page badge takes room).
		wait_re "Step $i of $n:|^ *$i/$n " 10 || return 1
		STEP=$(jq -r "select(.index == $i) | .step" "$rec/$LAB".*.json)
		if [ "$present" = 1 ]; then
			keys P
			wait_gone PRESENT 5 || return 1
		fi
		run_step || return 1
		if [ "$present" = 1 ]; then
			keys P
			wait_for PRESENT 5 || return 1
		fi
		: >"$TUI_TMP/seen"
		: >"$TUI_TMP/seen_text"
		walk_screens "$present"
		# isolab's own labels are left out in both modes; a lab's reason stays.
		grep -q -- "--label isolab\.session=" "$TUI_TMP/seen_text" &&
			echo "$LAB/$STEP: a command shows isolab's own --label isolab.session" >>"$PROBLEMS"
		if [ "$LAB/$STEP" = host-mounts/review ] && [ "$present" = 0 ]; then
			reason_pasted || echo "$LAB/$STEP: the lab's isolab.reason label, pasted, is not the word it runs" >>"$PROBLEMS"
		fi
		if [ "$present" = 0 ]; then
			for row in $(hint_rows "$LAB" "$STEP"); do
				grep -qE "^[[:space:]]*([^[:alnum:][:space:]]+[[:space:]]+)?$row\b" "$TUI_TMP/seen" ||
					echo "$LAB/$STEP: a hint names the $row row, which no screen shows" >>"$PROBLEMS"
			done
		fi
		keys n
	done
	keys q
	wait_for "Labs" || return 1
	keys q
	tui_exit_status >/dev/null
}

for LAB in $labs; do
	check "$LAB: recorded against the engine" record "$LAB"
done
for LAB in $labs; do
	for present in 0 1; do
		: >"$PROBLEMS"
		mode=$([ "$present" = 1 ] && echo presentation || echo normal)
		check "$LAB: every step walked at 80x24, $mode" walk_lab "$present"
		sort -u "$PROBLEMS" | sed 's/^/#   /'
		sort -u -o "$PROBLEMS" "$PROBLEMS"
		check "$LAB, $mode: no cut line, no footer over text, no page ending inside a sentence, no hint naming a row not shown" test ! -s "$PROBLEMS"
	done
done
tap_done
