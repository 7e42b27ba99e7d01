#!/usr/bin/env bash
# make bench: build and boot figures, as medians over several runs, each
# with a baseline measured in the same run.
#   cold build      : both replicas from empty objdirs and an empty ccache
#                     (baseline)
#   ccache build    : the same into other objdirs with that ccache now warm
#                     (what a fresh clone, e.g. CI's, costs)
#   no-op rebuild   : `duplex build` with nothing changed (both replicas)
#   boot to prompt  : plain qemu-system-x86_64 -kernel (baseline) vs duplex
#                     boot through libvirt, primary, TCG
#                     boot --manual, both timed from the command's start
#   secondary boot  : from `repboot 1` typed on serial0 to partition 1 UP
#                     in the window (ratio to the plain QEMU boot)
# BENCH_RUNS (default 5) sets the number of boot and no-op samples;
# BENCH_ONLY=boot skips the build figures.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${BENCH_RUNS:-5}
DUPLEX=build/duplex
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }
elapsed() { echo "$(now) - $1" | bc; }
median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f", m}'; }

$DUPLEX build >/dev/null
ksrc=$(ls -d build/src/linux-* | head -1)
cold= warm= noop=
if [ "${BENCH_ONLY:-}" != boot ]; then

export CCACHE_DIR=$work/ccache
echo "bench: cold build of both replicas, empty ccache (1 run, several minutes)" >&2
t=$(now)
DUPLEX_BUILD=$work/cold KSRC=$ksrc $DUPLEX build >/dev/null
cold=$(elapsed "$t")
echo "bench: clean build of both replicas elsewhere, warm ccache" >&2
t=$(now)
DUPLEX_BUILD=$work/warm KSRC=$ksrc $DUPLEX build >/dev/null
warm=$(elapsed "$t")
rm -rf "$work/cold" "$work/warm"
unset CCACHE_DIR

echo "bench: no-op rebuild x$RUNS" >&2
noop=$(for i in $(seq "$RUNS"); do t=$(now); $DUPLEX build >/dev/null; elapsed "$t"; done | median)
fi

echo "bench: primary boot to shell prompt, plain QEMU x$RUNS" >&2
qemu_boot() {
	local t out=$work/qemu.out
	rm -f "$out"
	t=$(now)
	timeout 600 qemu-system-x86_64 -accel tcg -machine pc -m 512 -nodefaults \
		-display none -monitor none -no-reboot -serial "file:$out" \
		-kernel build/replica1/arch/x86/boot/bzImage \
		-initrd build/initramfs/partition0.cpio \
		-append "console=ttyS0,115200 panic=-1 duplex.partition=0 duplex.bench=poweroff" &
	local pid=$!
	until grep -q 'duplex: partition 0 ready' "$out" 2>/dev/null; do sleep 0.05; done
	elapsed "$t"
	kill "$pid"; wait "$pid" 2>/dev/null || true
}
qemu=$(for i in $(seq "$RUNS"); do qemu_boot; done | median)

echo "bench: primary boot to shell prompt, duplex boot x$RUNS" >&2
duplex_boot() {
	local t line
	t=$(now)
	$DUPLEX boot --manual --until-ready | while IFS= read -r line; do
		case $line in "serial0: shell ready"*) elapsed "$t" ;; esac
	done
}
boot=$(for i in $(seq "$RUNS"); do duplex_boot; done | median)

echo "bench: secondary boot latency, 'repboot 1' typed to partition 1 UP x$RUNS" >&2
secondary_boot() {
	$DUPLEX boot --until-ready | sed -n "s/^serial1: up \([0-9.]*\) s after 'repboot 1'$/\1/p"
}
secondary=$(for i in $(seq "$RUNS"); do secondary_boot; done | median)

ratio() { echo "scale=3; $1 / $2" | bc; }
printf '\n%-52s %10s %8s\n' "figure" "seconds" "ratio"
if [ -n "$cold" ]; then
printf '%-52s %10.1f %8s\n' "cold build, replica1+2, empty ccache (n=1)" "$cold" "1.000"
printf '%-52s %10.1f %8.3f\n' "fresh objdirs, replica1+2, warm ccache (n=1)" "$warm" "$(ratio "$warm" "$cold")"
printf '%-52s %10.1f %8.3f\n' "no-op rebuild, both replicas (median of $RUNS)" "$noop" "$(ratio "$noop" "$cold")"
fi
printf '%-52s %10.1f %8s\n' "primary to prompt, plain QEMU TCG (median of $RUNS)" "$qemu" "1.000"
printf '%-52s %10.1f %8.3f\n' "primary to prompt, duplex boot TCG (median of $RUNS)" "$boot" "$(ratio "$boot" "$qemu")"
printf '%-52s %10.1f %8.3f\n' "secondary, 'repboot 1' to UP, TCG (median of $RUNS)" "$secondary" "$(ratio "$secondary" "$qemu")"
