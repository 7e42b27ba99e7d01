# Shared by the fault-injection tests (sourced after tests/lib.sh): where
# each test's runs write, the one leftover count, the time to a verdict,
# and the figures file the README's table comes from.
FAULTS=$ROOT/tests/faults
FAULT_WORK=$(mktemp -d /tmp/duplex-faults.XXXXXX)
export DUPLEX_RESULTS=$FAULT_WORK/results
export FAULT_MARKS=$FAULT_WORK/marks
# Set on every duplex this suite starts (not on the shell): a process
# that carries it after its run ended is a leftover.
FAULT_TAG=$(basename "$FAULT_WORK")
FIGURES=${FAULT_FIGURES:-$ROOT/build/faults-figures.tsv}
FAULT_BEFORE_DOMAINS=$(duplex_domains)

fault_cleanup() {
	local pid

	# Whatever a failed test left running of ours is ended, by pid.
	for pid in $(tagged_pids); do
		kill -KILL "$pid" 2>/dev/null
	done
	# FAULT_KEEP=1 keeps the runs' results, to look at a failure.
	[ -n "${FAULT_KEEP:-}" ] && echo "# kept: $FAULT_WORK" || rm -rf "$FAULT_WORK"
}
trap fault_cleanup EXIT

# dx RUN...: a duplex command of the suite, tagged, in the background of
# its own process group (so that a Ctrl-C can go to the group, as a
# terminal sends it); its pid in $DX_PID, its output in $FAULT_WORK/out.
dx_start() {
	: >"$FAULT_WORK/out"
	setsid env FAULT_TAG="$FAULT_TAG" "$DUPLEX" "$@" >"$FAULT_WORK/out" 2>&1 &
	DX_PID=$!
}

# dx_wait SECONDS: wait for $DX_PID at most SECONDS (then SIGKILL its
# group: the test reports it); its exit status.
dx_wait() {
	wait_for "$1" sh -c "! kill -0 $DX_PID 2>/dev/null"
	kill -0 "$DX_PID" 2>/dev/null && kill -KILL -- "-$DX_PID" 2>/dev/null
	wait "$DX_PID"
}

# dx_run SECONDS ARGS...: dx_start and dx_wait.
dx_run() {
	local limit=$1

	shift
	dx_start "$@"
	dx_wait "$limit"
}

# The pids of processes started by this suite's duplex commands.
tagged_pids() {
	grep -lsaF "FAULT_TAG=$FAULT_TAG" /proc/[0-9]*/environ 2>/dev/null |
		cut -d/ -f3
}

# The run ids (r<pid>-<hex>) of this suite's machines: from their logs,
# the results of `duplex boot`, and the marks of their scenarios.
our_run_ids() {
	{
		grep -rhos --include=harness.log ' run r[0-9]*-[0-9a-f]*' "$DUPLEX_RESULTS" |
			sed 's/^ run //'
		ls "$DUPLEX_RESULTS" 2>/dev/null | grep -E '^r[0-9]+-[0-9a-f]+$'
	} | sort -u
}

