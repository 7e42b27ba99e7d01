# End-to-end: ./launch.sh as a new user runs it.  It builds what is
# missing (a guest program, an initramfs), then boots the machine and
# prints every console's minicom line; --until-ready ends it once the
# shells answer, leaving no domain.
source "$(dirname "$0")/../lib.sh"

work=$(mktemp -d)
B=${DUPLEX_BUILD:-$ROOT/build}
# The removed program is put back afterwards, its time stamp with it:
# the rebuilt one is newer than the initramfs of partitions this test
# does not boot, which the next `make check` would then rebuild.
mv "$B/guest/partd" "$work/partd"
trap 'mv -f "$work/partd" "$B/guest/partd"; rm -rf "$work"' EXIT

rm -f "$B/initramfs/partition1.cpio"
before=$(duplex_domains)
timeout 900 "$ROOT/launch.sh" --until-ready >"$work/out" 2>&1
status=$?
tap $([ "$status" -eq 0 ]; echo $?) "./launch.sh --until-ready exits 0 (exit $status)" "$(tail -20 "$work/out")"
tap $([ -x "$B/guest/partd" ] && [ -s "$B/initramfs/partition1.cpio" ]; echo $?) \
	"it rebuilt the missing guest program and initramfs" "$(ls -l "$B/guest" "$B/initramfs")"
tap $(grep -q '^serial0 (primary): minicom -D /dev/pts/[0-9]*$' "$work/out" &&
	grep -q '^serial1 (secondary): minicom -D /dev/pts/[0-9]*$' "$work/out"; echo $?) \
	"it prints the minicom line of both consoles" "$(cat "$work/out")"
tap $(grep -q '^serial0: shell ready after' "$work/out" &&
	grep -q '^serial1: shell ready after' "$work/out"; echo $?) \
	"both shells become ready (the secondary booted by repboot 1, with partd)" "$(cat "$work/out")"
tap $([ -z "$(leaked_domains "$before")" ]; echo $?) "no domain is left" "$(duplex_domains)"
tap_done
