# End-to-end: bad input gets one clear error, a non-zero exit, and leaves
# nothing behind.
source "$(dirname "$0")/../lib.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A kernel tree that does not exist.
KSRC=/nonexistent "$DUPLEX" build >"$work/out" 2>&1
status=$?
tap $([ "$status" -ne 0 ] && grep -q "/nonexistent" "$work/out" && [ "$(grep -c 'error' "$work/out")" -eq 1 ]; echo $?) \
	"KSRC=/nonexistent: exit $status with one error line naming the path" "$(cat "$work/out")"

# A fragment that drops a required option: configure only, in a scratch
# build directory, from the tree duplex already extracted.  The scratch
# build directory is on build/'s filesystem: the private tree is then
# hard links, not a 1.5 GB copy.
cp -r "$ROOT/kernel" "$ROOT/vm" "$ROOT/ramdisk" "$work/"
sed -i '/^CONFIG_SERIAL_8250_CONSOLE=y/d' "$work/kernel/common.config"
ksrc=$ROOT/build/src/linux-source-6.1
scratch=$(mktemp -d -p "$ROOT/build" errors-build.XXXXXX)
trap 'rm -rf "$work" "$scratch"' EXIT
DUPLEX_ROOT=$work DUPLEX_BUILD=$scratch KSRC=$ksrc "$DUPLEX" build >"$work/out" 2>&1
status=$?
tap $([ "$status" -ne 0 ] && grep -q 'CONFIG_SERIAL_8250_CONSOLE' "$work/out"; echo $?) \
	"a fragment without a required option fails the build naming it (exit $status)" "$(tail -5 "$work/out")"

# A tree the layout patch does not fit (another kernel version: the
# context around the patch's first hunk differs): the patch's name and
# the first rejected file, and the tree itself untouched.
other=$work/linux-other
mkdir -p "$other/arch/x86"
cp "$ksrc/Makefile" "$other/"
sed 's/If unsure, leave at the default value\./If in doubt, keep the default./' \
	"$ksrc/arch/x86/Kconfig" >"$other/arch/x86/Kconfig"
sum=$(md5sum "$other/arch/x86/Kconfig")
DUPLEX_BUILD=$scratch KSRC=$other "$DUPLEX" build >"$work/out" 2>&1
status=$?
tap $([ "$status" -eq 2 ] && grep -q "kernel/patches/0001-duplex-layout.patch does not apply to $other: arch/x86/Kconfig: Hunk #1 FAILED" "$work/out" &&
	[ "$(md5sum "$other/arch/x86/Kconfig")" = "$sum" ] && [ ! -e "$other/arch/x86/Kconfig.duplex" ]; echo $?) \
	"a series that does not apply names the patch and the first rejected file (exit $status)" "$(cat "$work/out")"

# libvirtd not answering (a socket nobody listens on: same path in duplex
# as a stopped daemon).
DUPLEX_LIBVIRT_URI="qemu:///system?socket=$work/no-libvirtd.sock" "$DUPLEX" boot >"$work/out" 2>&1
status=$?
tap $([ "$status" -eq 2 ] && grep -q 'cannot connect to libvirtd' "$work/out" && grep -q 'make deps' "$work/out"; echo $?) \
	"libvirtd down: duplex boot says so and how to start it (exit $status)" "$(cat "$work/out")"

# A profile with a typo.
printf 'partitions = 2\nreplica.0 = 1\nreplica.1 = 2\nmemroy_mib = 512\n' >"$work/typo.profile"
"$DUPLEX" boot --profile "$work/typo.profile" >"$work/out" 2>&1
status=$?
tap $([ "$status" -eq 2 ] && grep -q "typo.profile:4: unknown key 'memroy_mib'" "$work/out"; echo $?) \
	"a profile with an unknown key names file, line and key (exit $status)" "$(cat "$work/out")"

# Usage errors.
"$DUPLEX" frobnicate >"$work/out" 2>&1
status=$?
tap $([ "$status" -eq 2 ] && grep -q "unknown command 'frobnicate'" "$work/out"; echo $?) "an unknown command exits 2"
"$DUPLEX" --help >"$work/out" 2>&1
tap $(grep -q 'doctor' "$work/out" && grep -q 'boot' "$work/out"; echo $?) "duplex --help lists the commands"