# ours RUN-ID: the run is this suite's, or appeared during it and its
# process is gone (a run killed before it wrote a log).
ours() {
	local pid=${1#r}

	pid=${pid%%-*}
	grep -qxF -- "$1" <<<"$OUR_RUNS" && return 0
	[ -n "${FAULT_SNAPSHOT+x}" ] && ! grep -qF -- "$1" <<<"$FAULT_SNAPSHOT" &&
		! kill -0 "$pid" 2>/dev/null
}

# Every run id that has a domain, a bridge, a window file or a state
# directory now, one line each "KIND RUN-ID".
host_runs() {
	duplex_domains | sed -n 's/^duplex-\(r[0-9]*-[0-9a-f]*\)-p[0-9]*$/domain \1/p'
	{ ip -o link show 2>/dev/null
	  [ -e /run/netns/duplex ] && ip -n duplex -o link show 2>/dev/null; } |
		sed -n 's/^[0-9]*: dx\([0-9]*-[0-9a-f]*\)[:@].*/bridge r\1/p'
	ls /dev/shm 2>/dev/null | sed -n 's/^duplex-\(r[0-9]*-[0-9a-f]*\)$/window \1/p'
	ls /run/duplex 2>/dev/null | sed -n 's/^\(r[0-9]*-[0-9a-f]*\)$/state \1/p'
	# QEMU runs under libvirtd, not under us: found by its domain name.
	pgrep -af 'qemu-system' 2>/dev/null |
		sed -n 's/.*guest=duplex-\(r[0-9]*-[0-9a-f]*\)-p[0-9]*.*/qemu \1/p'
}

fault_snapshot() { FAULT_SNAPSHOT=$(host_runs); }

# leftovers_others: the domains of runs going on now that are not this
# suite's (another person's, on a shared host).
leftovers_others() {
	local kind id

	OUR_RUNS=$(our_run_ids)
	while read -r kind id; do
		[ "$kind" = domain ] && ! grep -qxF -- "$id" <<<"$OUR_RUNS" && echo "$id"
	done <<<"$(host_runs)" | sort -u | tr '\n' ' '
}

# leftovers: "domains=N bridges=N windows=N states=N processes=N" for
# what this suite's runs left now; returns 0 when all are 0.
leftovers() {
	local kind id d=0 b=0 w=0 s=0 p

	OUR_RUNS=$(our_run_ids)
	while read -r kind id; do
		[ -n "$kind" ] && ours "$id" || continue
		case $kind in
		domain) d=$((d + 1)) ;;
		bridge) b=$((b + 1)) ;;
		window) w=$((w + 1)) ;;
		state) s=$((s + 1)) ;;
		qemu) p=$((${p:-0} + 1)) ;;
		esac
	done <<<"$(host_runs)"
	p=$((${p:-0} + $(tagged_pids | wc -l)))
	LEFT="domains=$d bridges=$b windows=$w states=$s processes=$p"
	[ $((d + b + w + s + p)) -eq 0 ]
}

# check_leftovers NAME: wait (30 s at most) until the runs left nothing,
# assert it, and keep the count in $LEFT_TOTAL for the figures.
check_leftovers() {
	wait_for 30 leftovers
	leftovers
	tap $? "$1: nothing left (${LEFT})" "$(cat "$FAULT_WORK/out" 2>/dev/null | tail -20)"
	LEFT_TOTAL=$(awk -F'[ =]' '{ print $2 + $4 + $6 + $8 + $10 }' <<<"$LEFT")
}

# mark_at NAME: the time (epoch seconds) of the scenario's last mark NAME.
mark_at() {
	awk -v n="$1" '$2 == n { t = $1 } END { print t }' "$FAULT_MARKS" 2>/dev/null
}
# mark_pid NAME: the pid of the scenario process that marked NAME.
mark_pid() {
	awk -v n="$1" '$2 == n { p = $3 } END { print p }' "$FAULT_MARKS" 2>/dev/null
}

# wait_mark SECONDS NAME: until the scenario marks NAME.
wait_mark() { wait_for "$1" grep -q " $2 " "$FAULT_MARKS"; }

# slug N: the slug of the Nth scenario of the last `duplex test`, from its
# progress line.
slug() {
	sed -n "s/^\[$1\/[0-9]*\] \([^ ]*\) .*/\1/p" "$FAULT_WORK/out" | head -1
}

# log_at RE [SLUG]: the time of the first line matching RE in the harness
# log of the last run's scenario SLUG (of a `duplex boot` without SLUG).
log_at() {
	grep -E -m1 -- "$1" "$DUPLEX_RESULTS/latest/${2:+$2/}harness.log" 2>/dev/null |
		cut -d' ' -f1
}

# ends_at SLUG: when scenario SLUG of the last run ended (its verdict).
ends_at() { log_at "^[0-9.]+ debug: scenario '.*' ends" "$1"; }

now() { printf '%s\n' "${EPOCHREALTIME/,/.}"; }

# span FROM TO: TO - FROM in seconds, one decimal ("?" if either is
# missing).
span() {
	if [ -z "$1" ] || [ -z "$2" ]; then
		echo "?"
	else
		awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f\n", b - a }'
	fi
}

# figure FAULT VERDICT SECONDS: a row of the README's table, printed as
# a TAP diagnostic and kept in $FIGURES (with the leftovers counted).
figure() {
	printf '# figure: %s | %s | %s s | %s left\n' "$1" "$2" "$3" "${LEFT_TOTAL:-?}"
	mkdir -p "$(dirname "$FIGURES")"
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "${LEFT_TOTAL:-?}" >>"$FIGURES"
}

