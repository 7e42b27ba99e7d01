# Sourced by the fault scenarios: fault::mark NAME appends "EPOCH.MS NAME
# PID" to the file $FAULT_MARKS (set by tests/faults/lib.sh): when the
# fault was injected, or when the shell may inject it, and which scenario
# process (its run id is r<PID>-...) runs the machine.
namespace eval fault {}
proc fault::mark {name} {
	if {![info exists ::env(FAULT_MARKS)]} {
		return
	}
	set f [open $::env(FAULT_MARKS) a]
	puts $f "[format %.3f [expr {[clock milliseconds] / 1000.0}]] $name [pid]"
	close $f
}