# A run killed with SIGKILL leaves its state, its bridge and its window
# file; duplex clean removes them, and libvirt's autodestroy has already
# taken its domain.
"$DUPLEX" boot >"$work/boot.out" 2>&1 &
pid=$!
wait_for 60 grep -q 'transcript:' "$work/boot.out"
run_id=$(run_id_of "$work/boot.out")
bridge=dx${run_id#r} window=/dev/shm/duplex-$run_id
kill -KILL "$pid"
wait "$pid" 2>/dev/null
tap $([ -n "$run_id" ] && has_bridge "$bridge" && [ -e "$window" ]; echo $?) \
	"after SIGKILL, the run's bridge and window file are left for duplex clean" "run $run_id"
"$DUPLEX" clean >"$work/out" 2>&1
status=$?
left=$(virsh -q -c qemu:///system list --all --name | grep -- "-$run_id-" || true)
tap $([ "$status" -eq 0 ] && [ -n "$run_id" ] && [ -z "$left" ] && [ ! -e "/run/duplex/$run_id" ]; echo $?) \
	"after SIGKILL, duplex clean leaves no domain and no run state" "run $run_id; left: $left; $(cat "$work/out")"
tap $([ -n "$run_id" ] && ! has_bridge "$bridge" && [ ! -e "$window" ]; echo $?) \
	"after SIGKILL, duplex clean removes the bridge and the window file" "run $run_id; $(cat "$work/out")"

# The run directory may point anywhere ($DUPLEX_RUN=$HOME): clean takes
# only real directories named exactly as a run, never a user's files.
home=$work/home
mkdir -p "$home/repos/project" "$home/r123-abcd/x" "$home/r99999-beef" "$home/rabbit" "$home/r1-ABCD"
echo keep >"$home/repos/project/file"
echo keep >"$home/r7-0000"
ln -s "$home/repos" "$home/r8-0000"
DUPLEX_RUN=$home "$DUPLEX" clean >"$work/out" 2>&1
status=$?
tap $([ "$status" -eq 0 ] && [ -f "$home/repos/project/file" ] && [ -d "$home/rabbit" ] &&
	[ -d "$home/r1-ABCD" ] && [ -f "$home/r7-0000" ] && [ -L "$home/r8-0000" ]; echo $?) \
	"DUPLEX_RUN=\$HOME duplex clean keeps every entry not named and made as a run (exit $status)" \
	"$(ls -la "$home"; cat "$work/out")"
tap $([ ! -e "$home/r99999-beef" ] || kill -0 99999 2>/dev/null; echo $?) \
	"DUPLEX_RUN=\$HOME duplex clean removes the directory of a dead run" "$(ls -la "$home"; cat "$work/out")"

# A run is alive while it holds its lock, whatever the program is called:
# a concurrent duplex clean leaves the run of an end-to-end test binary
# alone.  The binary is stopped while clean looks, so its run is surely
# still going; once continued it must pass as if nothing had happened.
e2e=$ROOT/build/tests/e2e/boot_primary
"$e2e" >"$work/e2e.out" 2>&1 &
pid=$!
# run_id_of_pid PID: the run id in the name of a domain of process PID.
run_id_of_pid() {
	duplex_domains | sed -n "s/^duplex-\(r$1-[0-9a-f]*\)-p[0-9]*$/\1/p" | head -n 1
}
has_run() { [ -n "$(run_id_of_pid "$1")" ]; }
wait_for 120 has_run "$pid"
run_id=$(run_id_of_pid "$pid")
kill -STOP "$pid"
"$DUPLEX" clean >"$work/out" 2>&1
status=$?
tap $([ "$status" -eq 0 ] && [ -n "$run_id" ] &&
	duplex_domains | grep -q -- "^duplex-$run_id-p" &&
	[ -e "/run/duplex/$run_id/lock" ] && has_bridge "dx${run_id#r}" &&
	[ -e "/dev/shm/duplex-$run_id" ] && ! grep -q -- "${run_id#r}" "$work/out"; echo $?) \
	"duplex clean leaves the domain, state, bridge and window file of a running $(basename "$e2e")" \
	"run $run_id of pid $pid; $(cat "$work/out")"
kill -CONT "$pid"
wait "$pid"
status=$?
tap $([ "$status" -eq 0 ]; echo $?) \
	"$(basename "$e2e") passes after a concurrent duplex clean (exit $status)" "$(cat "$work/e2e.out")"
tap_done
