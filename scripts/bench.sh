#!/usr/bin/env bash
# make bench: build and boot figures, as medians over several runs, each
# with a baseline measured in the same run.
#   cold build      : both replicas from empty objdirs and an empty ccache
#                     (baseline)
#   ccache build    : the same into other objdirs with that ccache now warm
#                     (what a fresh clone, e.g. CI's, costs)
#   no-op rebuild   : `duplex build` with nothing changed (both replicas;
#                     the inputs' stamp decides, no make runs)
#   incremental     : `duplex build` after touching kernel/fork.c, per
#                     replica (ratio to that replica's cold build)
#   boot to prompt  : plain qemu-system-x86_64 -kernel (baseline) vs duplex
#                     boot through libvirt, primary, TCG; replica2 alone
#                     under plain QEMU
#                     boot --manual, both timed from the command's start
#   whole process   : what a person waits for: plain QEMU started, to the
#                     prompt, killed and exited (baseline) vs `duplex boot
#                     --manual --until-ready` from start to exit (setup,
#                     boot, teardown)
#   secondary boot  : from `repboot 1` typed on serial0 to partition 1 UP
#                     in the window (ratio to replica2's plain QEMU boot)
#   window latency  : one-way latency (round trip / 2) of a 64-byte message,
#                     `winbench ping` through the window between partitions
#                     0 and 1 vs the same over a pipe between two processes
#                     inside partition 0 (baseline)
#   window stream   : 4 KiB messages pushed as fast as the ring takes them
#                     (`winbench stream`), MiB/s, vs the same over that pipe
#                     (baseline; ratio > 1: the window moves more)
#                     Both from tests/bench/winbench_host, which boots the
#                     machine once per sample (docs/window.md, Performance).
#   replication     : wall time, typed to the next prompt, of `seq 10000`
#                     and of 100 short commands (`true`, one at a time) in
#                     the plain repns shell (baseline) vs after `rep-on 2`
#                     (until the prompt is back on both consoles), from
#                     tests/bench/repbench_host (one machine, RUNS samples)
#   scenarios       : wall time of `duplex test scenarios/` one machine at
#                     a time (baseline) vs `-j 2`, and the median time of
#                     one scenario; BENCH_TEST_RUNS samples (default 3)
#   shards          : wall time of `duplex test scenarios/ -j 2` (baseline)
#                     vs three `--shard K/3` runs of -j 1 at once on this
#                     machine (until the last ends), BENCH_TEST_RUNS
#                     samples; and `duplex results merge` of the three
#                     shards (median of BENCH_RUNS)
#   lockstep (mvx)  : a syscall-heavy program (mvx-probe clock 5000),
#                     gzip of 16 MiB and httpd serving 1,000 requests,
#                     plain on partition 0 (baseline) vs
#                     under `mvx 2` loose and strict (partitions 0 and 1),
#                     tests/bench/mvxbench_host, RUNS samples; the cost
#                     per monitored syscall in microseconds
# BENCH_RUNS (default 5) sets the number of boot, no-op, incremental and
# window samples; BENCH_ONLY=SECTION (build, boot, window, rep, mvx, test,
# shards or fuzz) runs that section alone.
#   fuzz            : build/fuzz/fuzz_winhost, the host's handling of a
#                     whole window that guests write at will, for
#                     BENCH_FUZZ_RUNS executions (default 1,000,000): the
#                     time they take, and any finding fails the bench
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${BENCH_RUNS:-5}
ONLY=${BENCH_ONLY:-}
DUPLEX=build/duplex
WINBENCH=build/tests/bench/winbench_host
REPBENCH=build/tests/bench/repbench_host
MVXBENCH=build/tests/bench/mvxbench_host
case $ONLY in
"" | build | boot | window | rep | mvx | test | shards | fuzz) ;;
*) echo "bench: BENCH_ONLY is build, boot, window, rep, mvx, test, shards, fuzz or empty, not '$ONLY'" >&2; exit 2 ;;
esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }
elapsed() { echo "$(now) - $1" | bc; }
# want SECTION: every section without BENCH_ONLY, else only that one.
want() { [ -z "$ONLY" ] || [ "$1" = "$ONLY" ]; }
# median: of the numbers on stdin; nothing when there are none.
median() { sort -n | awk '{a[NR]=$1} END {if (!NR) exit; m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f", m}'; }

