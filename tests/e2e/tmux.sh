# End-to-end: `./launch.sh --tmux` as a person uses it, driven through tmux
# (send-keys, capture-pane): the harness, serial0, serial1 and a shell in
# one window; the prompts in the consoles' panes, a command typed in
# serial0's pane answered there; `duplex console serial1` in the shell
# pane beside the serial1 pane and a minicom on serial1's pty (three
# terminals on one console, each seeing what the others type), detached
# with Ctrl-], the shell's terminal as it was; then closing the harness
# pane ends everything: the session, the domains, the bridge, the window
# file, the state directory.
source "$(dirname "$0")/../lib.sh"

work=$(mktemp -d)
session=
minicom=duplex-e2e-minicom-$$
host=
cleanup() {
	tmux kill-session -t "$minicom" 2>/dev/null
	[ -n "$host" ] && tmux kill-session -t "$host" 2>/dev/null
	[ -n "$session" ] && tmux kill-session -t "$session" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

before=$(duplex_domains)
timeout 900 "$ROOT/launch.sh" --tmux --detach >"$work/launch.out" 2>&1
status=$?
session=$(sed -n 's/^duplex boot: in tmux session \(duplex-[0-9]*\) (tmux attach -t .*)$/\1/p' "$work/launch.out")
tap $([ "$status" -eq 0 ] && [ -n "$session" ] && tmux has-session -t "$session"; echo $?) \
	"./launch.sh --tmux --detach starts a tmux session and names it (exit $status)" "$(tail -20 "$work/launch.out")"

# pane TITLE: the id of the session's pane titled TITLE (prefix).
pane() {
	tmux list-panes -t "$session" -F '#{pane_id} #{pane_title}' | awk -v t="$1" 'index(substr($0, index($0, " ") + 1), t) == 1 { print $1; exit }'
}
screen() { tmux capture-pane -p -J -t "$1"; }
# shows PANE REGEX: the pane's screen has a line matching REGEX.
shows() { screen "$1" | grep -qE -- "$2"; }

# The harness makes the panes beside its own once its run exists.
wait_for 60 sh -c "[ \$(tmux list-panes -t $session | wc -l) -ge 4 ]"
harness=$(pane "duplex boot")
s0=$(pane serial0)
s1=$(pane serial1)
shell=$(pane shell)
order=$(tmux list-panes -t "$session" -F '#{pane_title}' | cut -c1-11 | tr '\n' ,)
tap $([ "$order" = "duplex boot,serial0,serial1,shell," ]; echo $?) \
	"one window: the harness, serial0, serial1, a shell, in that order" "$order"
run_id=$(tmux list-panes -t "$session" -F '#{pane_start_command}' | sed -n 's/.* console serial0 --run \(r[0-9]*-[0-9a-f]*\).*/\1/p')
tap $([ -n "$run_id" ] && tmux list-panes -t "$session" -F '#{pane_start_command}' | grep -q "console serial1 --run $run_id"; echo $?) \
	"each console's pane runs 'duplex console serialK --run $run_id'" \
	"$(tmux list-panes -t "$session" -F '#{pane_title}: #{pane_start_command}')"

both_prompts() { shows "$s0" '^p0:.*# *$' && shows "$s1" '^p1:.*# *$'; }
wait_for 300 both_prompts
tap $(both_prompts; echo $?) \
	"the panes of serial0 and serial1 show their shells' prompts" \
	"$(screen "$s0"; echo ----; screen "$s1"; echo ----; screen "$harness")"

tmux send-keys -t "$s0" 'echo $((6*7))' Enter
wait_for 60 shows "$s0" '^42 *$'
tap $(shows "$s0" '^42 *$'; echo $?) "a command typed in serial0's pane prints there (echo \$((6*7)) -> 42)" "$(screen "$s0")"

# A minicom on serial1's pty, in a session of its own.
pty1=$(cat "/run/duplex/$run_id/serial1.pty")
tmux new-session -d -s "$minicom" -x 120 -y 30 "minicom -o -w -D $pty1"
wait_for 10 shows "$minicom" 'Welcome to minicom'

# A second terminal on serial1: duplex console in the shell pane.
tmux send-keys -t "$shell" "stty -a >$work/stty.before; $DUPLEX console serial1 --run $run_id; echo console-exit=\$?; stty -a >$work/stty.after" Enter
wait_for 30 shows "$shell" '^p1:.*# *$'
tap $(shows "$shell" "^duplex console: serial1 of run $run_id; Ctrl-\] to detach" && shows "$shell" '^p1:.*# *$'; echo $?) \
	"duplex console serial1 says its escape key and shows the secondary's prompt" "$(screen "$shell")"
tmux send-keys -t "$shell" 'echo typed-in-console-$((3*5))' Enter
wait_for 60 shows "$shell" '^typed-in-console-15'
tap $(shows "$shell" '^typed-in-console-15' && shows "$s1" '^typed-in-console-15'; echo $?) \
	"what is typed through it runs on the secondary, and both terminals on serial1 show it" \
	"$(screen "$shell"; echo ----; screen "$s1")"
tap $(shows "$minicom" '^typed-in-console-15'; echo $?) \
	"the minicom on serial1's pty shows it too (duplex console never reads the pty)" "$(screen "$minicom")"
tmux send-keys -t "$minicom" 'echo typed-in-minicom-$((2*4))' Enter
wait_for 60 shows "$shell" '^typed-in-minicom-8'
tap $(shows "$shell" '^typed-in-minicom-8' && shows "$s1" '^typed-in-minicom-8' &&
	shows "$minicom" '^typed-in-minicom-8'; echo $?) \
	"what is typed in the minicom runs there and shows in both duplex consoles" \
	"$(screen "$minicom"; echo ----; screen "$shell"; echo ----; screen "$s1")"
tmux kill-session -t "$minicom"

tmux send-keys -t "$shell" C-]
wait_for 10 shows "$shell" '^console-exit='
tap $(shows "$shell" "^duplex console: detached from serial1 of run $run_id" && shows "$shell" '^console-exit=0$'; echo $?) \
	"Ctrl-] detaches (exit 0)" "$(screen "$shell")"
