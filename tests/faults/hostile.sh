# Faults from a hostile partition (guest/winscribble.c): it writes the
# host's fields of every slot; floods the host with 10,000 random boot
# requests; overwrites the whole window with random bytes for 5 s.  The
# host keeps its state in its own memory: the machine stays whole.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/lib.sh"

# One machine for the forgery and the flood (window.exp): its verdict is
# the scenario's, each row's time from its mark to what the host did.
fault_snapshot
: >"$FAULT_MARKS"
dx_run 400 test "$FAULTS/window.exp" "$FAULTS/after.exp"
status=$?
s=$(slug 1)
log=$DUPLEX_RESULTS/latest/$s/harness.log
tap $([ "$(verdict_of 1)" = PASS ]; echo $?) \
	"forged host fields and 10,000 boot requests: the scenario passes, a replicated command runs on both partitions after them (exit $status)" \
	"$(cat "$FAULT_WORK/out")"
overwritten=$(grep -c "host-owned fields were overwritten" "$log")
tap $([ "$overwritten" -eq 2 ]; echo $?) \
	"each partition's overwritten host fields are logged once ($overwritten lines)" "$(grep -i overwritten "$log")"
refused=$(grep -c "asked to boot partition .*: refused:" "$log")
accepted=$(grep -c "asked to boot partition .*: accepted" "$log")
tap $([ "$accepted" -eq 1 ] && [ "$refused" -gt 0 ]; echo $?) \
	"of the random boot requests none is accepted ($refused refused; 1 accepted: repboot 1 at boot)"
tap $(after_passes; echo $?) "hostile window: the next scenario passes"
check_leftovers "forged host fields and boot requests"

figure "a guest forging host fields of every slot" \
	"PASS: logged once a partition, ignored, the host's restored" \
	"$(span "$(mark_at forge)" "$(log_at 'host-owned fields were overwritten' "$s")")"
figure "10,000 random boot requests from a guest" \
	"PASS: $refused refusals logged (forged ones included), none accepted" \
	"$(span "$(mark_at boots)" "$(mark_at boots-done)")"

FAULT_NOTE="host fields restored, random requests refused; the machine runs on" \
	scenario_fault "a guest overwriting the whole window for 5 s" scribble.exp PASS '' inject \
		'host-owned fields were overwritten'
tap_done