$DUPLEX build >/dev/null
ksrc=build/src/linux-source-6.1
cold= warm= noop= qemu= qemu_whole= boot= boot_whole= secondary= lat_pipe= rep_lines_plain= mvx_clock_plain= test_j1=
fuzz_secs= shards_3=
# built_seconds NAME FILE: the seconds of every "kbuild: NAME: 100 % (N
# objects compiled) in T" line of FILE (T is "12.3 s" or "4m05s"), one a
# line.
built_seconds() {
	sed -n "s/^kbuild: $1: 100 % ([0-9]* objects compiled) in \([0-9.ms ]*\) (log.*/\1/p" "$2" |
		awk '/m/ {split($0, a, "m"); sub("s", "", a[2]); print a[1] * 60 + a[2]; next}
		     {print $1}'
}
if want build; then

# Scratch build directories on build/'s filesystem: their private trees
# are then hard links, as in a checkout's own build/.
scratch=$(mktemp -d -p build bench-build.XXXXXX)
trap 'rm -rf "$work" "$scratch"' EXIT
export CCACHE_DIR=$work/ccache
echo "bench: cold build of both replicas, empty ccache (1 run, several minutes)" >&2
t=$(now)
DUPLEX_BUILD=$scratch/cold KSRC=$ksrc $DUPLEX build >"$work/cold.out"
cold=$(elapsed "$t")
cold1=$(built_seconds replica1 "$work/cold.out")
cold2=$(built_seconds replica2 "$work/cold.out")
echo "bench: clean build of both replicas elsewhere, warm ccache" >&2
t=$(now)
DUPLEX_BUILD=$scratch/warm KSRC=$ksrc $DUPLEX build >/dev/null
warm=$(elapsed "$t")
rm -rf "$scratch"
unset CCACHE_DIR

echo "bench: no-op rebuild x$RUNS" >&2
noop=$(for i in $(seq "$RUNS"); do t=$(now); $DUPLEX build >/dev/null; elapsed "$t"; done | median)

# A researcher's edit: one source file changes (kernel/fork.c, touched in
# the pristine tree: the private tree's copy is the same file).
echo "bench: incremental rebuild after touching kernel/fork.c x$RUNS" >&2
: >"$work/incr.out"
for i in $(seq "$RUNS"); do
	touch "$ksrc/kernel/fork.c"
	$DUPLEX build >>"$work/incr.out"
done
incr1=$(built_seconds replica1 "$work/incr.out" | median)
incr2=$(built_seconds replica2 "$work/incr.out" | median)
fi

if want boot; then
echo "bench: primary boot to shell prompt, plain QEMU x$RUNS" >&2
# qemu_boot [R]: replica R (default 1) as a lone partition 0: the time to
# the prompt, then the whole process's (to the prompt, killed, exited).
qemu_boot() {
	local t out=$work/qemu.out
	rm -f "$out"
	t=$(now)
	timeout 600 qemu-system-x86_64 -accel tcg -machine pc -m 512 -nodefaults \
		-display none -monitor none -no-reboot -serial "file:$out" \
		-kernel "build/replica${1:-1}/arch/x86/boot/bzImage" \
		-initrd build/initramfs/partition0.cpio \
		-append "console=ttyS0,115200 panic=-1 duplex.partition=0 duplex.bench=poweroff" &
	local pid=$!
	until grep -q 'duplex: partition 0 ready' "$out" 2>/dev/null; do sleep 0.05; done
	printf '%s ' "$(elapsed "$t")"
	kill "$pid"; wait "$pid" 2>/dev/null || true
	elapsed "$t"
}
# column N: the Nth figure of each line, their median.
column() { awk -v n="$1" '{ print $n }' | median; }
for i in $(seq "$RUNS"); do qemu_boot; done >"$work/qemu1"
qemu=$(column 1 <"$work/qemu1")
qemu_whole=$(column 2 <"$work/qemu1")
echo "bench: replica2 boot to shell prompt, plain QEMU x$RUNS" >&2
qemu2=$(for i in $(seq "$RUNS"); do qemu_boot 2; done | column 1)