wait_for 5 test -s "$work/stty.after"
tap $([ -s "$work/stty.before" ] && cmp -s "$work/stty.before" "$work/stty.after"; echo $?) \
	"the terminal's mode afterwards is what it was (stty -a)" "$(diff "$work/stty.before" "$work/stty.after" 2>&1)"

"$DUPLEX" console serial7 --run "$run_id" >"$work/serial7" 2>&1 </dev/null
status=$?
tap $([ "$status" -eq 2 ] && grep -q "serial7: no such console: run $run_id has 2 partitions" "$work/serial7"; echo $?) \
	"duplex console serial7 on that machine: exit 2, no such console" "exit $status: $(cat "$work/serial7")"

tmux kill-pane -t "$harness"
wait_for 60 sh -c "! tmux has-session -t $session 2>/dev/null"
tap $(! tmux has-session -t "$session" 2>/dev/null; echo $?) "closing the harness pane closes the session" \
	"$(tmux list-panes -t "$session" -F '#{pane_title}' 2>&1)"
session=
left=$(virsh -q -c qemu:///system list --all --name | grep -- "-$run_id-" || true)
tap $([ -n "$run_id" ] && [ -z "$left" ] && [ -z "$(leaked_domains "$before")" ]; echo $?) "no domain of the run is left" "$left"
tap $([ -n "$run_id" ] && ! has_bridge "dx${run_id#r}"; echo $?) "its bridge dx${run_id#r} is removed"
tap $([ -n "$run_id" ] && [ ! -e "/dev/shm/duplex-$run_id" ] && [ ! -e "/run/duplex/$run_id" ]; echo $?) \
	"its window file and state directory are removed"
tap $(grep -q 'Hangup: tearing the machine down' "$ROOT/results/$run_id/harness.log"; echo $?) \
	"the harness tore the machine down on the pane's hangup" "$(tail -5 "$ROOT/results/$run_id/harness.log")"

# Inside tmux (a shell in a session of the test's) with --manual: a new
# window there; serial1's pane waits for its partition, which `repboot
# 1` typed in serial0's pane starts; Ctrl-C in the harness pane ends it
# all, the window with it, and leaves the session it was opened in.
host=duplex-e2e-host-$$
env_args=()
for v in DUPLEX_ROOT DUPLEX_BUILD DUPLEX_RESULTS DUPLEX_RUN DUPLEX_HISTORY KSRC; do
	[ -n "${!v:-}" ] && env_args+=(-e "$v=${!v}")
done
tmux new-session -d -s "$host" -x 200 -y 50 -c "$ROOT" "${env_args[@]}"
tmux send-keys -t "$host" "$DUPLEX boot --tmux --manual" Enter
session=$host:duplex
wait_for 60 sh -c "[ \$(tmux list-panes -t $session 2>/dev/null | wc -l) -ge 4 ]"
harness=$(pane "duplex boot")
s0=$(pane serial0)
s1=$(pane serial1)
run_id=$(tmux list-panes -t "$session" -F '#{pane_start_command}' | sed -n 's/.* console serial0 --run \(r[0-9]*-[0-9a-f]*\).*/\1/p')
tap $([ "$(tmux list-windows -t "$host" | wc -l)" -eq 2 ] && [ -n "$run_id" ]; echo $?) \
	"inside tmux: a new window of the session it was typed in" "$(tmux list-windows -t "$host" 2>&1)"
wait_for 300 shows "$s0" '^p0:.*# *$'
tap $(shows "$s1" '^\(serial1 has not started yet: what it prints shows here when it does\)$' &&
	! shows "$s1" '^p1:'; echo $?) "--manual: serial1's pane waits for its partition" "$(screen "$s1")"
tmux send-keys -t "$s0" 'repboot 1' Enter
secondary_up() { shows "$s1" '^p1:.*# *$' && shows "$s0" '^repboot: partition 1 is up'; }
wait_for 120 secondary_up
tap $(secondary_up; echo $?) \
	"'repboot 1' in serial0's pane: serial1's pane shows the secondary's boot to its prompt" \
	"$(screen "$s0"; echo ----; screen "$s1")"
tmux send-keys -t "$harness" C-c
wait_for 60 sh -c "! tmux list-panes -t $session >/dev/null 2>&1"
tap $(! tmux list-panes -t "$session" >/dev/null 2>&1 && [ -n "$run_id" ] &&
	! virsh -q -c qemu:///system list --all --name | grep -q -- "-$run_id-" &&
	[ ! -e "/run/duplex/$run_id" ] && [ ! -e "/dev/shm/duplex-$run_id" ] &&
	grep -q 'Interrupt: tearing the machine down' "$ROOT/results/$run_id/harness.log"; echo $?) \
	"Ctrl-C in the harness pane tears the machine down and closes the window" \
	"$(tail -5 "$ROOT/results/$run_id/harness.log" 2>&1)"
tap $(tmux has-session -t "$host" && [ "$(tmux list-windows -t "$host" | wc -l)" -eq 1 ]; echo $?) \
	"the session it was opened in stays, with its own window" "$(tmux list-windows -t "$host" 2>&1)"
session=
tap_done
