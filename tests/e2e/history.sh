# End-to-end: the run history — nightly-style runs of a scenario that
# fails every other run beside one that always passes
# (tests/scenarios/flaky.exp) recorded in results/history.db, the flaky
# mark in report.html and in `duplex history`, `--rerun-failed 2`
# reporting FLAKY (exit 1 unless --allow-flaky), and a history that
# cannot be used changing nothing of a run but one error.
source "$(dirname "$0")/../lib.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
S=$ROOT/tests/scenarios/flaky.exp
export DUPLEX_RESULTS=$work/results
export DUPLEX_FLAKY_DIR=$work/flaky
unset DUPLEX_HISTORY
mkdir -p "$DUPLEX_FLAKY_DIR"
db=$DUPLEX_RESULTS/history.db
latest=$DUPLEX_RESULTS/latest
before=$(duplex_domains)

# verdicts_of ID FILE: the verdict string `duplex history` printed for ID.
verdicts_of() { sed -n "s/^  $1  *\([PFSR]*\)\$/\1/p" "$2"; }

# Night 1: the flaky scenario fails, the other passes.
"$DUPLEX" test "$S" >"$work/out" 2>&1
status=$?
tap $([ "$status" -eq 1 ] && grep -q "fails-every-other-run .* FAIL" "$work/out" &&
	grep -q "passes-every-run .* PASS" "$work/out" && [ -s "$db" ]; echo $?) \
	"night 1: the flaky scenario fails (exit $status), the run is recorded in results/history.db" \
	"$(cat "$work/out")"

# Night 2: it passes, on the same commit and kernels: flaky.
"$DUPLEX" test "$S" >"$work/out" 2>&1
status=$?
tap $([ "$status" -eq 0 ] && grep -q "fails-every-other-run .* PASS" "$work/out" &&
	[ "$(grep -c 'class="mark flaky">flaky<' "$latest/report.html")" -eq 2 ] &&
	! grep -q 'class="mark new-failure\|class="mark fixed' "$latest/report.html"; echo $?) \
	"night 2: it passes (exit $status), and report.html marks it flaky (index and section), nothing else" \
	"$(cat "$work/out"; grep -o 'class="mark[^<]*' "$latest/report.html")"
tap $(grep -A1 '"slug": "fails-every-other-run"' "$latest/summary.json" | grep -q '"mark": "flaky", "attempts": 1' &&
	grep -A1 '"slug": "passes-every-run"' "$latest/summary.json" | grep -q '"mark": null'; echo $?) \
	"summary.json carries the marks" "$(cat "$latest/summary.json")"
"$DUPLEX" history >"$work/hist" 2>&1
tap $([ "$(verdicts_of fails-every-other-run "$work/hist")" = FP ] &&
	[ "$(verdicts_of passes-every-run "$work/hist")" = PP ] &&
	[ "$(grep -c '^t[0-9]*-[0-9a-f]* ' "$work/hist")" -eq 2 ]; echo $?) \
	"duplex history: two runs, FP and PP" "$(cat "$work/hist")"

# Night 3, with --rerun-failed 2: it fails, then passes on a fresh
# machine: FLAKY, and the run fails.
"$DUPLEX" test --rerun-failed 2 "$S" >"$work/out" 2>&1
status=$?
slug=$latest/fails-every-other-run
tap $([ "$status" -eq 1 ] && grep -q "^\[rerun\] fails-every-other-run failed (case 'this time it passes': .*): attempt 2 of 3" "$work/out" &&
	grep -q "fails-every-other-run .* FLAKY" "$work/out" &&
	grep -q "1 scenario FLAKY (failed, then passed on a rerun): the run fails" "$work/out"; echo $?) \
	"--rerun-failed 2: a failure, then a pass on a rerun: FLAKY, exit $status" "$(cat "$work/out")"
tap $([ -s "$slug.try1/serial0.log" ] && [ -s "$slug/serial0.log" ] &&
	[ ! -e "$slug.try2" ] && grep -q '<span class="v flaky">FLAKY</span>' "$latest/report.html" &&
	grep -q 'href="fails-every-other-run.try1/"' "$latest/report.html"; echo $?) \
	"both attempts' transcripts are kept (<slug>.try1/ and <slug>/), report.html says FLAKY and links the first" \
	"$(ls "$latest")"
"$DUPLEX" history --scenario fails-every-other-run --last 2 >"$work/hist" 2>&1
tap $([ "$(verdicts_of fails-every-other-run "$work/hist")" = PR ] &&
	[ "$(grep -c '^t[0-9]*-[0-9a-f]* ' "$work/hist")" -eq 2 ] &&
	! grep -q passes-every-run "$work/hist"; echo $?) \
	"duplex history --scenario: its last 2 runs, PR (R: passed on a rerun)" "$(cat "$work/hist")"

# Night 4: the same with --allow-flaky passes.
"$DUPLEX" test --rerun-failed 2 --allow-flaky "$S" >"$work/out" 2>&1
status=$?
tap $([ "$status" -eq 0 ] && grep -q "fails-every-other-run .* FLAKY" "$work/out" &&
	grep -q "allowed by --allow-flaky" "$work/out"; echo $?) \
	"--allow-flaky: FLAKY does not fail the run (exit $status)" "$(cat "$work/out")"
"$DUPLEX" history >"$work/hist" 2>&1
tap $([ "$(verdicts_of fails-every-other-run "$work/hist")" = FPRR ] &&
	[ "$(verdicts_of passes-every-run "$work/hist")" = PPPP ]; echo $?) \
	"duplex history after four nights: FPRR and PPPP" "$(cat "$work/hist")"

# Where the history goes: DUPLEX_HISTORY, --no-history.
DUPLEX_HISTORY=$work/other.db "$DUPLEX" test --tags steady "$S" >"$work/out" 2>&1
"$DUPLEX" test --tags steady --no-history "$S" >>"$work/out" 2>&1
DUPLEX_HISTORY=$work/other.db "$DUPLEX" history >"$work/hist" 2>&1
"$DUPLEX" history >>"$work/hist" 2>&1
tap $(grep -q "^history $work/other.db: 1 run;" "$work/hist" &&
	grep -q "^history $db: 4 runs;" "$work/hist"; echo $?) \
	"DUPLEX_HISTORY names the database; --no-history records nothing" "$(cat "$work/out" "$work/hist")"

# A file that is not a database: one error naming it and what to do; the
# run's results and exit status are its own.
head -c 4096 /dev/urandom >"$work/bad.db"
"$DUPLEX" test --tags steady --history "$work/bad.db" "$S" >"$work/out" 2>&1
status=$?
tap $([ "$status" -eq 0 ] && [ "$(grep -c "history database '$work/bad.db' is corrupt" "$work/out")" -eq 1 ] &&
	grep -q "move it away or delete it" "$work/out" && grep -q "^1 passed, 0 failed, 0 skipped$" "$work/out" &&
	[ -s "$latest/report.html" ]; echo $?) \
	"a corrupt history: one error naming it, the run reports and exits by its verdicts (exit $status)" \
	"$(cat "$work/out")"
tap $([ -z "$(leaked_domains "$before")" ]; echo $?) "no domain is left behind" "$(duplex_domains)"

tap_done
