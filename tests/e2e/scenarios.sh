# End-to-end: `duplex test` on scenarios that fail on purpose — a syntax
# error, a guest that panics, outputs that differ or do not match — and
# what it leaves in results/.
source "$(dirname "$0")/../lib.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
S=$ROOT/tests/scenarios
export DUPLEX_RESULTS=$work/results

# closing_counts FILE: the "N passed, N failed, N skipped" line.
closing_counts() { grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$1" | tail -1; }

# junit_counts DIR: "tests failures skipped" of its junit.xml.
junit_counts() {
	xmllint --xpath 'concat(/testsuites/@tests," ",/testsuites/@failures," ",/testsuites/@skipped)' "$1/junit.xml"
}

before=$(duplex_domains)
"$DUPLEX" test "$S/syntax.exp" >"$work/out" 2>&1
status=$?
tap $([ "$status" -eq 2 ] && grep -q "syntax.exp:7:" "$work/out" && [ ! -e "$work/results/latest" ]; echo $?) \
	"a syntax error on line 7: exit $status, file and line named, no run started" "$(cat "$work/out")"

"$DUPLEX" test --check "$ROOT/scenarios" >"$work/out" 2>&1
status=$?
tap $([ "$status" -eq 0 ] && grep -q "no errors" "$work/out"; echo $?) \
	"duplex test --check passes on scenarios/ (exit $status)" "$(cat "$work/out")"

"$DUPLEX" test --list --tags diverge "$ROOT/scenarios" >"$work/out" 2>&1
tap $([ "$(wc -l <"$work/out")" -eq 1 ] && grep -q "diverge.exp:[0-9]*: each partition's MAC address diverges" "$work/out"; echo $?) \
	"duplex test --list --tags selects by tag" "$(cat "$work/out")"

"$DUPLEX" test "$S/panic.exp" >"$work/out" 2>&1
status=$?
tap $([ "$status" -eq 1 ] && grep -q "the-primary-panics .* FAIL" "$work/out" &&
	grep -q "kernel panic on serial0: .*Kernel panic" "$work/out"; echo $?) \
	"a guest panic fails its scenario with 'kernel panic' (exit $status)" "$(cat "$work/out")"
tap $(grep -q "a-scenario-after-a-panic-runs .* PASS" "$work/out"; echo $?) \
	"the next scenario still runs and passes" "$(cat "$work/out")"
tap $([ -z "$(leaked_domains "$before")" ]; echo $?) "no domain is left behind" "$(duplex_domains)"

latest=$work/results/latest
tap $(for f in summary.json results.tap junit.xml report.html \
		the-primary-panics/serial0.log the-primary-panics/harness.log; do
	[ -s "$latest/$f" ] || exit 1; done; xmllint --noout "$latest/junit.xml"; echo $?) \
	"results/latest holds the reports, a well-formed junit.xml and the transcripts" "$(ls -R "$latest")"
counts=$(closing_counts "$work/out")
read -r jt jf js <<<"$(junit_counts "$latest")"
tap $([ "$counts" = "$((jt - jf - js)) passed, $jf failed, $js skipped" ] && [ "$jf" -ge 1 ]; echo $?) \
	"junit.xml counts agree with the closing line ($counts)" "junit: $jt tests, $jf failures, $js skipped"

"$DUPLEX" test "$S/fails.exp" >"$work/out" 2>&1
status=$?
# Each failure is one case: the divergence is judged by the case that ran
# the command, not again at the scenario's end.
tap $([ "$status" -eq 1 ] && [ "$(closing_counts "$work/out")" = "1 passed, 4 failed, 0 skipped" ]; echo $?) \
	"a divergence, a wrong output and a wrong status are each caught, once (exit $status)" "$(cat "$work/out")"
tap $(grep -q "exit-in-a-body-fails-its-scenario.* FAIL" "$work/out" &&
	grep -q "fails.exp:16: 'exit' would end the harness, not the scenario" "$work/out" &&
	[ -z "$(leaked_domains "$before")" ]; echo $?) \
	"exit in a scenario's body fails that scenario with its line, and its machine is torn down" "$(cat "$work/out")"
grep -q 'class="diverge"' "$latest/report.html"
tap $? "report.html marks the diverging line"
grep -q -- '--- serial0' "$latest/junit.xml"
tap $? "junit.xml carries the diff between consoles"

# partd stopped on partition 1: only the host's heartbeat watch ends the
# scenario before its idle limit (100 s), after 20 s of silence; the
# reason names the heartbeat, not the idle limit.
"$DUPLEX" test "$S/hang.exp" >"$work/out" 2>&1
status=$?
tap $([ "$status" -eq 1 ] && grep -q "partition-1-stops-its-heartbeat .* FAIL" "$work/out" &&
	grep -q "serial1 (partition 1, replica 2): no heartbeat for 2[0-9] s: its kernel or partd hangs" "$work/out" &&
	! grep -q "(the idle limit)" "$work/out"; echo $?) \
	"a partition whose partd stops fails its scenario with the heartbeat message naming partition 1 (exit $status)" "$(cat "$work/out")"
tap $(grep -q "a-scenario-after-a-hang-runs .* PASS" "$work/out"; echo $?) \
	"the scenario after the hang still runs and passes" "$(cat "$work/out")"
tap $([ -z "$(leaked_domains "$before")" ]; echo $?) "no domain is left behind after the hang" "$(duplex_domains)"

# A Tcl error deep in a scenario's code names the line of the file where
# it happened (no machine boots: a fraction of a second).
"$DUPLEX" test "$S/nested.exp" >"$work/out" 2>&1
status=$?
tap $([ "$status" -eq 1 ] && [ "$(closing_counts "$work/out")" = "0 passed, 4 failed, 0 skipped" ] &&
	grep -q 'nested.exp:14: invalid command name "nosuchcmd"$' "$work/out"; echo $?) \
	"an invalid command in an if in a foreach is reported on its own line (exit $status)" "$(cat "$work/out")"
tap $(grep -q 'nested.exp:7: helper fails (in proc helper, called from line 21)$' "$work/out"; echo $?) \
	"an error raised in a proc of the file names its line and the line that called the proc" "$(cat "$work/out")"
tap $(grep -q 'nested.exp:26: duplex::run: nothing is booted' "$work/out"; echo $?) \
	"a failing duplex::run in a foreach is reported on its own line" "$(cat "$work/out")"
tap $(grep -q 'nested.exp:32: in the body$' "$work/out" &&
	[ -z "$(leaked_domains "$before")" ]; echo $?) \
	"an error directly in the body is reported on its line, and no domain is left behind" "$(cat "$work/out")"

# Divergence verdicts come from repd's window counters: a printed
# "rep: divergence" passes, and a divergence outside every duplex::run
# fails the scenario even after a -diverge.
"$DUPLEX" test "$S/forged.exp" >"$work/out" 2>&1
status=$?
tap $([ "$status" -eq 1 ] && grep -q "a-printed-rep-divergence-line-is-not.* PASS" "$work/out"; echo $?) \
	"a program printing 'rep: divergence' is not a divergence (exit $status)" "$(cat "$work/out")"
tap $(grep -q "a-divergence-outside-duplex-run-fails.* FAIL" "$work/out" &&
	grep -q "repd counted 1 divergence outside any duplex::run" "$work/out" &&
	[ -z "$(leaked_domains "$before")" ]; echo $?) \
	"a divergence outside duplex::run fails its scenario although an earlier run expected one" "$(cat "$work/out")"
tap $(grep -q "a-layout-line-echoed-by-a-program.* PASS" "$work/out"; echo $?) \
	"a layout line a program echoes does not replace the one the kernel printed" "$(cat "$work/out")"
tap $(grep -q "panic-and-bug-lines-printed-by-a-program.* PASS" "$work/out"; echo $?) \
	"panic and BUG lines a program prints fail nothing, and programs cannot reach the kernel channel" "$(cat "$work/out")"

# repd and a hostile local client: malformed requests refused with their
# fds closed, a request from another user than root refused.
"$DUPLEX" test "$S/repd.exp" >"$work/out" 2>&1
status=$?
tap $([ "$status" -eq 0 ] && grep -q "repd-refuses-hostile-clients.* PASS" "$work/out"; echo $?) \
	"repd refuses malformed requests closing their fds, and non-root clients (exit $status)" "$(cat "$work/out")"

# Tcl code that never waits: the interpreter's time limit ends it at the
# scenario's deadline (without it, the run never ends: timeout ends it).
timeout 120 "$DUPLEX" test "$S/loop.exp" >"$work/out" 2>&1
status=$?
tap $([ "$status" -eq 1 ] && grep -q "a-tcl-loop-that-never-waits .* FAIL" "$work/out" &&
	grep -q "the scenario's deadline (5 s) passed while its Tcl code ran without waiting" "$work/out"; echo $?) \
	"a Tcl loop that never waits fails its scenario at the deadline, naming why (exit $status)" "$(cat "$work/out")"
tap $(grep -q "a-scenario-after-the-endless-loop-runs .* PASS" "$work/out" &&
	[ -z "$(leaked_domains "$before")" ]; echo $?) \
	"the scenario after the endless loop runs and passes, and no domain is left behind" "$(cat "$work/out")"

tap_done