echo "bench: primary boot to shell prompt, duplex boot x$RUNS" >&2
duplex_boot() {
	local t line
	t=$(now)
	$DUPLEX boot --manual --until-ready | while IFS= read -r line; do
		case $line in "serial0: shell ready"*) elapsed "$t" ;; esac
	done
}
boot=$(for i in $(seq "$RUNS"); do duplex_boot; done | median)

echo "bench: duplex boot --manual --until-ready, the whole process x$RUNS" >&2
boot_whole=$(for i in $(seq "$RUNS"); do
	t=$(now); $DUPLEX boot --manual --until-ready >/dev/null; elapsed "$t"
done | median)

echo "bench: secondary boot latency, 'repboot 1' typed to partition 1 UP x$RUNS" >&2
secondary_boot() {
	$DUPLEX boot --until-ready | sed -n "s/^serial1: up \([0-9.]*\) s after 'repboot 1'$/\1/p"
}
secondary=$(for i in $(seq "$RUNS"); do secondary_boot; done | median)
fi

if want window; then
echo "bench: window latency and throughput, partitions 0 and 1, and a pipe inside partition 0 (baseline) x$RUNS" >&2
echo "bench: the window figures need two free host CPUs (this host: $(nproc), load $(cut -d' ' -f1 /proc/loadavg))" >&2
: >"$work/winbench"
for i in $(seq "$RUNS"); do
	if ! $WINBENCH | tee -a "$work/winbench" >&2; then
		echo "bench: $WINBENCH failed (sample $i of $RUNS), see above" >&2
		exit 1
	fi
done
# window_values WHAT VIA: that figure of every sample, one a line.
window_values() {
	sed -n "s/^winbench: $1 \([0-9.]*\) .*, $2)\$/\1/p" "$work/winbench"
}
# window_figure WHAT VIA: its median over the samples (all of them there).
window_figure() {
	local n
	n=$(window_values "$1" "$2" | wc -l)
	if [ "$n" -ne "$RUNS" ]; then
		echo "bench: $n of $RUNS '$1 ... $2' lines from $WINBENCH:" >&2
		cat "$work/winbench" >&2
		return 1
	fi
	window_values "$1" "$2" | median
}
# The message sizes winbench reported, for the labels.
window_size() { sed -n "s/^winbench: $1 .*, size \([0-9]*\), .*/\1/p" "$work/winbench" | head -1; }
lat_pipe=$(window_figure 'latency one-way median' 'pipe loopback')
lat_win=$(window_figure 'latency one-way median' 'window 0<->1')
tput_pipe=$(window_figure 'throughput' 'pipe loopback')
tput_win=$(window_figure 'throughput' 'window 0->1')
lat_size=$(window_size latency)
tput_size=$(window_size throughput)
fi

if want rep; then
echo "bench: replicated vs plain: 'seq 10000' and 100 short commands x$RUNS" >&2
$REPBENCH "$RUNS" >"$work/repbench" || { cat "$work/repbench" >&2; echo "bench: $REPBENCH failed" >&2; exit 1; }
rep_median() { sed -n "s/^repbench: $1 $2 \([0-9.]*\)\$/\1/p" "$work/repbench" | median; }
rep_lines_plain=$(rep_median lines plain)
rep_lines_rep=$(rep_median lines replicated)
rep_short_plain=$(rep_median short plain)
rep_short_rep=$(rep_median short replicated)
fi

