# mvx on the host: N replicas on this kernel (--local: socketpairs,
# --ring: a window's rings), as root.  Asserts the verdicts: programs that
# read the clock, random bytes and the hostname do not diverge; one whose
# kernel output differs per replica does, naming the syscall and the byte
# offset; a crash, a killed leader and a killed mvx end with a named
# verdict and leave no process behind.  TAP on stdout.
source "$(dirname "$0")/../lib.sh"

B=${DUPLEX_BUILD:-$ROOT/build}
MVX=$(realpath -m "$B/guest/mvx")
PROBE=$B/guest/mvx-probe
# Every replica inherits it: how the tests find what a run left behind.
export MVX_TEST_MARK=mvx-test-$$
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ "$(id -u)" -ne 0 ]; then
	echo "ok 1 - # SKIP mvx runs as root (pid namespaces, ptrace of all)"
	echo "1..1"
	exit 0
fi
make -s -C "$ROOT" "$MVX" "$PROBE" >"$work/make" 2>&1 ||
	{ cat "$work/make"; echo "not ok 1 - build mvx"; echo "1..1"; exit 1; }

# The pids of this run's replica processes (of replica $1 if given) and,
# without $1, of its mvx processes: what carries the mark (but not the
# test's own subshells).
marked() {
	local f pid env
	for f in /proc/[0-9]*/environ; do
		pid=${f#/proc/}
		pid=${pid%/environ}
		env=$({ tr '\0' '\n' <"$f"; } 2>/dev/null) || continue
		grep -qx "MVX_TEST_MARK=$MVX_TEST_MARK" <<<"$env" || continue
		if grep -qx "MVX_REPLICA=${1:-[0-9]*}" <<<"$env" ||
		   { [ -z "${1:-}" ] && [ "$(readlink "/proc/$pid/exe")" = "$MVX" ]; }; then
			echo "$pid"
		fi
	done
}

no_leftover() { [ -z "$(marked)" ]; }

# run NAME ARGS...: mvx ARGS with its stdout in $work/NAME.out, stderr in
# $work/NAME.err, status in $status.
run() {
	local name=$1
	shift
	timeout 60 "$MVX" "$@" >"$work/$name.out" 2>"$work/$name.err" </dev/null
	status=$?
}

same() { # same NAME: the verdict is SAME, exit 0
	[ "$status" -eq 0 ] && grep -q '^mvx: verdict: SAME' "$work/$1.err" &&
		! grep -q DIVERGENCE "$work/$1.err"
}

detail() { printf 'exit %s\n%s\n' "$status" "$(tail -5 "$work/$1.err")"; }

# ----- nondeterministic inputs, replicated: no divergence

run date --local 2 date
tap $(same date && [ -s "$work/date.out" ]; echo $?) \
	"date: the same in 2 replicas" "$(detail date)"

run clock --local 2 "$PROBE" clock 1000
calls=$(sed -n 's/.*exit status 0, \([0-9]*\) syscalls.*/\1/p' "$work/clock.err")
tap $(same clock && [ "${calls:-0}" -ge 1000 ]; echo $?) \
	"1000 clock readings (vDSO hidden: $calls syscalls stopped) the same" "$(detail clock)"

run tsc --local 2 "$PROBE" tsc 1000
calls=$(sed -n 's/.*exit status 0, \([0-9]*\) syscalls.*/\1/p' "$work/tsc.err")
tap $(same tsc && grep -q ' rising$' "$work/tsc.out" && [ "${calls:-0}" -ge 1000 ]; echo $?) \
	"1000 rdtsc/rdtscp (faulting, run by the leader's monitor) the same" "$(detail tsc)"

run urandom --local 2 sh -c 'head -c 64 /dev/urandom | sha256sum'
tap $(same urandom && grep -Eq '^[0-9a-f]{64}  -$' "$work/urandom.out"; echo $?) \
	"head -c 64 /dev/urandom | sha256sum: the same in 2 replicas" "$(detail urandom)"

run hostname --local 2 hostname
tap $(same hostname && [ "$(cat "$work/hostname.out")" = "$(hostname)" ]; echo $?) \
	"hostname: the same, printed once" "$(detail hostname)"

run uptime --local 3 cat /proc/uptime
tap $(same uptime && [ "$(wc -l <"$work/uptime.out")" -eq 1 ]; echo $?) \
	"cat /proc/uptime (a per-kernel counter): the same in 3 replicas" "$(detail uptime)"

run netdev --local 2 cat /proc/net/dev
tap $(same netdev && grep -q '^ *lo:' "$work/netdev.out"; echo $?) \
	"cat /proc/net/dev (per network namespace counters; a follower's has only lo): the leader's, the same" "$(detail netdev)"

run gzip --local 2 sh -c 'head -c 1048576 /dev/urandom | gzip -c | gunzip -c | wc -c'
tap $(same gzip && [ "$(cat "$work/gzip.out")" = 1048576 ]; echo $?) \
	"gzip | gunzip of 1 MiB from /dev/urandom through pipes: the same" "$(detail gzip)"

run sort --local 2 sh -c 'head -c 800000 /dev/urandom | od -An -tx8 -w8 | sort -S 1M | uniq | wc -l'
tap $(same sort && [ "$(cat "$work/sort.out")" -ge 99990 ]; echo $?) \
	"sort of 100000 random lines (temporary files in the replica's own /tmp): the same" "$(detail sort)"

run find --local 2 sh -c 'find /etc /usr/lib -xdev | wc -l'
tap $(same find && [ "$(cat "$work/find.out")" -gt 100 ]; echo $?) \
	"find /etc /usr/lib (directory entries and stats compared): the same" "$(detail find)"

run bg --local 2 sh -c 'sleep 0.2 & wait; echo waited'
tap $(same bg && [ "$(cat "$work/bg.out")" = waited ]; echo $?) \
	"a background job and wait (SIGCHLD reaches the program): the same" "$(detail bg)"

run nohang --local 3 "$PROBE" nohang
tap $(same nohang && [ "$(cat "$work/nohang.out")" = reaped ]; echo $?) \
	"waitpid(WNOHANG) polled until the child is reaped (0 in the leader: not run; the child reaped: waited for): the same in 3 replicas" "$(detail nohang)"

if command -v bash >/dev/null; then
	run bashwait --local 2 bash -c 'sleep 0.1 & wait; echo x'
	tap $(same bashwait && [ "$(cat "$work/bashwait.out")" = x ]; echo $?) \
		"bash: a background job and wait: the same" "$(detail bashwait)"
	# Without $SHELL (as CI starts it), bash asks getpwuid, and glibc
	# first tries nscd's socket with a whole sockaddr_un whose tail is
	# the stack's leftovers: each replica's differs.
	run bashenv --local 2 env -u SHELL -u HOME bash -c 'echo x'
	tap $(same bashenv && [ "$(cat "$work/bashenv.out")" = x ]; echo $?) \
		"bash without \$SHELL and \$HOME (glibc connects to nscd's socket): the same" "$(detail bashenv)"
else
	tap 0 "bash: a background job and wait # SKIP no bash"
	tap 0 "bash without \$SHELL # SKIP no bash"
fi

# Children ending while the shell runs its own code, in a handler, or
# between blocking and unblocking SIGCHLD: each replica's SIGCHLD comes at
# another point, the leader's is taken at a syscall's return or deferred
# to its next syscall, and the followers' where the leader's was.  Before
# that, 1 run in 10 of bash diverged (a handler's frame at another depth)
# or hung (a signal sent where the follower had it blocked), and 9 in 10
# of sh.  20 runs each.
# many_jobs NAME SHELL SCRIPT: the runs, the first failure's detail kept.
many_jobs() {
	local name=$1 i bad=0
	shift
	for i in $(seq 20); do
		run "$name" --local 2 "$@"
		if ! same "$name" || [ "$(cat "$work/$name.out")" != x ]; then
			bad=$((bad + 1))
			[ "$bad" -eq 1 ] && cp "$work/$name.err" "$work/$name.first"
		fi
	done
	[ "$bad" -eq 0 ] || cp "$work/$name.first" "$work/$name.err"
	return "$bad"
}
if command -v bash >/dev/null; then
	many_jobs jobs3 bash -c 'true & true & sleep 0 & wait; echo x'
	tap $? "bash: three jobs ending at once, wait (20 runs): the same" "$(detail jobs3)"
	many_jobs jobs20 bash -c 'for i in $(seq 20); do true & done; wait; echo x'
	tap $? "bash: 20 jobs, wait (20 runs): the same" "$(detail jobs20)"
else
	tap 0 "bash: three jobs ending at once # SKIP no bash"
	tap 0 "bash: 20 jobs # SKIP no bash"
fi
# dash's handler has no SA_RESTART (a wait4 it cuts short returns
# EINTR), its wait is a sigsuspend, and a fork the signal hits is made
# again after the handler.
many_jobs shjobs sh -c 'for i in $(seq 20); do true & done; wait; echo x'
tap $? "sh: 20 jobs, wait (20 runs): the same" "$(detail shjobs)"

run sigpipe --local 2 sh -c 'yes | head -c 100000 | wc -c'
tap $(same sigpipe && [ "$(cat "$work/sigpipe.out")" = 100000 ]; echo $?) \
	"yes | head (the writer killed by SIGPIPE at a different write in each replica): the same" "$(detail sigpipe)"

run fork --local 2 "$PROBE" fork 100
tap $(same fork && grep -q '^100 children, 0 bad' "$work/fork.out"; echo $?) \
	"a program forking 100 children: followed, the same" "$(detail fork)"

# ----- the class of each fd is kept per process until the fd is closed
# or replaced (guest/mvx/fdcache.h): fd 3 read as one thing, then made
# /dev/urandom, whose bytes are an input (the same everywhere) where a
# file's or a pipe's are compared (and would differ).  Each case
# diverges if the class kept were the old one.
for how in reopen closerange dup2 exec fork clonefiles; do
	run "fds-$how" --local 2 "$PROBE" fds "$how"
	tap $(same "fds-$how" && grep -Eqx '[0-9a-f]{32}' "$work/fds-$how.out"; echo $?) \
		"fd 3 made /dev/urandom after being read ($how): its class follows, the same" "$(detail "fds-$how")"
done

run unix-tail --local 2 "$PROBE" unix tail
tap $(same unix-tail; echo $?) \
	"connect to a pathname socket, the bytes after the path's NUL each replica's: the same" "$(detail unix-tail)"
run unix-path --local 2 "$PROBE" unix path
tap $([ "$status" -eq 100 ] && grep -q 'DIVERGENCE in replica 1, .*: connect(0x3, ' "$work/unix-path.err" &&
	grep -q 'in, 110 bytes .* at byte offset 25:' "$work/unix-path.err"; echo $?) \
	"connect to a pathname socket, the path each replica's: DIVERGED naming connect, offset 25" "$(detail unix-path)"

run fds-environ --local 2 "$PROBE" fds environ
tap $([ "$status" -eq 100 ] && grep -q 'DIVERGENCE in replica 1, .*: read(0x3, ' "$work/fds-environ.err"; echo $?) \
	"fd 3 /dev/urandom, then /proc/self/environ: its read compared, DIVERGED" "$(detail fds-environ)"

run fds-stdout --local 2 "$PROBE" fds stdout
tap $(same fds-stdout && [ "$(cat "$work/fds-stdout.out")" = x ]; echo $?) \
	"stdout closed, a file opened at fd 1: written in every replica (no longer stdio), the same" "$(detail fds-stdout)"

# ----- sockets.  Each follower has a loopback of its own (its own
# network namespace, as a partition would): a server the program starts
# and its client meet in every replica, and what crosses between them
# is compared.  A server outside the program is reached by the leader
# alone, and what it sends is the leader's input.
port=$((20000 + $$ % 20000))
if busybox httpd --help >/dev/null 2>&1 && busybox wget --help >/dev/null 2>&1; then
	# wget to a file, then sha256sum: the shell's forks and the
	# server's fork per connection never race (pids: docs/mvx.md).  The
	# page's time set: each replica writes its own, and httpd sends it
	# (Last-Modified).
	run httpd --local 2 sh -c "mkdir /tmp/www && head -c 100000 /dev/urandom >/tmp/www/page && touch -d @1700000000 /tmp/www/page &&
		busybox httpd -p 127.0.0.1:$port -h /tmp/www &&
		busybox wget -q -O /tmp/got http://127.0.0.1:$port/page &&
		sha256sum </tmp/got && sha256sum </tmp/www/page"
	tap $(same httpd && [ "$(sort -u "$work/httpd.out" | wc -l)" -eq 1 ] &&
		[ "$(wc -l <"$work/httpd.out")" -eq 2 ]; echo $?) \
		"busybox httpd started replicated, a replicated wget of a page from it (each replica's own loopback), its sha256: the same" "$(detail httpd)"

	mkdir "$work/www"
	head -c 50000 /dev/urandom >"$work/www/page"
	busybox httpd -f -vv -p "127.0.0.1:$((port + 1))" -h "$work/www" 2>>"$work/outside.log" &
	server=$!
	wait_for 5 sh -c "busybox wget -q -O /dev/null http://127.0.0.1:$((port + 1))/page 2>/dev/null"
	: >"$work/outside.log"
	run outside --local 3 sh -c "busybox wget -q -O - http://127.0.0.1:$((port + 1))/page | sha256sum"
	tap $(same outside && [ "$(cat "$work/outside.out")" = "$(sha256sum <"$work/www/page")" ] &&
		[ "$(grep -c 'url:/page' "$work/outside.log")" -eq 1 ]; echo $?) \
		"wget from a server outside the program: one connection (the leader's), the page an input, the same in 3 replicas" \
		"$(detail outside; cat "$work/outside.log")"

	# nc polls its stdin (the program's own pipe) and the socket: the
	# leader's poll answers every replica's.
	: >"$work/outside.log"
	run nc --local 2 sh -c "printf 'GET /page HTTP/1.0\r\n\r\n' | busybox nc 127.0.0.1 $((port + 1)) | tail -c 50000 | sha256sum"
	kill "$server"
	wait "$server" 2>/dev/null
	tap $(same nc && [ "$(cat "$work/nc.out")" = "$(sha256sum <"$work/www/page")" ] &&
		[ "$(grep -c 'url:/page' "$work/outside.log")" -eq 1 ]; echo $?) \
		"nc to a server outside the program (poll of a pipe and the socket): one connection, the same" \
		"$(detail nc; cat "$work/outside.log")"

	# A server of the program, clients outside it: only the leader's
	# httpd is reachable; each follower's accept gets a stand-in
	# connection, the requests are inputs, the answers the leader's.
	# --strict: every follower checks each syscall before the leader
	# goes on, so all three served both requests.
	www=$(mktemp -d /var/tmp/mvx-www.XXXXXX)
	head -c 70000 /dev/urandom >"$www/page"
	"$MVX" --local 3 --strict busybox httpd -f -p "127.0.0.1:$((port + 3))" -h "$www" \
		>"$work/server.out" 2>"$work/server.err" </dev/null &
	mvx_pid=$!
	wait_for 5 sh -c "busybox wget -q -O - http://127.0.0.1:$((port + 3))/page 2>/dev/null >'$work/got1'"
	busybox wget -q -O "$work/got2" "http://127.0.0.1:$((port + 3))/page"
	kill $(marked 0) 2>/dev/null
	wait "$mvx_pid"
	status=$?
	tap $([ "$status" -eq 143 ] && cmp -s "$www/page" "$work/got1" && cmp -s "$www/page" "$work/got2" &&
		! grep -q DIVERGENCE "$work/server.err" &&
		grep -q 'verdict: KILLED .*signal 15.*2 follower(s) the same' "$work/server.err"; echo $?) \
		"busybox httpd replicated in 3 (--strict), wget from outside twice: the pages right, the followers the same, KILLED by SIGTERM" "$(detail server)"

	# Server and client both in the program, 1,000 requests, --strict:
	# a follower's client needs the leader's record of its connect while
	# the leader's server waits for that follower's ACK of its accept,
	# so a process waiting for its ACKs must not hold the others (it
	# did: 2 runs in 5 stopped, LOST).
	run strict1000 --local 2 --strict sh -c 'P=$1; mkdir -p /tmp/www &&
		head -c 4096 /dev/urandom >/tmp/www/p && busybox httpd -p 127.0.0.1:$P -h /tmp/www &&
		set -- && i=0 && while [ $i -lt 1000 ]; do set -- "$@" http://127.0.0.1:$P/p; i=$((i+1)); done &&
		busybox wget -q -O /dev/null "$@" && echo served' sh "$((port + 4))"
	tap $(same strict1000 && [ "$(cat "$work/strict1000.out")" = served ]; echo $?) \
		"busybox httpd and wget in the program, 1000 requests, --strict: the same" "$(detail strict1000)"
	rm -rf "$www"
else
	tap 0 "busybox httpd # SKIP no busybox with httpd and wget"
	tap 0 "clients outside # SKIP no busybox with httpd and wget"
	tap 0 "wget from outside # SKIP no busybox with httpd and wget"
	tap 0 "nc to outside # SKIP no busybox with httpd and wget"
fi

run sockpair --local 2 "$PROBE" send 0
tap $([ "$status" -eq 100 ] && [ ! -s "$work/sockpair.out" ] &&
	grep -q 'DIVERGENCE in replica 1, .*: sendto(' "$work/sockpair.err" &&
	grep -q 'in, 9 bytes in the leader, 9 here) at byte offset 8: leader 0x30, replica 1 0x31' "$work/sockpair.err"; echo $?) \
	"different bytes sent over a socketpair between the program's processes, never printed: DIVERGED naming sendto, offset 8" "$(detail sockpair)"

run tcpsend --local 2 "$PROBE" send "$((port + 2))"
tap $([ "$status" -eq 100 ] &&
	grep -q 'DIVERGENCE in replica 1, .*: sendto(' "$work/tcpsend.err" &&
	grep -q 'at byte offset 8: leader 0x30, replica 1 0x31' "$work/tcpsend.err"; echo $?) \
	"different bytes sent over TCP on the loopback: DIVERGED naming sendto, offset 8" "$(detail tcpsend)"

# ----- ioctl: what a request copies out is compared; of stdio (a
# terminal) it is the leader's, as its stat is
if command -v script >/dev/null; then
	script -qec "$MVX --local 2 sh -c 'stty rows 33 cols 99; stty size; stty -a >/dev/null'" /dev/null \
		>"$work/tty.out" 2>&1 </dev/null
	status=$?
	tap $([ "$status" -eq 0 ] && grep -q '^33 99' "$work/tty.out" &&
		grep -q 'verdict: SAME' "$work/tty.out"; echo $?) \
		"stty on the terminal (stdio's ioctls the leader's): the same, printed once" "$(cat "$work/tty.out")"
else
	tap 0 "stty on the terminal # SKIP no script(1)"
fi

run winsize --local 2 "$PROBE" winsize
tap $([ "$status" -eq 100 ] && [ ! -s "$work/winsize.out" ] &&
	grep -q 'DIVERGENCE in replica 1, .*: ioctl(0x3, 0x5413, ' "$work/winsize.err" &&
	grep -q 'buffer of arg 2 (out, 8 bytes .*) at byte offset 0: leader 0x0a00[0-9a-f]*, replica 1 0x0b00' "$work/winsize.err"; echo $?) \
	"a pseudo-terminal's size that differs (TIOCGWINSZ), never printed: DIVERGED naming ioctl and the bytes" "$(detail winsize)"

# ----- kernel output that differs per replica: divergence

run environ --local 2 "$PROBE" slurp /proc/self/environ
tap $([ "$status" -eq 100 ] && [ ! -s "$work/environ.out" ] &&
	grep -q 'DIVERGENCE in replica 1, .*: read(0x3, ' "$work/environ.err" &&
	grep -Eq 'out, [0-9]+ bytes .* at byte offset [0-9]+: leader 0x30[0-9a-f]*, replica 1 0x31' "$work/environ.err" &&
	grep -q '^mvx: verdict: DIVERGED' "$work/environ.err"; echo $?) \
	"a read whose bytes differ, never printed: DIVERGED naming read, offset, both bytes (exit 100)" "$(detail environ)"

run echo --local 2 sh -c 'echo replica $MVX_REPLICA'
tap $([ "$status" -eq 100 ] &&
	grep -Eq ': write\(0x1, .*|: writev\(0x1, ' "$work/echo.err" &&
	grep -q 'in, 10 bytes in the leader, 10 here) at byte offset 8: leader 0x300a, replica 1 0x310a' "$work/echo.err"; echo $?) \
	"output that differs: DIVERGED naming write and offset 8" "$(detail echo)"

# ----- --continue: every divergence reported, the follower kept going

run continue --local 2 --continue sh -c 'echo replica $MVX_REPLICA; echo same; echo again $MVX_REPLICA'
tap $([ "$status" -eq 100 ] && [ "$(cat "$work/continue.out")" = "$(printf 'replica 0\nsame\nagain 0')" ] &&
	[ "$(grep -c '^mvx: DIVERGENCE in replica 1, .*: write' "$work/continue.err")" -eq 2 ] &&
	grep -q 'verdict: DIVERGED (1 of 1 followers; replica 1 at write; 2 divergence(s))' "$work/continue.err"; echo $?) \
	"--continue: both differing writes reported, the one between the same; DIVERGED with a count of 2" "$(detail continue)"

run cap --local 2 --continue sh -c 'for i in $(seq 150); do echo $MVX_REPLICA; done'
tap $([ "$status" -eq 100 ] && [ "$(wc -l <"$work/cap.out")" -eq 150 ] &&
	grep -q 'replica 1 stops after 100 divergence(s) (the cap)' "$work/cap.err" &&
	grep -q 'verdict: DIVERGED .*; 100 divergence(s))' "$work/cap.err"; echo $?) \
	"--continue: a follower stops at the cap of 100 divergences, the leader finishes" "$(detail cap)"

# ----- strict lockstep: every syscall acknowledged before the leader goes on

run strict --local 3 --strict sh -c 'head -c 65536 /dev/urandom | gzip -c | gunzip -c | sha256sum'
tap $(same strict && grep -q 'SAME in 3 replicas' "$work/strict.err"; echo $?) \
	"--strict: urandom | gzip | gunzip | sha256sum the same in 3 replicas" "$(detail strict)"

run strictdiv --local 2 --strict "$PROBE" slurp /proc/self/environ
tap $([ "$status" -eq 100 ] && grep -q 'DIVERGENCE in replica 1, .*: read(' "$work/strictdiv.err" &&
	grep -q '^mvx: verdict: DIVERGED' "$work/strictdiv.err"; echo $?) \
	"--strict: the divergent read caught, the leader told at once" "$(detail strictdiv)"

run badopt --local 2 --fast date
tap $([ "$status" -eq 2 ] && grep -q "unknown option '--fast'" "$work/badopt.err"; echo $?) \
	"an unknown option: refused (exit 2)" "$(detail badopt)"

# ----- bad endings: named verdicts, nothing left behind

run crash --local 2 "$PROBE" crash
tap $([ "$status" -eq 139 ] &&
	grep -q 'verdict: KILLED (the leader.s program was killed by signal 11.*1 follower(s) the same' "$work/crash.err"; echo $?) \
	"a crashing program: KILLED by signal 11 in every replica (exit 139)" "$(detail crash)"

run thread --local 2 "$PROBE" thread
tap $([ "$status" -eq 101 ] && grep -q 'threads are refused' "$work/thread.err"; echo $?) \
	"a program starting a thread: refused with a message (exit 101)" "$(detail thread)"

"$MVX" --local 2 sleep 30 >"$work/kill.out" 2>"$work/kill.err" </dev/null &
mvx_pid=$!
wait_for 5 test -n "$(marked 0)"
start=$SECONDS
kill -9 $(marked 0) 2>/dev/null
wait "$mvx_pid"
status=$?
took=$((SECONDS - start))
tap $([ "$status" -eq 137 ] && [ "$took" -le 5 ] &&
	grep -q 'replica 1 stops: the leader.s replica was killed (SIGKILL)' "$work/kill.err" &&
	grep -q 'verdict: KILLED .*signal 9.*1 stopped' "$work/kill.err" && no_leftover; echo $?) \
	"the leader's program SIGKILLed: KILLED, follower stopped in ${took}s, no process left" "$(detail kill)"

"$MVX" --local 2 sleep 30 >"$work/killmvx.out" 2>"$work/killmvx.err" </dev/null &
mvx_pid=$!
wait_for 5 test -n "$(marked 1)"
kill -9 "$mvx_pid"
wait "$mvx_pid" 2>/dev/null
wait_for 5 no_leftover
tap $(no_leftover && grep -q 'replica 1 stops: the leader.s replica is gone' "$work/killmvx.err"; echo $?) \
	"mvx itself SIGKILLed: the follower stops, no process left within 5 s" "$(detail killmvx; marked)"

# A follower whose monitor hangs (stopped): the leader's send gives up
# after 5 s; with no follower left the leader stops its program, the
# follower is LOST and killed.  The program runs long enough (1 GB: 5 s
# for 100 MB) that the leader still sends when the follower is stopped,
# however long finding it takes.
"$MVX" --local 2 sh -c 'sleep 2; head -c 1000000000 /dev/urandom | wc -c' \
	>"$work/hang.out" 2>"$work/hang.err" </dev/null &
mvx_pid=$!
wait_for 5 test -n "$(marked 1)"
tracer=
for pid in $(marked 1); do
	tracer=$(awk '/^TracerPid:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
	[ -n "$tracer" ] && [ "$tracer" != 0 ] && break
done
start=$SECONDS
[ -n "$tracer" ] && kill -STOP "$tracer"
wait "$mvx_pid"
status=$?
took=$((SECONDS - start))
tap $([ "$status" -eq 102 ] && [ "$took" -le 15 ] &&
	grep -q 'follower 1 took nothing for 5 s: hung' "$work/hang.err" &&
	grep -q 'no follower left' "$work/hang.err" &&
	grep -q 'verdict: LOST' "$work/hang.err" && wait_for 5 no_leftover; echo $?) \
	"a hung follower: the leader stops, LOST in ${took}s, no process left" "$(detail hang; marked)"

# ----- the window's rings as the transport

run ring --ring 3 sh -c 'head -c 65536 /dev/urandom | gzip -c | sha256sum'
tap $(same ring && grep -q 'SAME in 3 replicas' "$work/ring.err"; echo $?) \
	"over a window's rings: urandom | gzip | sha256sum the same in 3 replicas" "$(detail ring)"

run ringstrict --ring 2 --strict "$PROBE" clock 100
tap $(same ringstrict; echo $?) \
	"over a window's rings, --strict: 100 clock readings the same" "$(detail ringstrict)"

run ringdiv --ring 2 "$PROBE" slurp /proc/self/environ
tap $([ "$status" -eq 100 ] && grep -q 'DIVERGENCE in replica 1, .*: read(' "$work/ringdiv.err"; echo $?) \
	"over a window's rings: the divergent read caught" "$(detail ringdiv)"

tap $(no_leftover; echo $?) "no process of any run left" "$(marked)"
tap_done
