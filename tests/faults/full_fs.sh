# Faults: results/ on a full file system (a small tmpfs as DUPLEX_RESULTS),
# full before the run and filling up during it.  The error says so in
# words, and nothing is half-written: no report, no temporary file, no
# run directory when the run could not start.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	tap 0 "results on a full file system # SKIP mounting a tmpfs needs root"
	tap_done
	exit
fi
# The tmpfs is mounted in virtlogd's mount namespace, where the console
# transcripts are written (scripts/setup.sh runs it under `ip netns
# exec`, which gives it a namespace of its own: a mount made here later
# is not seen there), and reached from here through /proc/PID/root.
vl=$(pgrep -x virtlogd | head -1)
at=$FAULT_WORK/full
nsenter -t "$vl" -m -- sh -c "mkdir -p '$at' && mount -t tmpfs -o size=4m tmpfs '$at'" || exit 1
full=/proc/$vl/root$at
trap 'nsenter -t "$vl" -m -- umount "$at"; fault_cleanup' EXIT
fill() { dd if=/dev/zero of="$full/filler" bs=4k >/dev/null 2>&1; }

# Half-written: a report that does not parse, or a temporary file of an
# atomic write that stayed.
half_written() {
	find "$full" -name '*.json.*' -o -name '*.tap.*' -o -name '*.xml.*' -o -name '*.html.*' | grep -q . && return 0
	for f in "$full"/t*/summary.json; do
		[ -e "$f" ] || continue
		python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$f" || return 0
	done
	for f in "$full"/t*/junit.xml; do
		[ -e "$f" ] || continue
		xmllint --noout "$f" 2>/dev/null || return 0
	done
	return 1
}

# --- full before the run
row="results/ on a full file system (full before the run)"
fill
fault_snapshot
t0=$(now)
DUPLEX_RESULTS=$full dx_run 120 test "$FAULTS/after.exp"
status=$?
t1=$(now)
tap $([ "$status" -eq 2 ] && grep -q "the file system of the results directory '$full' has 0 KiB free" "$FAULT_WORK/out"; echo $?) \
	"$row: exit 2, the error names the full file system (exit $status)" "$(cat "$FAULT_WORK/out")"
tap $([ "$(ls -A "$full")" = filler ]; echo $?) \
	"$row: nothing written (no run directory, no latest link)" "$(ls -lA "$full")"
verdict=$(grep -m1 -o "the file system of the results directory .* free" "$FAULT_WORK/out" | sed "s|$full|DIR|")
check_leftovers "$row"
tap $(run_after; echo $?) "$row: the next scenario passes" "$(cat "$FAULT_WORK/out")"
figure "$row" "exit 2: ${verdict:-?}" "$(span "$t0" "$t1")"
rm -f "$full/filler"

# --- filling up during a scenario
row="results/ on a full file system (fills up during a scenario)"
fault_snapshot
: >"$FAULT_MARKS"
DUPLEX_RESULTS=$full dx_start test "$FAULTS/fill.exp"
wait_mark 120 ready
t0=$(now)
fill
dx_wait 180
status=$?
t1=$(now)
tap $([ "$status" -eq 2 ] && grep -q "the results' file system is full" "$FAULT_WORK/out"; echo $?) \
	"$row: exit 2, the verdict names the full file system (exit $status)" "$(cat "$FAULT_WORK/out")"
tap $(! half_written; echo $?) "$row: no half-written report, no temporary file left" "$(ls -lAR "$full")"
verdict=$(reason_of 1 | sed "s|$full/[^ ]*|DIR|" | cut -c1-100)
check_leftovers "$row"
rm -f "$full/filler"
tap $(run_after; echo $?) "$row: the next scenario passes" "$(cat "$FAULT_WORK/out")"
figure "$row" "FAIL: ${verdict:-?}" "$(span "$t0" "$t1")"
tap_done
