# Faults from outside the guests, while the primary runs a command: the
# secondary's kernel stops (its domain suspended through libvirt, the
# closest to a hard hang TCG allows), the secondary's domain destroyed
# behind duplex's back.  (The same for the primary with `duplex boot`:
# tests/e2e/lost_primary.sh.)
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/lib.sh"

virsh_on() { virsh -q -c qemu:///system "$1" "$(domain_of 1)" >/dev/null; }

outside_fault "a kernel that stops (virsh suspend)" FAIL \
	'serial1 \(partition 1, replica 2\): no heartbeat for [0-9]+ s: its kernel or partd hangs' \
	virsh_on suspend
outside_fault "a domain destroyed from outside (virsh destroy)" FAIL \
	'serial1: the domain ended \(powered off, destroyed or crashed\)' \
	virsh_on destroy

# libvirtd killed (SIGKILL) mid-scenario, and started again as make deps
# starts it.  Other runs on this host share libvirtd: with one going, the
# row is skipped rather than break it.
restart_libvirtd() {
	local pid

	pid=$(pgrep -x libvirtd | head -1)
	kill -KILL "$pid"
	wait_for 10 sh -c "! kill -0 $pid 2>/dev/null"
	sleep 2
	bash "$ROOT/scripts/setup.sh" >"$FAULT_WORK/setup.out" 2>&1
}
others=$(leftovers_others)
if [ -n "$others" ]; then
	tap 0 "libvirtd killed and started again # SKIP other runs use this libvirtd: $others"
else
	FAULT_NOTE="the machine runs on; the teardown reconnects to destroy its domains" \
		outside_fault "libvirtd killed mid-scenario and started again" PASS '' restart_libvirtd
fi
tap_done
