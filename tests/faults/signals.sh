# Faults to duplex itself: `duplex test` killed with SIGKILL (with its
# scenario process, as a crash or the OOM killer takes a process group),
# then `duplex clean`; Ctrl-C (SIGINT to the process group, as a terminal
# sends it) while a partition boots, while a command runs, and while the
# machine is torn down.  (Ctrl-C with a scenario process that ignores it,
# and with stdout's reader gone: tests/e2e/interrupt.sh.)
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/lib.sh"

# interrupted ROW SIGNAL WAIT-CMD... : start wait.exp (or teardown.exp
# for the teardown), send SIGNAL to the group once WAIT-CMD succeeds.
interrupt_when() {
	local file=$1 sig=$2

	shift 2
	fault_snapshot
	: >"$FAULT_MARKS"
	dx_start test "$FAULTS/$file"
	wait_for 240 "$@"
	T0=$(now)
	kill "-$sig" -- "-$DX_PID"
}

# The closing counts an interrupted run still prints.
closing_line() { grep -qE '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$FAULT_WORK/out"; }

# --- SIGKILL, then duplex clean
row="duplex test killed with SIGKILL, then duplex clean"
interrupt_when wait.exp KILL wait_mark 1 ready
dx_wait 60
dx_run 120 clean
status=$?
t1=$(now)
tap $([ "$status" -eq 0 ] && grep -qE '^clean: [0-9]+ domains?, [0-9]+ run director(y|ies), [0-9]+ bridges?, [0-9]+ window files? removed' "$FAULT_WORK/out"; echo $?) \
	"$row: duplex clean exits 0 and says what it removed (exit $status)" "$(cat "$FAULT_WORK/out")"
verdict=$(grep -E '^clean: [0-9]+ domains' "$FAULT_WORK/out")
check_leftovers "$row"
tap $(run_after; echo $?) "$row: the next scenario passes" "$(cat "$FAULT_WORK/out")"
figure "$row" "${verdict:-?}" "$(span "$T0" "$t1")"

# --- SIGINT while partition 1 boots (its domain started, or its standby
# domain resumed, and not yet ready)
sigint() { # ROW: assert exit 2, a named interruption, counts, nothing left
	local row=$1 status t1

	dx_wait 120
	status=$?
	t1=$(now)
	tap $([ "$status" -eq 2 ] && grep -qiE "$2" "$FAULT_WORK/out" && closing_line; echo $?) \
		"$row: exit 2, /$2/, closing counts (exit $status)" "$(cat "$FAULT_WORK/out")"
	verdict=$(grep -iE -m1 "$2" "$FAULT_WORK/out" | sed 's/^ *//' | cut -c1-90)
	check_leftovers "$row"
	tap $(run_after; echo $?) "$row: the next scenario passes" "$(cat "$FAULT_WORK/out")"
	figure "$row" "exit 2: ${verdict:-?}" "$(span "$T0" "$t1")"
}
interrupt_when wait.exp INT log_says 'serial1: domain .* (started|resumed from standby),'
sigint "SIGINT during boot" 'interrupt'

interrupt_when wait.exp INT wait_mark 1 ready
sleep 1
sigint "SIGINT during a command" 'interrupt'

interrupt_when teardown.exp INT log_says 'serial0: domain .* destroyed'
sigint "SIGINT during teardown" 'interrupt'
tap_done
