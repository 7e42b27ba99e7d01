#!/usr/bin/env bash
# Test runner for `make check`: the cmocka unit tests (plain and with
# ASan+UBSan), then the end-to-end tests that boot VMs.  Every test speaks
# TAP ("ok N - name" / "not ok N - name"); this script counts and prints the
# closing line "N passed, N failed, N skipped".
#   tests/run.sh              everything
#   tests/run.sh --e2e-only   only the end-to-end tests
#   tests/run.sh --unit-only  only the unit tests (and the lint)
#   tests/run.sh --lint-only  only the lint: layers, the CI templates
#   tests/run.sh --guest-only only the guest programs' host tests
#   tests/run.sh --faults-only only the fault-injection suite (tests/faults/)
set -uo pipefail
cd "$(dirname "$0")/.."

B=${DUPLEX_BUILD:-build}
LOGS=$B/test-logs
mkdir -p "$LOGS"
passed=0 failed=0 skipped=0
failures=()

# run_tap GROUP LOG CMD...: run one test program, echo its verdicts.
run_tap() {
	local group=$1 log=$2 line name status failed_before=$failed
	shift 2
	"$@" >"$log" 2>&1
	status=$?
	while IFS= read -r line; do
		case "$line" in
		"ok "*"# SKIP"*|"ok "*"# skip"*)
			name=${line#ok }; skipped=$((skipped + 1))
			printf 'SKIP %s/%s\n' "$group" "${name#* - }" ;;
		"ok "*)
			name=${line#ok }; passed=$((passed + 1))
			printf 'PASS %s/%s\n' "$group" "${name#* - }" ;;
		"not ok "*)
			name=${line#not ok }; failed=$((failed + 1))
			failures+=("$group/${name#* - } (log: $log)")
			printf 'FAIL %s/%s (log: %s)\n' "$group" "${name#* - }" "$log" ;;
		esac
	done <"$log"
	# A non-zero exit that no "not ok" explains (a crash, a sanitizer
	# report) is a failure of the program itself.
	if [ "$status" -ne 0 ] && [ "$failed" -eq "$failed_before" ]; then
		failed=$((failed + 1))
		failures+=("$group (exit $status, log: $log)")
		printf 'FAIL %s (exited %d; log: %s)\n' "$group" "$status" "$log"
	fi
	[ "$failed" -eq "$failed_before" ] || show_log_tail "$log"
}

# What a failing program said, not its verdicts: on a CI machine the log
# files are gone with the machine, so the reason must reach the terminal.
show_log_tail() {
	grep -v -E '^(ok |1\.\.[0-9])' "$1" | tail -n "${LOG_TAIL_LINES:-25}" |
		sed 's/^/    | /'
}

run_units() {
	local dir=$1 tag=$2 t
	for t in "$dir"/test_*; do
		[ -x "$t" ] || continue
		CMOCKA_MESSAGE_OUTPUT=TAP run_tap "$tag/$(basename "$t")" \
			"$LOGS/$tag-$(basename "$t").log" "$t"
	done
}

# Each fuzz target runs for a bounded time (FUZZ_SECONDS, default 30) on
# its corpus in build/fuzz/; a finding is saved there as crash-*.
run_fuzz() {
	local t name
	for t in "$B"/fuzz/fuzz_*; do
		[ -x "$t" ] || continue
		name=$(basename "$t")
		mkdir -p "$B/fuzz/corpus-$name"
		run_tap "fuzz/$name" "$LOGS/fuzz-$name.log" sh -c \
			'"$1" -max_total_time="$2" -timeout=5 -close_fd_mask=2 -artifact_prefix="$3/" "$3/corpus-$4" && echo "ok 1 - no finding in $2 s"' \
			sh "$t" "${FUZZ_SECONDS:-30}" "$B/fuzz" "$name"
	done
}

# Guest programs that also run on the host (mvx: N replicas on this
# kernel, as root): one TAP script each in tests/guest/.
run_guest() {
	local t name
	for t in tests/guest/*.sh; do
		[ -f "$t" ] || continue
		name=$(basename "${t%.sh}")
		run_tap "guest/$name" "$LOGS/guest-$name.log" bash "$t"
	done
}

# The fault-injection suite: one TAP script per kind of fault, each on
# real machines; the figures of the README's table go to
# $B/faults-figures.tsv (rewritten each run).
run_faults() {
	local t name

	: >"$B/faults-figures.tsv"
	for t in tests/faults/*.sh; do
		[ "$(basename "$t")" = lib.sh ] && continue
		name=$(basename "${t%.sh}")
		echo "---- faults/$name"
		FAULT_FIGURES=$B/faults-figures.tsv \
			run_tap "faults/$name" "$LOGS/faults-$name.log" bash "$t"
		grep '^# figure:' "$LOGS/faults-$name.log" | sed 's/^# figure: /     /'
	done
}

run_e2e() {
	local t name
	for t in "$B"/tests/e2e/* tests/e2e/*.sh; do
		[ -x "$t" ] || [ "${t%.sh}" != "$t" ] || continue
		[ -f "$t" ] || continue
		name=$(basename "${t%.sh}")
		echo "---- e2e/$name"
		if [ "${t%.sh}" != "$t" ]; then
			run_tap "e2e/$name" "$LOGS/e2e-$name.log" bash "$t"
		else
			run_tap "e2e/$name" "$LOGS/e2e-$name.log" "$t"
		fi
	done
}

# Lint: checks of the sources that need no machine and no service.
run_lint() {
	run_tap layers "$LOGS/layers.log" bash scripts/layers.sh
	run_tap lint/ci_templates "$LOGS/lint-ci_templates.log" bash tests/ci_templates.sh
}

mode=${1:-all}
case "$mode" in
all|--unit-only|--lint-only) run_lint ;;
esac
case "$mode" in
all|--unit-only)
	run_units "$B/tests" unit
	run_units "$B/san/tests" asan+ubsan
	run_fuzz ;;
esac
case "$mode" in
all|--guest-only) run_guest ;;
esac
case "$mode" in
all|--e2e-only) run_e2e ;;
esac
case "$mode" in
all|--faults-only) run_faults ;;
esac

if [ ${#failures[@]} -gt 0 ]; then
	echo
	echo "failed:"
	printf '  %s\n' "${failures[@]}"
fi
echo
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
