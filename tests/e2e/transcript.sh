# End-to-end: a console's transcript is complete (docs/architecture.md,
# "Console transcripts").  A guest prints `seq 1 N`, a known checksum,
# more than virtlogd's 2 MiB before it rotates its log: the transcript
# holds every byte in order, and the scenario, which waits for a marker
# printed after the flood, passes.  Then, with the profile's transcript
# limit set low, the verdict names the limit and the transcript keeps
# its first and last parts with a marker line saying how many bytes were
# left out.  The time, CPU and peak RSS of each run are printed as TAP
# diagnostics.  The flood is 13.5 MiB by default (1,700,000 lines): more
# than virtlogd keeps by default (2 MiB and 3 backups); FLOOD_LINES sets it.
source "$(dirname "$0")/../lib.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export DUPLEX_RESULTS=$work/results
LINES=${FLOOD_LINES:-1700000}
CUT_LINES=250000
CUT_KIB=1024
CUT_TEXT="1.0 MiB"
CUT_HALF=$((CUT_KIB * 512))

# profile FILE LIMIT_KIB: the default machine with that transcript limit.
profile() {
	sed "s/^transcript_limit_kib = .*/transcript_limit_kib = $2/" \
		"$ROOT/vm/default.profile" >"$1"
}

# scenario FILE PROFILE LINES MS_FILE: boot, flood, and a command typed
# during the flood, whose output (and duplex::run's end marker) comes
# after it; the flood's milliseconds into MS_FILE.  The terminal does not
# echo during the flood (stty -echo), so the command typed meanwhile does
# not land in its middle; the 3 s before typing it let `stty` run first.
# The kernel prints nothing on the console meanwhile (dmesg -n 1): over
# minutes of TCG it may have something to say (a 12 MiB flood once had
# 102 bytes more than seq printed, not identified).
scenario() {
	cat >"$1" <<EOF
scenario "a flood of $3 lines reaches the transcript" -partitions 1 -timeout 1200 -profile $2 {
	duplex::boot
	set t0 [clock milliseconds]
	duplex::send serial0 "stty -echo; dmesg -n 1; echo FLOOD-BEGIN-\\\$((6*7)); seq 1 $3; echo FLOOD-END-\\\$((6*7)); stty echo\\n"
	after 3000
	duplex::run {echo after-flood} -expect {^after-flood\$} -timeout 1000
	set f [open $4 w]
	puts \$f [expr {[clock milliseconds] - \$t0}]
	close \$f
}
EOF
}

# run NAME: duplex test on $work/NAME.exp under /usr/bin/time; the
# scenario's directory in $DIR, its output in $work/NAME.out.
run() {
	local t0=$SECONDS

	/usr/bin/time -v -o "$work/$1.time" "$DUPLEX" test "$work/$1.exp" >"$work/$1.out" 2>&1
	STATUS=$?
	ELAPSED=$((SECONDS - t0))
	DIR=$(echo "$DUPLEX_RESULTS"/latest/*/)
	DIR=${DIR%/}
}

# The flood between its markers, CRs dropped (the tty's line ends).
flood_of() {
	tr -d '\r' <"$1" | sed -n '/^FLOOD-BEGIN-42$/,/^FLOOD-END-42$/p' | sed '1d;$d'
}

# figures NAME: the flood's bytes on serial0 (its CRs included) over the
# time from typing it to its end marker (the scenario wrote it), CPU and
# peak RSS of duplex and its scenario process (time -v counts the
# children it waited for).
figures() {
	local ms bytes cpu rss

	ms=$(cat "$work/$1.ms" 2>/dev/null || echo 0)
	bytes=$(sed -n '/^FLOOD-BEGIN-42\r\?$/,/^FLOOD-END-42\r\?$/p' "$DIR/serial0.log" | wc -c)
	cpu=$(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { printf "%.1f", u + s }' "$work/$1.time")
	rss=$(awk -F': ' '/Maximum resident/ { printf "%.1f", $2 / 1024 }' "$work/$1.time")
	echo "# $1: flood of $bytes bytes in $((ms / 1000)) s" \
		"($(awk -v b="$bytes" -v ms="$ms" 'BEGIN { printf "%.1f", (ms > 0 ? b / 1024 / (ms / 1000) : 0) }') KiB/s guest to transcript);" \
		"whole run ${ELAPSED} s; CPU ${cpu} s (user + system, duplex and its scenario process); peak RSS ${rss} MiB"
}

before=$(duplex_domains)
profile "$work/whole.profile" 65536
scenario "$work/whole.exp" "$work/whole.profile" "$LINES" "$work/whole.ms"
run whole
tap $([ "$STATUS" -eq 0 ] && grep -q "PASS" "$work/whole.out"; echo $?) \
	"a guest printing seq 1 $LINES: the scenario waiting for the marker after it passes (exit $STATUS, ${ELAPSED} s)" \
	"$(cat "$work/whole.out")"
want=$(seq 1 "$LINES" | sha256sum | cut -d' ' -f1)
got=$(flood_of "$DIR/serial0.log" | sha256sum | cut -d' ' -f1)
bytes=$(wc -c <"$DIR/serial0.log")
tap $([ "$got" = "$want" ]; echo $?) \
	"the transcript holds every byte of the flood in order (sha256 $got, $bytes bytes)" \
	"want $want; what differs from seq 1 $LINES: $(diff <(seq 1 "$LINES") <(flood_of "$DIR/serial0.log") | head -20)"
rotations=$(grep -c "virtlogd rotated" "$DIR/harness.log")
tap $([ "$rotations" -ge 1 ] && [ ! -e "$DIR/serial0.log.0" ]; echo $?) \
	"virtlogd rotated its log $rotations times; the transcript is one file" "$(ls "$DIR")"
figures whole

profile "$work/cut.profile" "$CUT_KIB"
scenario "$work/cut.exp" "$work/cut.profile" "$CUT_LINES" "$work/cut.ms"
run cut
tap $([ "$STATUS" -eq 1 ] &&
	grep -q "serial0.log: .* left out of its middle, past the transcript limit of $CUT_TEXT" "$work/cut.out"; echo $?) \
	"past a $CUT_KIB KiB limit the verdict fails, naming the limit (exit $STATUS)" "$(cat "$work/cut.out")"
marker=$(grep -a "^\[duplex: [0-9]* bytes .* left out here: bytes $CUT_HALF to " "$DIR/serial0.log")
left=$(echo "$marker" | sed 's/^\[duplex: \([0-9]*\) bytes.*/\1/')
size=$(wc -c <"$DIR/serial0.log")
tap $([ -n "$marker" ] && [ "$((size - ${#marker} - 2))" -eq $((CUT_KIB * 1024)) ] &&
	[ "$(tail -c 4000 "$DIR/serial0.log" | tr -d '\r' | grep -c "^after-flood$")" -ge 1 ] &&
	[ "$(head -c "$CUT_HALF" "$DIR/serial0.log" | grep -ac "Linux version")" -ge 1 ]; echo $?) \
	"the transcript keeps its first and last $((CUT_KIB / 2)) KiB and marks the $left bytes between" \
	"$marker ($size bytes)"
figures cut
grep -q "console transcripts complete" "$DUPLEX_RESULTS/latest/report.html" &&
	grep -q 'around this command' "$DUPLEX_RESULTS/latest/report.html"
tap $? "report.html has the failed case and the transcript around the command"
tap $([ -z "$(leaked_domains "$before")" ]; echo $?) "no domain is left behind" "$(duplex_domains)"
tap_done
