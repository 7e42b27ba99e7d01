# End-to-end: `duplex console` refuses what it cannot attach to, each time
# with one line naming the reason and exit 2, before touching the
# terminal.  Runs are made here as a run makes itself known: a state
# directory in $DUPLEX_RUN with its lock held (here by flock(1)) and its
# `machine` file; nothing is booted.
source "$(dirname "$0")/../lib.sh"

work=$(mktemp -d)
holders=()
cleanup() {
	local pid
	for pid in "${holders[@]}"; do kill "$pid" 2>/dev/null; done
	rm -rf "$work"
}
trap cleanup EXIT
export DUPLEX_RUN=$work/run
mkdir -p "$DUPLEX_RUN"

# fake_run ID PROFILE PARTITIONS [dead]: a run's state directory; alive
# while a process holds its lock.
fake_run() {
	mkdir -p "$DUPLEX_RUN/$1"
	printf 'profile %s\npartitions %s\n' "$2" "$3" >"$DUPLEX_RUN/$1/machine"
	: >"$DUPLEX_RUN/$1/lock"
	[ "${4:-}" = dead ] && return
	flock -x "$DUPLEX_RUN/$1/lock" sleep 300 &
	holders+=($!)
	wait_for 5 sh -c "! flock -n -x '$DUPLEX_RUN/$1/lock' true"
}

# refused NAME MESSAGE ARGS...: exit 2, and MESSAGE as the only line.
refused() {
	local name=$1 message=$2 status out
	shift 2
	out=$("$DUPLEX" console "$@" </dev/null 2>&1)
	status=$?
	tap $([ "$status" -eq 2 ] && [ "$(wc -l <<<"$out")" -eq 1 ] &&
		grep -qF -- "$message" <<<"$out"; echo $?) \
		"$name: exit 2, one line: $message" "exit $status: $out"
}

refused "no machine running" "console: no machine is running (start one with ./launch.sh or duplex boot)"
fake_run r4242-dead default 2 dead
refused "only a dead run (its lock free)" "console: no machine is running"
refused "--run of a dead run" "console: run 'r4242-dead' is not alive (no machine of yours is running)" --run r4242-dead

fake_run r4243-beef default 2
refused "serial7 of a machine of 2 partitions" \
	"console: serial7: no such console: run r4243-beef has 2 partitions (serial0 to serial1)" serial7
refused "--run of no run" "console: run 'r1-0000' is not alive (running: r4243-beef (default))" --run r1-0000 serial1
refused "not a console name" "console: 'ttyS0' is not a console: serialK" ttyS0
refused "stdin not a terminal" "duplex console needs a terminal" serial1

fake_run r4244-cafe three 3
refused "two machines and no --run" \
	"console: 2 machines are running: r4243-beef (default), r4244-cafe (three); choose one with --run ID" serial1
refused "--run picks one: serial2 of the three-partition machine, no terminal" \
	"duplex console needs a terminal" --run r4244-cafe serial2
refused "--run picks one: serial2 of the two-partition machine" \
	"serial2: no such console: run r4243-beef has 2 partitions" --run r4243-beef serial2

"$DUPLEX" console --help >"$work/help" 2>&1
tap $([ $? -eq 0 ] && grep -q 'Ctrl-] detaches' "$work/help"; echo $?) "--help says the escape key" "$(cat "$work/help")"
tap_done
