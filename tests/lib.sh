# Shared helpers for the shell end-to-end tests (sourced, not run).
# TAP output: ok N - name / not ok N - name.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DUPLEX=${DUPLEX:-$ROOT/build/duplex}
TAP_N=0
TAP_FAILED=0

tap() { # tap OK_STATUS NAME [DETAIL]
	TAP_N=$((TAP_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $TAP_N - $2"
	else
		echo "not ok $TAP_N - $2"
		TAP_FAILED=$((TAP_FAILED + 1))
		[ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/# /'
	fi
	return 0
}

tap_done() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ]
}

# wait_for SECONDS CMD...: run CMD every 0.2 s until it succeeds or the
# deadline passes.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	while [ "$SECONDS" -lt "$deadline" ]; do
		"$@" && return 0
		sleep 0.2
	done
	"$@"
}

duplex_domains() {
	virsh -q -c qemu:///system list --all --name 2>/dev/null | grep '^duplex-' || true
}

# leaked_domains BEFORE: the duplex domains not in BEFORE (a duplex_domains
# list) whose run's process is gone: what a test's runs left behind.  A
# domain of a live process belongs to someone else's run going on at the
# same time (domain names are duplex-r<pid>-<hex>-pK).
leaked_domains() {
	local name pid
	duplex_domains | while IFS= read -r name; do
		grep -qxF -- "$name" <<<"$1" && continue
		pid=${name#duplex-r}
		pid=${pid%%-*}
		kill -0 "$pid" 2>/dev/null || echo "$name"
	done
}

# The run id a `duplex boot` printed in FILE (from its transcript line).
run_id_of() {
	sed -n 's|^  transcript: .*/\(r[0-9]*-[0-9a-f]*\)/serial0.log$|\1|p' "$1"
}

# has_bridge NAME: a link NAME here or in the namespace of scripts/setup.sh.
has_bridge() {
	ip link show dev "$1" >/dev/null 2>&1 ||
		{ [ -e /run/netns/duplex ] && ip -n duplex link show dev "$1" >/dev/null 2>&1; }
}

# python_with MODULE: a python3 that imports MODULE (the PATH's, else
# Debian's, where `make deps` installs the python3-* packages); nothing
# if none does.
python_with() {
	local p
	for p in python3 /usr/bin/python3; do
		"$p" -c "import $1" 2>/dev/null && { echo "$p"; return; }
	done
}
