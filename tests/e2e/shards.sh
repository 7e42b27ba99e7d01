# End-to-end: one suite run as three shards at the same time (`duplex
# test --shard K/3`, as three CI machines would), their results merged
# (`duplex results merge`), and the same suite run whole: the merged run
# has the same scenarios, in the same order, with the same verdicts and
# counts, and every scenario's transcripts.
source "$(dirname "$0")/../lib.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export DUPLEX_RESULTS=$work/results
# Four quick scenarios of two partitions each, in three files.
suite=("$ROOT/scenarios/busybox.exp" "$ROOT/scenarios/env.exp" "$ROOT/scenarios/status.exp")

# results_dir FILE: the directory a `duplex test` said it wrote.
results_dir() { sed -n 's|^duplex test: .*; results in \(.*\)/$|\1|p' "$1"; }
# closing_counts FILE: the "N passed, N failed, N skipped" line.
closing_counts() { grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$1" | tail -1; }
# verdicts DIR: the scenarios' lines of its results.tap ("ok 2 name").
verdicts() { grep -E '^(not )?ok [0-9]+ ' "$1/results.tap"; }

for k in 1 2 3; do
	"$DUPLEX" test --list --shard "$k/3" "${suite[@]}"
done | sort >"$work/listed"
"$DUPLEX" test --list "${suite[@]}" | sort >"$work/all"
tap $([ "$(wc -l <"$work/all")" -eq 4 ] && cmp -s "$work/listed" "$work/all"; echo $?) \
	"the three shards' --list together are the suite, each scenario once" "$(diff "$work/all" "$work/listed")"

before=$(duplex_domains)
for k in 1 2 3; do
	"$DUPLEX" test -q --shard "$k/3" "${suite[@]}" >"$work/shard$k" 2>&1 &
	pids[k]=$!
done
ok=0
for k in 1 2 3; do
	wait "${pids[k]}"
	status[k]=$?
	dirs[k]=$(results_dir "$work/shard$k")
	[ "${status[k]}" -le 1 ] && [ -n "${dirs[k]}" ] &&
		grep -q "\"shard\": {\"index\": $k, \"total\": 3, \"plan\": \"count\"}" "${dirs[k]}/summary.json" || ok=1
done
tap $ok "three shards at once: each ran, its summary.json names its share (exit ${status[*]})" \
	"$(cat "$work/shard1" "$work/shard2" "$work/shard3")"
tap $([ -z "$(leaked_domains "$before")" ]; echo $?) "the shards left no domain behind" "$(duplex_domains)"

"$DUPLEX" results merge "${dirs[1]}" "${dirs[2]}" -o "$work/partial" >"$work/partial.out" 2>&1
status=$?
tap $([ "$status" -eq 2 ] && grep -q "not run: no shard ran it" "$work/partial/results.tap" &&
	grep -q "incomplete: 1 of 4 scenarios were run by none of the shards" "$work/partial.out"; echo $?) \
	"two shards of three merge into an incomplete run: the third's scenario is not run (exit $status)" \
	"$(cat "$work/partial.out")"

"$DUPLEX" results merge "${dirs[3]}" "${dirs[1]}" "${dirs[2]}" -o "$work/merged" >"$work/merge.out" 2>&1
mstatus=$?
tap $([ "$mstatus" -le 1 ] && [ -s "$work/merged/report.html" ] && xmllint --noout "$work/merged/junit.xml"; echo $?) \
	"the three shards merge (exit $mstatus)" "$(cat "$work/merge.out")"

"$DUPLEX" test -q "${suite[@]}" >"$work/whole" 2>&1
wstatus=$?
whole=$(results_dir "$work/whole")
tap $([ "$wstatus" -le 1 ] && [ -n "$whole" ]; echo $?) "the suite run whole (exit $wstatus)" "$(cat "$work/whole")"

tap $(diff <(verdicts "$whole") <(verdicts "$work/merged") >/dev/null; echo $?) \
	"the merged run has the whole run's scenarios, in its order, with its verdicts" \
	"$(diff <(verdicts "$whole") <(verdicts "$work/merged"))"
tap $([ "$(closing_counts "$work/merge.out")" = "$(closing_counts "$work/whole")" ] &&
	[ "$mstatus" -eq "$wstatus" ]; echo $?) \
	"the same counts ($(closing_counts "$work/merge.out")) and exit status ($mstatus) as the whole run" \
	"merged: $(closing_counts "$work/merge.out"), exit $mstatus; whole: $(closing_counts "$work/whole"), exit $wstatus"

missing=$(for d in "$whole"/*/; do
	s=$(basename "$d")
	[ -s "$work/merged/$s/serial0.log" ] || echo "$s"
done)
tap $([ -z "$missing" ] && grep -q 'href="[a-z0-9-]*/serial0.log"' "$work/merged/report.html"; echo $?) \
	"every scenario's transcripts are in the merged directory, for report.html's links" "missing: $missing"

# The merged junit.xml read by a JUnit consumer of the Python world
# (junitparser, Debian's python3-junitparser): its counts are
# summary.json's.
junit_counts() {
	local py
	py=$(python_with junitparser)
	[ -n "$py" ] || { echo "no python3 imports junitparser: run make deps (python3-junitparser)"; return; }
	"$py" - "$1" <<'PY'
import sys
from junitparser import JUnitXml, Failure, Error, Skipped
xml = JUnitXml.fromfile(sys.argv[1])
suites = [xml] if xml._tag == "testsuite" else list(xml)
total = failed = skipped = 0
for suite in suites:
    for case in suite:
        total += 1
        kinds = [type(r) for r in case.result]
        failed += any(k in (Failure, Error) for k in kinds)
        skipped += Skipped in kinds
print(f"{total - failed - skipped} passed, {failed} failed, {skipped} skipped")
PY
}
summary_counts() {
	python3 - "$1" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["counts"]
print(f"{c['passed']} passed, {c['failed']} failed, {c['skipped']} skipped")
PY
}
jc=$(junit_counts "$work/merged/junit.xml" 2>&1)
sc=$(summary_counts "$work/merged/summary.json" 2>&1)
tap $([ -n "$jc" ] && [ "$jc" = "$sc" ]; echo $?) \
	"junitparser reads the merged junit.xml: $jc, as summary.json says" "junitparser: $jc; summary.json: $sc"
tap $([ -z "$(leaked_domains "$before")" ]; echo $?) "no domain is left behind" "$(duplex_domains)"
tap_done