if want mvx; then
echo "bench: lockstep: mvx-probe clock and gzip 16 MiB, plain vs mvx 2 loose and strict x$RUNS" >&2
$MVXBENCH "$RUNS" >"$work/mvxbench" || { cat "$work/mvxbench" >&2; echo "bench: $MVXBENCH failed" >&2; exit 1; }
mvx_median() { sed -n "s/^mvxbench: $1 $2 \([0-9.]*\)\$/\1/p" "$work/mvxbench" | median; }
mvx_calls=$(sed -n 's/^mvxbench: calls \([0-9]*\)$/\1/p' "$work/mvxbench")
mvx_clock_plain=$(mvx_median clock plain)
mvx_clock_loose=$(mvx_median clock loose)
mvx_clock_strict=$(mvx_median clock strict)
mvx_gzip_plain=$(mvx_median gzip plain)
mvx_gzip_loose=$(mvx_median gzip loose)
mvx_gzip_strict=$(mvx_median gzip strict)
mvx_httpd_plain=$(mvx_median httpd plain)
mvx_httpd_loose=$(mvx_median httpd loose)
mvx_httpd_strict=$(mvx_median httpd strict)
mvx_failed=$(grep -c '^mvxbench: .* failed$' "$work/mvxbench" || true)
# per_call SECONDS: microseconds per monitored syscall above the baseline.
per_call() { [ -z "$1" ] || echo "scale=1; ($1 - $mvx_clock_plain) * 1000000 / $mvx_calls" | bc; }
fi

TRUNS=${BENCH_TEST_RUNS:-3}
# test_wall JOBS: seconds of one `duplex test`; the scenarios' own
# times are appended to $work/scenario-seconds.
test_wall() {
	local t
	t=$(now)
	DUPLEX_RESULTS=$work/results $DUPLEX test --no-history -j "$1" scenarios/ >"$work/test.out" 2>&1 ||
		{ cat "$work/test.out" >&2; echo "bench: duplex test -j $1 failed" >&2; exit 1; }
	elapsed "$t"
	python3 -c 'import json,sys; [print(s["seconds"]) for s in json.load(open(sys.argv[1]))["scenarios"]]' \
		"$work/results/latest/summary.json" >>"$work/scenario-seconds"
}

