# The suite's leftover count can fail: a window file and a state
# directory of a run whose process is gone, made here, are counted; once
# removed, nothing is.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/lib.sh"

fault_snapshot
# A pid that is not running: a dead run's id.
sleep 0 & dead=$!
wait "$dead"
id=r$dead-beef
mkdir -p "/run/duplex/$id"
: >"/dev/shm/duplex-$id"
leftovers
tap $([ "$LEFT" = "domains=0 bridges=0 windows=1 states=1 processes=0" ]; echo $?) \
	"a dead run's window file and state directory are counted ($LEFT)"
rm -rf "/run/duplex/$id" "/dev/shm/duplex-$id"
leftovers
tap $? "once removed, nothing is counted ($LEFT)"
tap_done