# verdict_of N: PASS, FAIL or SKIP, from the Nth progress line of the
# last `duplex test`; reason_of N: the reason printed under it.
verdict_of() {
	sed -n "s/^\[$1\/[0-9]*\] .* \(PASS\|FAIL\|SKIP\) (.*/\1/p" "$FAULT_WORK/out" | head -1
}
reason_of() {
	awk -v n="$1" 'index($0, "[" n "/") == 1 { on = 1; next }
		on && /^    [^ |]/ && !/consoles and logs/ { sub(/^    /, ""); print; exit }
		/^\[/ { on = 0 }' "$FAULT_WORK/out"
}

# after_passes: the scenario after the fault (after.exp) passed, in the
# last `duplex test` or in one run for it now.
after_passes() {
	grep -qE '^\[[0-9]+/[0-9]+\] the-scenario-after-the-fault-passes .* PASS' "$FAULT_WORK/out"
}
run_after() {
	dx_run 180 test "$FAULTS/after.exp"
	after_passes
}

# judge ROW WANT RE FROM TO: the assertions every scenario fault shares:
# the last `duplex test`'s first scenario ended WANT (PASS or FAIL) with
# its reason matching RE, the next passed, nothing is left; then the
# figure, the time to the verdict from FROM to TO (epoch seconds; for a
# PASS with TO "-", none).
judge() {
	local row=$1 want=$2 re=$3 from=$4 to=$5

	tap $([ "$(verdict_of 1)" = "$want" ] && grep -qE -- "$re" "$FAULT_WORK/out"; echo $?) \
		"$row: $want, /$re/" "$(cat "$FAULT_WORK/out")"
	tap $(after_passes; echo $?) "$row: the next scenario passes"
	check_leftovers "$row"
	if [ "$to" = - ]; then
		figure "$row" "PASS: ${FAULT_NOTE:-}" "-"
	elif [ "$want" = PASS ]; then
		figure "$row" "PASS: ${FAULT_NOTE:-}" "$(span "$from" "$to")"
	else
		figure "$row" "$want: $(reason_of 1 | cut -c1-90)" "$(span "$from" "$to")"
	fi
}

# scenario_fault ROW FILE WANT RE [FROM-MARK [TO-RE]]: run tests/faults/FILE,
# then after.exp, and judge.  The time to the verdict runs from FILE's
# mark FROM-MARK (inject) to the first line of its harness log matching
# TO-RE (default: the scenario's end).
scenario_fault() {
	local row=$1 file=$2 want=$3 re=$4 from=${5:-inject} to=${6:-} s t

	fault_snapshot
	: >"$FAULT_MARKS"
	dx_run 400 test "$FAULTS/$file" "$FAULTS/after.exp"
	s=$(slug 1)
	if [ -n "$to" ]; then
		t=$(log_at "$to" "$s")
	else
		t=$(ends_at "$s")
	fi
	judge "$row" "$want" "$re" "$(mark_at "$from")" "$t"
}

# domain_of K: the domain of partition K of the machine that marked
# "ready" (its scenario process is r<pid>-...).
domain_of() {
	duplex_domains | grep -m1 -- "^duplex-r$(mark_pid ready)-[0-9a-f]*-p$1\$"
}

# outside_fault ROW WANT RE ACTION...: run wait.exp then after.exp; once
# the machine waits in its command, run ACTION (from outside: virsh,
# kill) and note the time; judge, the time to the verdict from ACTION to
# the scenario's end (none for a PASS: the command ran to its end).
outside_fault() {
	local row=$1 want=$2 re=$3 t0

	shift 3
	fault_snapshot
	: >"$FAULT_MARKS"
	dx_start test "$FAULTS/wait.exp" "$FAULTS/after.exp"
	wait_mark 240 ready
	sleep 1
	t0=$(now)
	"$@"
	dx_wait 400
	if [ "$want" = PASS ]; then
		judge "$row" "$want" "$re" "$t0" -
	else
		judge "$row" "$want" "$re" "$t0" "$(ends_at "$(slug 1)")"
	fi
}

# scenario_log: the harness log of the scenario of the running `duplex
# test` (its results directory is on its first line).
scenario_log() {
	local dir

	dir=$(sed -n 's/.*; results in \(.*\)\/$/\1/p' "$FAULT_WORK/out" | head -1)
	[ -n "$dir" ] && ls "$dir"/*/harness.log 2>/dev/null | head -1
}

# log_says RE: the running scenario's harness log has a line matching RE.
log_says() {
	local log

	log=$(scenario_log)
	[ -n "$log" ] && grep -qE -- "$1" "$log"
}
