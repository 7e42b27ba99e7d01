# End-to-end: a kernel flavour of a team's own (docs/kernel-flavours.md).
# kernel/flavours/plain is the default flavour without duplex's layout
# patch, its replicas apart by their text alone (CONFIG_PHYSICAL_START):
# both boot, replication works, and the layout check, from the page
# tables alone (these kernels print no layout line), fails naming the
# direct map, vmalloc and vmemmap, not the text.  Then the bad input: a
# flavour that does not exist, one missing a fragment, a replica the
# flavour lacks, and a tree no patch fits built with a flavour without
# patches (as far as the kernel's own build, its log's lines reported).
source "$(dirname "$0")/../lib.sh"

work=$(mktemp -d)
scratch=$(mktemp -d -p "$ROOT/build" flavour-build.XXXXXX)
trap 'rm -rf "$work" "$scratch"' EXIT
export DUPLEX_RESULTS=$work/results
before=$(duplex_domains)

"$DUPLEX" build -q --profile plain >"$work/build" 2>&1
status=$?
tap $([ "$status" -eq 0 ] && [ -f "$ROOT/build/plain-replica1/arch/x86/boot/bzImage" ] &&
	[ -f "$ROOT/build/plain-replica2/arch/x86/boot/bzImage" ] &&
	! grep -q '^CONFIG_DUPLEX_LAYOUT' "$ROOT/build/plain-replica2/.config"; echo $?) \
	"flavour plain: build/plain-replica1 and 2, without the layout patch (exit $status)" "$(tail -5 "$work/build")"

"$DUPLEX" boot --profile plain --until-ready >"$work/out" 2>&1
status=$?
tap $([ "$status" -eq 1 ] && grep -q 'serial1: shell ready' "$work/out" &&
	grep -q 'page tables: kernel areas of different partitions overlap (3):' "$work/out" &&
	grep -q '^  direct: serial0 (replica 1) ffff888000000000-' "$work/out" &&
	grep -q '^  vmalloc: serial0 (replica 1) ffffc90000000000-' "$work/out" &&
	grep -q '^  vmemmap: serial0 (replica 1) ffffea0000000000-' "$work/out" &&
	! grep -q '^  text: ' "$work/out" && ! grep -q "no 'duplex: layout" "$work/out"; echo $?) \
	"both boot; the page tables overlap in direct, vmalloc and vmemmap, not text; no layout line asked for (exit $status)" \
	"$(cat "$work/out")"

cat >"$work/plain.exp" <<'EOF'
scenario "a replicated command on flavour plain" -profile plain {
	duplex::boot
	duplex::replicate 2
	duplex::run {echo same-$((6*7))} -expect {^same-42$}
	duplex::run {uname -r} -expect {^6\.1\.}
}
EOF
"$DUPLEX" test "$work/plain.exp" >"$work/out" 2>&1
status=$?
tap $([ "$status" -eq 0 ] && grep -q '^2 passed, 0 failed, 0 skipped$' "$work/out"; echo $?) \
	"replication works on flavour plain (exit $status)" "$(cat "$work/out")"

DUPLEX_FLAVOUR=nosuch "$DUPLEX" build -q >"$work/out" 2>&1
status=$?
tap $([ "$status" -eq 2 ] && grep -q "kernel flavour 'nosuch': no 'kernel/flavours/nosuch/common.config'" "$work/out"; echo $?) \
	"a flavour that does not exist: exit 2, its folder named (exit $status)" "$(cat "$work/out")"

mkdir -p "$work/half"
cp "$ROOT/kernel/flavours/plain/common.config" "$ROOT/kernel/flavours/plain/replica1.config" "$work/half/"
DUPLEX_BUILD=$scratch DUPLEX_FLAVOUR=$work/half "$DUPLEX" build -q >"$work/out" 2>&1
status=$?
tap $([ "$status" -eq 2 ] && grep -q "replica 2 has no config fragment $work/half/replica2.config in kernel flavour half" "$work/out" &&
	[ ! -d "$scratch/half-replica1" ]; echo $?) \
	"a flavour missing a replica's fragment: exit 2 naming it, nothing built (exit $status)" "$(cat "$work/out")"

sed 's/^replica.1 = 2$/replica.1 = 3/' "$ROOT/vm/plain.profile" >"$work/three.profile"
DUPLEX_BUILD=$scratch "$DUPLEX" build -q --profile "$work/three.profile" >"$work/out" 2>&1
status=$?
tap $([ "$status" -eq 2 ] && grep -q 'replica 3 has no config fragment kernel/flavours/plain/replica3.config in kernel flavour plain' "$work/out"; echo $?) \
	"a profile asking for a replica the flavour lacks: exit 2 naming it (exit $status)" "$(cat "$work/out")"

# A tree duplex's patch does not fit (tests/e2e/errors.sh: the default
# flavour refuses it, naming the patch): with a flavour that has no
# patches it gets as far as the kernel's own build, whose failure is
# reported with its log's lines.
ksrc=$ROOT/build/src/linux-source-6.1
other=$work/linux-other
mkdir -p "$other/arch/x86"
cp "$ksrc/Makefile" "$other/"
sed 's/If unsure, leave at the default value\./If in doubt, keep the default./' \
	"$ksrc/arch/x86/Kconfig" >"$other/arch/x86/Kconfig"
DUPLEX_BUILD=$scratch KSRC=$other DUPLEX_FLAVOUR=plain "$DUPLEX" build -q >"$work/out" 2>&1
status=$?
tap $([ "$status" -eq 2 ] && grep -q 'plain-replica1: make tinyconfig failed' "$work/out" &&
	grep -q -- '--- last lines of .*plain-replica1.log ---' "$work/out" &&
	grep -q 'arch/x86/Makefile: No such file or directory' "$work/out"; echo $?) \
	"a tree no patch fits, flavour without patches: the kernel's own build fails, its log's lines shown (exit $status)" \
	"$(cat "$work/out")"

tap $([ -z "$(leaked_domains "$before")" ]; echo $?) "no domain is left behind" "$(duplex_domains)"
tap_done
