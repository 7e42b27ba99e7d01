# End-to-end: the progress a person sees during a real kernel build, on a
# pipe (a line at each new tenth or after 30 s, counts that only grow and
# stop at the total, a last line at 100 % with the build's duration) and
# on a pseudo-terminal (one line rewritten in place).
#
# It rebuilds replica1 in the checkout's own build/ (DUPLEX_BUILD): every
# object deleted, so that duplex builds it from scratch, with ccache warm
# from the build it replaces (a minute or two); then, on the terminal, the
# objects of fs/ and kernel/ only.  replica1's bzImage stays in place all
# along; were the test interrupted, the next `duplex build` finishes the
# job.  Needs `script` (util-linux's bsdutils, essential in Debian).
source "$(dirname "$0")/../lib.sh"

B=${DUPLEX_BUILD:-$ROOT/build}
obj=$B/replica1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# stamp: each line of stdin after the milliseconds since it started.
stamp() {
	local line start=${EPOCHREALTIME//[.,]/}
	while IFS= read -r line; do
		printf '%d %s\n' $(((${EPOCHREALTIME//[.,]/} - start) / 1000)) "$line"
	done
}

# seconds T: "12.3 s" or "4m05s" in seconds.
seconds() {
	awk '/m/ {split($0, a, "m"); sub("s", "", a[2]); print a[1] * 60 + a[2]; next} {print $1}' <<<"$1"
}

# delete_objects DIR...: the kernel objects under each DIR of replica1,
# and its inputs' stamp: the image is still in place and nothing it is
# built from changed, so without that duplex would run no make at all.
delete_objects() {
	local d
	for d in "$@"; do
		find "$obj/$d" -path "$obj/scripts" -prune -o -name '*.o' -print0 | xargs -0 rm -f
	done
	rm -f "$obj/.duplex-build-stamp"
}

# Whatever built replica1 before (make images), the build that brought it
# up to date recorded the objects it is made of.
"$DUPLEX" build -q >"$work/noop" 2>&1
status=$?
total=$(sed -n 's/^objects \([0-9]*\)$/\1/p' "$obj/.duplex-kstats" 2>/dev/null)
tap $([ "$status" -eq 0 ] && [ "${total:-0}" -gt 100 ]; echo $?) \
	"replica1, up to date, has its objects on record ($total)" "$(tail -5 "$work/noop")"
if [ "${total:-0}" -le 100 ]; then
	tap_done
	exit
fi

# ---- on a pipe, from scratch
delete_objects .
"$DUPLEX" build 2>&1 | stamp >"$work/pipe"
status=${PIPESTATUS[0]}
progress=$(grep -E '^[0-9]+ kbuild: replica1: [0-9]+/[0-9]+ objects compiled \([0-9]+ %\)' "$work/pipe")
final=$(grep -E '^[0-9]+ kbuild: replica1: 100 % \([0-9]+ objects compiled\) in ' "$work/pipe")
tap $([ "$status" -eq 0 ] && [ "$(wc -l <<<"$progress")" -ge 3 ] && [ -n "$final" ]; echo $?) \
	"replica1 from scratch on a pipe: progress lines, then a last line (exit $status)" "$(cat "$work/pipe")"

tap $(grep -q "^[0-9]* kbuild: 1 kernel to build from scratch (replica1), about " "$work/pipe"; echo $?) \
	"the build from scratch is announced with how long it takes" "$(head -3 "$work/pipe")"

# Counts: never down, never past the total of the last build, never 100 %
# before the end.
bad=$(awk -v total="$total" '{
	split($4, c, "/"); pct = substr($7, 2) + 0
	if (c[1] + 0 < prev || c[1] + 0 > total || c[2] + 0 != total || pct > 99)
		print "bad: " $0
	prev = c[1] + 0
}' <<<"$progress")
tap $([ -z "$bad" ]; echo $?) "the counts only grow and stay within the total ($total)" "$bad"

# The interval: after the line announcing the build, each line comes
# either at a new tenth or 30 s after the one before (a little jitter
# allowed), never later than that; the last one too.
start=$(sed -n 's/^\([0-9]*\) kbuild: replica1: building bzImage from scratch.*/\1/p' "$work/pipe")
bad=$(awk -v prev_t="${start:-0}" '{
	t = $1 + 0; last = $4 == "100"
	tenth = last ? 10 : int(substr($7, 2) / 10)
	if (!last && tenth <= prev_tenth && t - prev_t < 29000)
		print "too soon (" t - prev_t " ms): " $0
	if (t - prev_t > 32000)
		print "too late (" t - prev_t " ms): " $0
	prev_t = t; prev_tenth = tenth
}' <<<"$progress
$final")
tap $([ -n "$start" ] && [ -z "$bad" ]; echo $?) \
	"a line at each new tenth or after 30 s, none later" "${bad:-no 'building bzImage from scratch' line}"

# The last line: 100 % with the duration of the build, which the stamps
# measured too.
took=$(sed -n 's/.* in \([0-9.]* s\|[0-9]*m[0-9]*s\) (log: .*/\1/p' <<<"$final")
measured=$(awk -v a="${start:-0}" '{print ($1 - a) / 1000}' <<<"$final")
tap $([ -n "$took" ] && awk -v s="$(seconds "$took")" -v m="$measured" \
	'BEGIN { d = s - m; exit !(d < 3 && d > -3) }'; echo $?) \
	"the last line says 100 % and the build's duration ($took; ${measured} s by the clock)" "$final"

tap $(! grep -q $'\r' "$work/pipe" && ! grep -q 'objects compiled' "$B/logs/replica1.log"; echo $?) \
	"no terminal control on a pipe, no progress in the build log"

tap $(grep -q '^scratch_ms [1-9]' "$obj/.duplex-kstats"; echo $?) \
	"the build from scratch recorded its duration" "$(cat "$obj/.duplex-kstats")"

# ---- on a terminal: part of the objects, so without a total
delete_objects fs kernel
export DUPLEX
script -q -c '"$DUPLEX" build' /dev/null </dev/null >"$work/tty" 2>&1
status=$?
out=$(cat "$work/tty")
seg=${out#*$'\r\033[K'kbuild: replica1: }
seg=${seg%%kbuild: replica1: 100 %*}
rewrites=$(grep -o $'\r\033\[K' <<<"$seg" | wc -l)
tap $([ "$status" -eq 0 ] && [ "$seg" != "$out" ] && [ "$rewrites" -ge 3 ] &&
	[[ $seg != *$'\n'* ]]; echo $?) \
	"on a terminal, one line rewritten in place ($rewrites times) until the last (exit $status)" \
	"$(tail -c 600 "$work/tty" | cat -v)"

counts=$(tr '\r' '\n' <<<"$seg" | sed -n 's/^\x1b\[Kkbuild: replica1: \([0-9]*\) objects compiled, .*/\1/p')
tap $([ "$(sort -n <<<"$counts")" = "$counts" ] && [ "$(sort -un <<<"$counts" | wc -l)" -ge 2 ]; echo $?) \
	"the terminal's counts only grow" "$(echo $counts)"

tap $(grep -q $'kbuild: replica1: 100 % ([0-9]* objects compiled) in [0-9.ms ]* (log: [^\r]*)\r$' "$work/tty"; echo $?) \
	"the last line on the terminal says 100 % with the duration" "$(tail -c 300 "$work/tty" | cat -v)"
tap_done
