# scripts/reaper.c, which setup.sh starts libvirtd through: it returns
# with the daemon's own status as soon as the daemon's foreground part
# ends, stays behind as the subreaper of what the daemon leaves running,
# reaps each such process as it ends (no zombie left for a lazy init),
# holds no pipe of its caller's open, and leaves when nothing is left.
# Boots nothing.
source "$(dirname "$0")/../lib.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
REAPER=$work/reaper
cc -std=c11 -O2 -Wall -Wextra -Werror -o "$REAPER" "$ROOT/scripts/reaper.c" ||
	{ echo "not ok 1 - build scripts/reaper.c"; echo "1..1"; exit 1; }

"$REAPER" sh -c 'exit 3'
tap $([ $? -eq 3 ]; echo $?) "the daemon's exit status is the reaper's (3)"

"$REAPER" /nonexistent/daemon 2>"$work/err"
st=$?
tap $([ "$st" -eq 127 ] && grep -q '^reaper: /nonexistent/daemon: No such file or directory$' "$work/err"; echo $?) \
	"a daemon that cannot start: exit 127, said" "exit $st: $(cat "$work/err")"

# A daemon that leaves two children behind and exits 0, as `libvirtd -d`
# does; through a pipe whose reader waits for every writer to close it
# (a reaper holding it would keep `cat` until the second child ended).
"$REAPER" sh -c 'for t in 2 6; do sleep $t </dev/null >/dev/null 2>&1 & echo $!; done >"$1"' sh "$work/pid" | cat
st=${PIPESTATUS[0]}
orphan=$(head -n 1 "$work/pid")
second=$(tail -n 1 "$work/pid")
parent=$(awk '{ print $4 }' "/proc/$orphan/stat" 2>/dev/null)
tap $([ "$st" -eq 0 ] && [ -e "/proc/$second" ] &&
	[ "$(readlink "/proc/$parent/exe")" = "$REAPER" ]; echo $?) \
	"exit 0 while what the daemon left runs on, a child of the reaper (not of init)" \
	"exit $st; orphan $orphan, parent $parent ($(readlink "/proc/$parent/exe" 2>&1))"
tap $([ "$(readlink "/proc/$parent/fd/1")" = /dev/null ] &&
	[ "$(readlink "/proc/$parent/fd/2")" = /dev/null ]; echo $?) \
	"the reaper left behind holds no pipe of its caller's open" \
	"$(ls -l "/proc/$parent/fd" 2>&1)"
gone() { [ ! -e "/proc/$1" ]; }
# Only its parent reaps a process: gone while the reaper still runs (the
# second orphan keeps it), it was the reaper that reaped it.
wait_for 10 gone "$orphan"
tap $(gone "$orphan" && ! gone "$parent" && ! gone "$second"; echo $?) \
	"an orphan that ends is reaped by the reaper (no zombie), the other runs on" \
	"$(cat "/proc/$orphan/status" 2>&1 | head -3)"
wait_for 10 gone "$parent"
tap $(gone "$parent"; echo $?) "the reaper leaves once nothing is left to reap"

# The libvirtd that setup.sh started (when it started one) runs under it.
lv=$(pgrep -x libvirtd | head -n 1)
if [ -n "$lv" ] && [ "$(readlink "/proc/$(awk '{ print $4 }' "/proc/$lv/stat")/exe")" = "$ROOT/build/reaper" ]; then
	tap 0 "libvirtd, started by setup.sh, is a child of build/reaper"
else
	tap 0 "libvirtd under build/reaper # SKIP libvirtd was not started by this checkout's setup.sh"
fi
tap_done
