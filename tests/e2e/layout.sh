# End-to-end: the replicas' kernel layouts (kernel/patches, docs/layout.md).
# Both replicas boot and print their layout; the check passes for
# replicas 1 + 2 and fails for 1 + 1; a leaked kernel address diverges
# between replicas 1 and 2 and agrees between two partitions of replica 1.
source "$(dirname "$0")/../lib.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export DUPLEX_RESULTS=$work/results
before=$(duplex_domains)

# system_map_text R: _text of build/replicaR/System.map, as 16 hex digits.
system_map_text() { sed -n 's/^\([0-9a-f]*\) T _text$/\1/p' "$ROOT/build/replica$1/System.map"; }
# layout_line FILE: the kernel's layout line in a transcript.
layout_line() { grep -ao 'duplex: layout replica=.*' "$1" | tr -d '\r' | tail -1; }

"$DUPLEX" boot --until-ready >"$work/out" 2>&1
status=$?
run=$(run_id_of "$work/out")
l0=$(layout_line "$work/results/$run/serial0.log")
l1=$(layout_line "$work/results/$run/serial1.log")
tap $([ "$status" -eq 0 ] && grep -q 'layouts do not overlap' "$work/out" &&
	[[ $l0 == "duplex: layout replica=1 "* ]] && [[ $l1 == "duplex: layout replica=2 "* ]]; echo $?) \
	"replicas 1 and 2 boot, print their layouts, and duplex boot finds no overlap (exit $status)" \
	"$(cat "$work/out")"
tap $(grep -q 'layouts do not overlap, by the layout lines and by the page tables, which agree' "$work/out" &&
	grep -q 'warning: page tables: areas shared by design' "$work/out" &&
	grep -q '^  cpu_entry_area: serial0 (replica 1) fffffe0000000000-[0-9a-f]* and serial1 (replica 2) fffffe0000000000-' "$work/out" &&
	grep -q '^  fixmap: serial0 (replica 1) ' "$work/out" && ! grep -q '^  direct: ' "$work/out"; echo $?) \
	"the page tables, read through QEMU, agree with the layout lines; cpu_entry_area and fixmap are listed as shared" \
	"$(cat "$work/out")"
"$DUPLEX" boot --until-ready --strict-layout >"$work/strict" 2>&1
status=$?
tap $([ "$status" -eq 1 ] && grep -q '(strict: a shared area fails the check)' "$work/strict"; echo $?) \
	"--strict-layout: the shared areas fail the boot (exit $status)" "$(cat "$work/strict")"
t1=$(system_map_text 1) t2=$(system_map_text 2)
tap $([ -n "$t1" ] && [[ $l0 == *" text=0x$t1-"* ]] && [ -n "$t2" ] && [[ $l1 == *" text=0x$t2-"* ]]; echo $?) \
	"the layout's text start is System.map's _text (replica1 $t1, replica2 $t2)" "$l0"$'\n'"$l1"

"$DUPLEX" boot --profile leak-same --until-ready >"$work/out" 2>&1
status=$?
tap $([ "$status" -eq 1 ] &&
	grep -q 'serial0 (replica 1) direct 0xffff888000000000-0xffff987fffffffff overlaps serial1 (replica 1) direct 0xffff888000000000-0xffff987fffffffff' "$work/out"; echo $?) \
	"two partitions of replica 1: duplex boot fails naming the overlapping regions (exit $status)" \
	"$(cat "$work/out")"
tap $(grep -q 'page tables: kernel areas of different partitions overlap' "$work/out" &&
	grep -q '^  direct: serial0 (replica 1) ffff888000000000-' "$work/out" &&
	grep -q '^  vmalloc: serial0' "$work/out" && grep -q '^  vmemmap: serial0' "$work/out" &&
	grep -q '^  text: serial0' "$work/out"; echo $?) \
	"two partitions of replica 1: the page tables overlap too (direct, vmalloc, vmemmap, text)" \
	"$(cat "$work/out")"

"$DUPLEX" boot --profile leak-same --until-ready --allow-overlap >"$work/out" 2>&1
status=$?
tap $([ "$status" -eq 0 ] && grep -q 'overlaps' "$work/out"; echo $?) \
	"--allow-overlap boots them anyway, with the overlaps as warnings (exit $status)" "$(cat "$work/out")"

# The scenarios: the check in a scenario, and the leak.
"$DUPLEX" test "$ROOT/scenarios/layout.exp" "$ROOT/scenarios/leak.exp" >"$work/out" 2>&1
status=$?
tap $([ "$status" -eq 0 ] && grep -q '^10 passed, 0 failed, 0 skipped$' "$work/out"; echo $?) \
	"layout check passes for 1 + 2; the leak diverges for 1 + 2 and agrees for 1 + 1 (exit $status)" \
	"$(cat "$work/out")"
latest=$work/results/latest
kallsyms=$(grep -a '^output [0-9]*:ffff' "$latest"/replica-layouts-do-not-overlap/result | cut -d: -f2 | tr '\n' ' ')
tap $([ "$kallsyms" = "$t1 T _text $t2 T _text " ]; echo $?) \
	"the running kernels' /proc/kallsyms _text is System.map's ($kallsyms)" "$kallsyms"
diverged=$(grep -a 'rep: divergence' "$latest"/a-leaked-kernel-address-*/serial0.log | tr -d '\r')
tap $([[ $diverged == *'serial0 "0xffff888'*'" vs serial1 "0xffff988'* ]]; echo $?) \
	"repd reports the leaked address: replica 1's direct map vs replica 2's" "$diverged"
same=$(grep -a '^output [0-9]*:0x' "$latest"/the-leak-agrees-*/result | cut -d: -f2 | sort -u)
tap $([ "$(echo "$same" | wc -l)" -eq 1 ] && [[ $same == 0xffff888* ]] &&
	! grep -aq 'rep: divergence' "$latest"/the-leak-agrees-*/serial0.log; echo $?) \
	"two partitions of replica 1 print the same address ($same), and repd sees no divergence" \
	"$(grep -a '^output' "$latest"/the-leak-agrees-*/result)"

"$DUPLEX" test "$ROOT/tests/scenarios/overlap.exp" >"$work/out" 2>&1
status=$?
tap $([ "$status" -eq 1 ] && grep -q 'check layout' "$work/out" &&
	grep -q 'serial0 (replica 1) text 0xffffffff81000000-.* overlaps serial1 (replica 1) text' "$work/out"; echo $?) \
	"duplex::check layout fails for two partitions of replica 1 (exit $status)" "$(cat "$work/out")"
tap $(grep -q "case 'check layout -strict': page tables: areas shared by design" "$work/out" &&
	grep -q '(strict: a shared area fails the check)' "$work/out"; echo $?) \
	"duplex::check layout -strict fails for replicas 1 and 2, naming the shared areas" "$(cat "$work/out")"

tap $([ -z "$(leaked_domains "$before")" ]; echo $?) "no domain is left behind" "$(duplex_domains)"
tap_done
