# End-to-end: the primary's domain destroyed behind duplex's back
# (`virsh destroy`) while the machine runs.  `duplex boot` must say so,
# tear the whole machine down and exit 1; nothing of the run may be left.
source "$(dirname "$0")/../lib.sh"

work=$(mktemp -d)
boot_pid=
cleanup() {
	[ -n "$boot_pid" ] && kill -TERM "$boot_pid" 2>/dev/null && wait "$boot_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

"$DUPLEX" boot >"$work/boot.out" 2>&1 &
boot_pid=$!
wait_for 300 grep -q '^serial1: shell ready' "$work/boot.out"
tap $(grep -q '^serial1: shell ready' "$work/boot.out"; echo $?) \
	"duplex boot brings up the secondary through repboot" "$(cat "$work/boot.out")"
run_id=$(run_id_of "$work/boot.out")

virsh -q -c qemu:///system destroy "duplex-$run_id-p0" >/dev/null
wait_for 30 sh -c "! kill -0 $boot_pid 2>/dev/null"
wait "$boot_pid"
status=$?
boot_pid=
tap $([ "$status" -eq 1 ] && grep -q "serial0: domain duplex-$run_id-p0 ended" "$work/boot.out"; echo $?) \
	"duplex boot reports the primary's end and exits 1 (exit $status)" "$(cat "$work/boot.out")"
left=$(virsh -q -c qemu:///system list --all --name | grep -- "-$run_id-" || true)
tap $([ -n "$run_id" ] && [ -z "$left" ]; echo $?) "no domain of the run is left (the secondary too)" "left: $left"
bridge=dx${run_id#r}
tap $(! ip -n duplex link show "$bridge" >/dev/null 2>&1 && ! ip link show "$bridge" >/dev/null 2>&1; echo $?) \
	"the run's bridge $bridge is removed"
tap $([ ! -e "/dev/shm/duplex-$run_id" ]; echo $?) "the run's window file is removed"
tap_done
