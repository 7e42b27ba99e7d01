# End-to-end: the status line of `duplex test` as a person sees it, on a
# pseudo-terminal (`script`): one line rewritten in place with how many
# scenarios are done, the percentage, the time so far and which scenario
# runs; each result printed above it on a line of its own; nothing of it
# on a pipe; and after Ctrl-C, a line at once saying what happens now, the
# note turned to "stopping", the closing counts on a line of their own.
# The scenarios boot nothing (Tcl's `after`), so no machine is started.
source "$(dirname "$0")/../lib.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export DUPLEX_RESULTS=$work/results

cat >"$work/three.exp" <<'EOF'
scenario "one" { after 1200 }
scenario "two" { after 1200 }
scenario "three" { after 1200 }
EOF
cat >"$work/long.exp" <<'EOF'
scenario "long" { after 600000 }
EOF

# on_pty FILE CMD: CMD on a pseudo-terminal of its own, what it printed
# in FILE (carriage returns and escapes as they were).
on_pty() {
	local out=$1
	shift
	script -qfec "$*" /dev/null >"$out" 2>&1 </dev/null
}

# draws FILE: each drawing of the status line, one a line: what follows
# each "\r\e[K" up to the next "\r" or newline, when it is the status.
draws() { tr '\r' '\n' <"$1" | sed -n 's/^\x1b\[K\(duplex test: [0-9]*\/.*\)/\1/p'; }

on_pty "$work/pty" "$DUPLEX" test "$work/three.exp"
status=$?
done_counts=$(draws "$work/pty" | sed -n 's|^duplex test: \([0-9]*\)/3 scenarios done .*|\1|p' | uniq | tr '\n' ' ')
tap $([ "$status" -eq 0 ] && [ "$done_counts" = "0 1 2 " ]; echo $?) \
	"a terminal: the count of scenarios done only grows, 0 1 2 of 3 (seen: $done_counts)" \
	"$(cat -A "$work/pty" | head -c 3000)"
tap $(draws "$work/pty" | grep -q '^duplex test: 1/3 scenarios done (33 %), [0-9.]* s, about [0-9]* s left; running two$' &&
	draws "$work/pty" | grep -q '^duplex test: 0/3 scenarios done (0 %), [0-9.]* s; running one$'; echo $?) \
	"a terminal: the percentage, the time so far, the estimate once one is done, and the running scenario" \
	"$(draws "$work/pty" | head -20)"
# In place: the line is never ended by a newline; each result line
# starts where an erase left the cursor, at the first column.
status_nl=$(tr -d '\r' <"$work/pty" | grep -c 'scenarios done (' || true)
results=$(grep -c $'\x1b\[K\[[123]/3\] [a-z]* \.*\. PASS' "$work/pty" || true)
tap $([ "$status_nl" -eq 3 ] && [ "$results" -eq 3 ]; echo $?) \
	"a terminal: one status line rewritten in place (3 newlines on its 3 stretches, each ended by a result line drawn over it: $results)" \
	"$(cat -A "$work/pty" | head -c 3000)"

"$DUPLEX" test "$work/three.exp" >"$work/pipe" 2>&1
tap $([ $? -eq 0 ] && ! grep -q $'\r' "$work/pipe" && ! grep -q 'scenarios done' "$work/pipe" &&
	[ "$(grep -c '^\[[123]/3\] .* PASS' "$work/pipe")" -eq 3 ]; echo $?) \
	"a pipe: no status line, the result lines alone" "$(cat -A "$work/pipe")"

# Ctrl-C on a terminal (SIGINT to duplex test, as the tty sends it).
script -qfec "'$DUPLEX' test '$work/long.exp'" "$work/int" >/dev/null 2>&1 </dev/null &
spid=$!
running() { [ -f "$work/int" ] && draws "$work/int" | grep -q "running long$"; }
wait_for 60 running
pid=$(pgrep -f "^$DUPLEX test $work/long.exp" | head -n 1)
kill -INT "$pid"
sleep 1
said=$(tr '\r' '\n' <"$work/int" | grep -c '^.\[Kduplex test: interrupted; stopping 1 running scenario (killed if still running in 15 s)$' || true)
wait_for 60 sh -c "! kill -0 $spid 2>/dev/null" || kill -KILL "$spid" "$pid" 2>/dev/null
wait "$spid"
tap $([ "$said" -eq 1 ] && draws "$work/int" | grep -q 'stopping long$'; echo $?) \
	"Ctrl-C: said at once, above the status line, whose note turns to stopping" \
	"$(tr '\r' '\n' <"$work/int" | uniq | tail -20)"
tap $(tr -d '\r' <"$work/int" | grep -q '^0 passed, 1 failed, 0 skipped$'; echo $?) \
	"Ctrl-C: the closing counts on a line of their own" "$(cat -A "$work/int" | tail -c 1500)"
tap_done
