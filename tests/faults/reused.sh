# Faults whose scenarios exist already, run here for the suite's rows
# (their figures and leftover counts); each file has its next scenario
# after the fault.  tests/e2e/scenarios.sh asserts more of their output.
#   tests/scenarios/hang.exp  partd stopped (SIGSTOP) on partition 1
#   tests/scenarios/loop.exp  a Tcl loop that never waits
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/lib.sh"

# reused_fault ROW FILE RE INJECT-RE: FILE's first scenario fails with
# RE, its second passes, nothing is left; the time to the verdict from
# the first line of the first scenario's harness log matching INJECT-RE.
reused_fault() {
	local row=$1 file=$2 re=$3 inject=$4 status s

	fault_snapshot
	dx_run 400 test "$ROOT/tests/scenarios/$file"
	status=$?
	s=$(slug 1)
	tap $([ "$(verdict_of 1)" = FAIL ] && grep -qE -- "$re" "$FAULT_WORK/out"; echo $?) \
		"$row: FAIL, /$re/ (exit $status)" "$(cat "$FAULT_WORK/out")"
	tap $([ "$(verdict_of 2)" = PASS ]; echo $?) "$row: the next scenario passes"
	check_leftovers "$row"
	figure "$row" "FAIL: $(reason_of 1 | cut -c1-90)" \
		"$(span "$(log_at "$inject" "$s")" "$(ends_at "$s")")"
}

# The kill -STOP is the first text typed on serial1.
reused_fault "a partd that stops (SIGSTOP in the guest)" hang.exp \
	'serial1 \(partition 1, replica 2\): no heartbeat for 2[0-9] s: its kernel or partd hangs' \
	'serial1: sent'
# The body loops from its start: the time runs from the run's first line.
reused_fault "the Tcl infinite loop" loop.exp \
	"the scenario's deadline \(5 s\) passed while its Tcl code ran without waiting" \
	' debug: run r'
tap_done
