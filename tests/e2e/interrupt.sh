# End-to-end: Ctrl-C of `duplex test` always ends it: a scenario process
# that does not end after SIGTERM is killed after its grace, what it left
# is removed, and the runner sleeps (does not spin) while it waits.
source "$(dirname "$0")/../lib.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export DUPLEX_RESULTS=$work/results
before=$(duplex_domains)

# cpu_ticks PID: user + system clock ticks the process used so far.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
scenario_child() { pgrep -P "$1" | head -n 1; }
child_has_domain() { duplex_domains | grep -q -- "^duplex-r$1-"; }
gone() { ! kill -0 "$1" 2>/dev/null; }

"$DUPLEX" test "$ROOT/scenarios/busybox.exp" >"$work/out" 2>&1 &
pid=$!
wait_for 60 scenario_child "$pid" >/dev/null
child=$(scenario_child "$pid")
wait_for 120 child_has_domain "$child"
# Stopped, the scenario's process can answer neither SIGTERM nor anything.
kill -STOP "$child"
kill -INT "$pid"
sleep 1
ticks0=$(cpu_ticks "$pid")
sleep 8
ticks1=$(cpu_ticks "$pid")
hz=$(getconf CLK_TCK)
tap $([ $((ticks1 - ticks0)) -lt $((hz * 2)) ]; echo $?) \
	"after Ctrl-C, duplex test sleeps while its scenario ends (CPU: $((ticks1 - ticks0)) ticks in 8 s at $hz/s)"
# reap PID: its exit status once gone; killed (and 137) if it outlives
# the test's deadline, so that the test itself always ends.
reap() {
	wait_for 60 gone "$1" || kill -KILL "$1" "${@:2}" 2>/dev/null
	wait "$1"
}
reap "$pid" "$child"
status=$?
kill -CONT "$child" 2>/dev/null
tap $([ "$status" -eq 2 ] && gone "$child" &&
	grep -q "scenario 'busybox ls is identical on both replicas' did not end 15 s after SIGTERM: killed" "$work/out"; echo $?) \
	"a scenario process that ignores SIGTERM is killed after 15 s, and duplex test exits 2 (exit $status)" \
	"$(cat "$work/out")"
left_dirs=$(ls -d /run/duplex/r"$child"-* 2>/dev/null)
left_shm=$(ls /dev/shm/duplex-r"$child"-* 2>/dev/null)
wait_for 30 sh -c "! virsh -q -c qemu:///system list --all --name | grep -q -- '^duplex-r$child-'"
tap $([ -z "$left_dirs" ] && [ -z "$left_shm" ] && [ -z "$(leaked_domains "$before")" ]; echo $?) \
	"the killed scenario's domains, state directory and window file are gone" \
	"dirs: $left_dirs; window files: $left_shm; domains: $(leaked_domains "$before")"
tap $(grep -Eq '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$work/out"; echo $?) \
	"the interrupted run still prints its closing counts" "$(cat "$work/out")"

# Ctrl-C of `./launch.sh | tee log` ends the reader of duplex's stdout
# too: the teardown writes into a pipe nobody reads, and must finish all
# the same (no bridge, window file or state directory left).
mkfifo "$work/fifo"
"$DUPLEX" boot >"$work/fifo" 2>&1 &
pid=$!
cat "$work/fifo" >"$work/boot.out" &
reader=$!
wait_for 300 grep -q 'duplex: machine running' "$work/boot.out"
run_id=$(run_id_of "$work/boot.out")
kill "$reader"
wait "$reader" 2>/dev/null
kill -INT "$pid"
reap "$pid"
status=$?
tap $([ -n "$run_id" ] && [ ! -e "/run/duplex/$run_id" ] && [ ! -e "/dev/shm/duplex-$run_id" ] &&
	! has_bridge "dx${run_id#r}"; echo $?) \
	"Ctrl-C with stdout's reader gone: the teardown still removes the run's state, window file and bridge (exit $status)" \
	"run $run_id; $(cat "$work/boot.out")"
tap_done