if want test; then
echo "bench: duplex test scenarios/, -j 1 and -j 2, x$TRUNS" >&2
test_j1=$(for i in $(seq "$TRUNS"); do test_wall 1; done | median)
test_scenario=$(median <"$work/scenario-seconds")
test_j2=$(for i in $(seq "$TRUNS"); do test_wall 2; done | median)
test_count=$(ls scenarios/*.exp | xargs grep -c '^scenario ' | awk -F: '{n+=$NF} END {print n}')
fi

if want shards; then
echo "bench: duplex test scenarios/ -j 2, and 3 shards of -j 1 at once, x$TRUNS" >&2
# shards_wall: seconds until three `duplex test --shard K/3` started at
# once have all ended; their results in $work/shardK/latest.
shards_wall() {
	local t k pids=()
	t=$(now)
	for k in 1 2 3; do
		rm -rf "$work/shard$k"
		DUPLEX_RESULTS=$work/shard$k $DUPLEX test -q --no-history --shard "$k/3" scenarios/ \
			>"$work/shard$k.out" 2>&1 &
		pids+=($!)
	done
	for k in 0 1 2; do
		wait "${pids[k]}" ||
			{ cat "$work/shard$((k + 1)).out" >&2; echo "bench: shard $((k + 1))/3 failed" >&2; exit 1; }
	done
	elapsed "$t"
}
shards_j2=$(for i in $(seq "$TRUNS"); do test_wall 2; done | median)
shards_3=$(for i in $(seq "$TRUNS"); do shards_wall; done | median)
shards_merge=$(for i in $(seq "$RUNS"); do
	t=$(now)
	$DUPLEX results merge --no-history -o "$work/merged$i" \
		"$work/shard1/latest" "$work/shard2/latest" "$work/shard3/latest" >"$work/merge.out" 2>&1 ||
		{ cat "$work/merge.out" >&2; echo "bench: results merge failed" >&2; exit 1; }
	echo "$(elapsed "$t") * 1000" | bc
done | median)
shards_count=$(ls scenarios/*.exp | xargs grep -c '^scenario ' | awk -F: '{n+=$NF} END {print n}')
fi

if want fuzz; then
FRUNS=${BENCH_FUZZ_RUNS:-1000000}
echo "bench: fuzz_winhost, $FRUNS executions" >&2
mkdir -p build/fuzz/corpus-fuzz_winhost
t=$(now)
build/fuzz/fuzz_winhost -runs="$FRUNS" -close_fd_mask=2 \
	-artifact_prefix=build/fuzz/ build/fuzz/corpus-fuzz_winhost ||
	{ echo "bench: fuzz_winhost found a crash (build/fuzz/crash-*)" >&2; exit 1; }
fuzz_secs=$(elapsed "$t")
fi

ratio() { if [ -n "$1" ] && [ -n "$2" ]; then echo "scale=3; $1 / $2" | bc; fi; }
# row LABEL VALUE UNIT RATIO (no VALUE: no sample succeeded)
row() {
	if [ -z "$2" ]; then printf '%-66s %10s %-5s %8s\n' "$1" "n/a" "$3" "-"; return; fi
	printf '%-66s %10.1f %-5s %8.3f\n' "$1" "$2" "$3" "${4:-0}"
}
printf '\n%-66s %10s %-5s %8s\n' "figure" "value" "unit" "ratio"
if [ -n "$cold" ]; then
row "cold build, replica1+2, empty ccache (n=1)" "$cold" s 1
row "  of which replica1 (n=1)" "$cold1" s "$(ratio "$cold1" "$cold")"
row "  of which replica2 (n=1)" "$cold2" s "$(ratio "$cold2" "$cold")"
row "fresh objdirs, replica1+2, warm ccache (n=1)" "$warm" s "$(ratio "$warm" "$cold")"
row "no-op rebuild, both replicas (median of $RUNS)" "$noop" s "$(ratio "$noop" "$cold")"
row "incremental, kernel/fork.c, replica1 (median of $RUNS)" "$incr1" s "$(ratio "$incr1" "$cold1")"
row "incremental, kernel/fork.c, replica2 (median of $RUNS)" "$incr2" s "$(ratio "$incr2" "$cold2")"
fi
if [ -n "$qemu" ]; then
row "primary to prompt, plain QEMU TCG (median of $RUNS)" "$qemu" s 1
row "replica2 to prompt, plain QEMU TCG (median of $RUNS)" "$qemu2" s "$(ratio "$qemu2" "$qemu")"
row "primary to prompt, duplex boot TCG (median of $RUNS)" "$boot" s "$(ratio "$boot" "$qemu")"
row "secondary, 'repboot 1' to UP, TCG (median of $RUNS)" "$secondary" s "$(ratio "$secondary" "$qemu2")"
row "whole process to prompt and exit, plain QEMU (median of $RUNS)" "$qemu_whole" s 1
row "whole process, duplex boot --manual --until-ready (median of $RUNS)" "$boot_whole" s "$(ratio "$boot_whole" "$qemu_whole")"
fi
if [ -n "$lat_pipe" ]; then
row "one-way latency $lat_size B, pipe inside p0 (median of $RUNS)" "$lat_pipe" us 1
row "one-way latency $lat_size B, window p0<->p1 (median of $RUNS)" "$lat_win" us "$(ratio "$lat_win" "$lat_pipe")"
row "stream $tput_size B msgs, pipe inside p0 (median of $RUNS)" "$tput_pipe" MiB/s 1
row "stream $tput_size B msgs, window p0->p1 (median of $RUNS)" "$tput_win" MiB/s "$(ratio "$tput_win" "$tput_pipe")"
fi
if [ -n "$rep_lines_plain" ]; then
row "seq 10000, plain repns shell (median of $RUNS)" "$rep_lines_plain" s 1
row "seq 10000, replicated on 2 (median of $RUNS)" "$rep_lines_rep" s "$(ratio "$rep_lines_rep" "$rep_lines_plain")"
row "100 short commands, plain (median of $RUNS)" "$rep_short_plain" s 1
row "100 short commands, replicated on 2 (median of $RUNS)" "$rep_short_rep" s "$(ratio "$rep_short_rep" "$rep_short_plain")"
fi
if [ -n "$mvx_clock_plain" ]; then
row "mvx-probe clock $mvx_calls, plain p0 (median of $RUNS)" "$mvx_clock_plain" s 1
row "  under mvx 2, loose (median of $RUNS)" "$mvx_clock_loose" s "$(ratio "$mvx_clock_loose" "$mvx_clock_plain")"
row "  under mvx 2, strict (median of $RUNS)" "$mvx_clock_strict" s "$(ratio "$mvx_clock_strict" "$mvx_clock_plain")"
row "  per monitored syscall, loose" "$(per_call "$mvx_clock_loose")" us 1
row "  per monitored syscall, strict" "$(per_call "$mvx_clock_strict")" us "$(ratio "$(per_call "$mvx_clock_strict")" "$(per_call "$mvx_clock_loose")")"
row "gzip -c 16 MiB, plain p0 (median of $RUNS)" "$mvx_gzip_plain" s 1
row "  under mvx 2, loose (median of $RUNS)" "$mvx_gzip_loose" s "$(ratio "$mvx_gzip_loose" "$mvx_gzip_plain")"
row "  under mvx 2, strict (median of $RUNS)" "$mvx_gzip_strict" s "$(ratio "$mvx_gzip_strict" "$mvx_gzip_plain")"
[ "$mvx_failed" -eq 0 ] || echo "bench: $mvx_failed run(s) under mvx did not say SAME (medians of the others): $(grep '^mvxbench: .* failed$' "$work/mvxbench" | cut -d' ' -f2-3 | sort | uniq -c | tr '\n' ';')" >&2
row "httpd, 1000 requests from wget, plain p0 (median of $RUNS)" "$mvx_httpd_plain" s 1
row "  under mvx 2, loose (median of $RUNS)" "$mvx_httpd_loose" s "$(ratio "$mvx_httpd_loose" "$mvx_httpd_plain")"
row "  under mvx 2, strict (median of $RUNS)" "$mvx_httpd_strict" s "$(ratio "$mvx_httpd_strict" "$mvx_httpd_plain")"
fi
if [ -n "$test_j1" ]; then
row "duplex test scenarios/ ($test_count), -j 1 (median of $TRUNS)" "$test_j1" s 1
row "duplex test scenarios/ ($test_count), -j 2 (median of $TRUNS)" "$test_j2" s "$(ratio "$test_j2" "$test_j1")"
row "one scenario, -j 1 runs (median)" "$test_scenario" s "$(ratio "$test_scenario" "$test_j1")"
fi
if [ -n "$shards_3" ]; then
row "duplex test scenarios/ ($shards_count), -j 2 (median of $TRUNS)" "$shards_j2" s 1
row "  as 3 shards of -j 1 at once, until the last ends (median of $TRUNS)" "$shards_3" s "$(ratio "$shards_3" "$shards_j2")"
row "duplex results merge of the 3 shards (median of $RUNS)" "$shards_merge" ms "$(ratio "$(echo "$shards_merge / 1000" | bc -l)" "$shards_j2")"
fi
if [ -n "$fuzz_secs" ]; then
row "fuzz_winhost, $FRUNS executions, 0 findings (n=1)" "$fuzz_secs" s 1
fi
