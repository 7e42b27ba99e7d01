# End-to-end: `duplex boot` as a person uses it.  A real minicom inside tmux
# attaches to the printed pty, types a command and reads the answer; a
# partition stopped on purpose is reported and left up; then SIGINT must
# leave no domain behind.
source "$(dirname "$0")/../lib.sh"

work=$(mktemp -d)
session=duplex-e2e-$$
boot_pid=
cleanup() {
	tmux kill-session -t "$session" 2>/dev/null
	[ -n "$boot_pid" ] && kill -TERM "$boot_pid" 2>/dev/null && wait "$boot_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

"$DUPLEX" boot >"$work/boot.out" 2>&1 &
boot_pid=$!

wait_for 30 grep -q 'minicom -D /dev/pts/' "$work/boot.out"
pty=$(sed -n 's/^serial0 (primary): minicom -D \(\/dev\/pts\/[0-9]*\)$/\1/p' "$work/boot.out")
tap $([ -c "$pty" ]; echo $?) "duplex boot prints 'serial0 (primary): minicom -D /dev/pts/N'" "$(cat "$work/boot.out")"
run_id=$(run_id_of "$work/boot.out")

wait_for 300 grep -q 'shell ready' "$work/boot.out"
tap $(grep -q 'serial0: shell ready after' "$work/boot.out"; echo $?) "the primary's shell becomes ready" "$(cat "$work/boot.out")"

tmux new-session -d -s "$session" -x 160 -y 40 "minicom -o -w -D $pty"
screen() { tmux capture-pane -p -t "$session"; }
wait_for 10 sh -c "tmux capture-pane -p -t $session | grep -q 'Welcome to minicom'"
tmux send-keys -t "$session" Enter
tmux send-keys -t "$session" 'echo $((6*7))' Enter
wait_for 60 sh -c "tmux capture-pane -p -t $session | grep -q '^42 *$'"
tap $(screen | grep -q '^42 *$'; echo $?) "minicom on the pty gets a working root shell (echo \$((6*7)) -> 42)" "$(screen)"

tmux send-keys -t "$session" 'sleep 100; echo after-sleep' Enter
sleep 1
tmux send-keys -t "$session" C-c
tmux send-keys -t "$session" 'echo interrupted-$((1+1))' Enter
wait_for 30 sh -c "tmux capture-pane -p -t $session | grep -q '^interrupted-2'"
tap $(screen | grep -q '^interrupted-2' && ! screen | grep -q '^after-sleep'; echo $?) \
	"Ctrl-C typed in minicom interrupts the guest's command" "$(screen)"
# A partition stopped on purpose (here its partd, as a debugger would stop
# the kernel) is reported once the heartbeat has stood still for 20 s, and
# the machine is left to the person at the console.
tmux send-keys -t "$session" 'kill -STOP $(pidof partd) && echo stopped-$((2*3))' Enter
wait_for 30 sh -c "tmux capture-pane -p -t $session | grep -q '^stopped-6'"
wait_for 60 grep -q 'no heartbeat for' "$work/boot.out"
tap $(grep -q 'serial0 (partition 0, replica 1): no heartbeat for 2[0-9] s: its kernel or partd hangs; the machine stays up' "$work/boot.out" &&
	kill -0 "$boot_pid"; echo $?) \
	"a hang after boot is reported and the machine stays up" "$(cat "$work/boot.out")"
tmux send-keys -t "$session" 'kill -CONT $(pidof partd) && echo resumed-$((2*4))' Enter
wait_for 30 sh -c "tmux capture-pane -p -t $session | grep -q '^resumed-8'"
tap $(screen | grep -q '^resumed-8'; echo $?) "the shell still answers afterwards" "$(screen)"
tmux kill-session -t "$session"

kill -INT "$boot_pid"
wait "$boot_pid"
status=$?
boot_pid=
tap $([ "$status" -eq 0 ]; echo $?) "duplex boot ends cleanly on SIGINT (exit $status)" "$(cat "$work/boot.out")"
left=$(virsh -q -c qemu:///system list --all --name | grep -- "-$run_id-" || true)
tap $([ -n "$run_id" ] && [ -z "$left" ]; echo $?) "no domain of the run is left after SIGINT" "run $run_id left: $left"
tap $([ ! -e "/run/duplex/$run_id" ]; echo $?) "the run's state directory is removed"
tap $([ -s "$ROOT/results/$run_id/serial0.log" ]; echo $?) "the console transcript is kept in results/$run_id"
tap_done
