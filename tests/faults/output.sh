# A guest that prints `yes` on its console for 60 s, against a quiet
# guest of the same length (which also prints a forged panic line from
# user space: output, not a failure).  The host's peak memory (VmHWM) and
# CPU time of the duplex processes are reported, as TAP diagnostics and
# in the figures file, not asserted: a TCG serial port prints some 30 KB/s,
# so a minute of `yes` stays far below the console matcher's bound (8 MiB
# a console), which tests/unit/test_console.c asserts with 100 MiB.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/lib.sh"

# measure FILE: run FILE then after.exp, sampling the scenario process
# (the runner's child, where the consoles are read) every second: its
# peak RSS in kB in $HWM, its CPU seconds in $CPU, the runner's peak RSS
# in $RUNNER_HWM.
# hwm PID: its VmHWM in kB; fails once it is gone (a zombie has none).
hwm() {
	local v

	v=$(awk '/^VmHWM/ { print $2 }' "/proc/$1/status" 2>/dev/null)
	[ -n "$v" ] && echo "$v"
}

measure() {
	local child="" c v ticks=0 hz

	hz=$(getconf CLK_TCK)
	fault_snapshot
	: >"$FAULT_MARKS"
	dx_start test "$FAULTS/$1" "$FAULTS/after.exp"
	HWM=0 RUNNER_HWM=0
	local deadline=$((SECONDS + 400))
	while kill -0 "$DX_PID" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
		v=$(hwm "$DX_PID") && RUNNER_HWM=$v
		c=$(pgrep -P "$DX_PID" | head -1)
		# Only the fault's scenario process, not after.exp's.
		if [ -n "$c" ] && { [ -z "$child" ] || [ "$c" = "$child" ]; }; then
			child=$c
			v=$(hwm "$c") && HWM=$v
			v=$(awk '{ print $14 + $15 }' "/proc/$c/stat" 2>/dev/null) &&
				[ -n "$v" ] && ticks=$v
		fi
		sleep 1
	done
	dx_wait 10
	STATUS=$?
	CPU=$(awk -v t="$ticks" -v hz="$hz" 'BEGIN { printf "%.1f", t / hz }')
}

measure quiet.exp
tap $([ "$(verdict_of 1)" = PASS ]; echo $?) \
	"a forged panic line from user space fails nothing; a quiet guest for 60 s passes (exit $STATUS)" "$(cat "$FAULT_WORK/out")"
tap $(after_passes; echo $?) "forged panic line: the next scenario passes"
check_leftovers "a forged panic line, a quiet minute"
quiet_hwm=$HWM quiet_cpu=$CPU quiet_runner=$RUNNER_HWM
quiet_time=$(span "$(mark_at inject)" "$(log_at 'debug: run r.* ended' "$(slug 1)")")
figure "a console printing a forged panic line from user space" "PASS: output, not a verdict" "-"

measure yes.exp
s=$(slug 1)
tap $([ "$(verdict_of 1)" = PASS ]; echo $?) \
	"a guest printing yes for 60 s: the scenario passes, the command after it is read (exit $STATUS)" "$(cat "$FAULT_WORK/out")"
tap $(after_passes; echo $?) "yes for 60 s: the next scenario passes"
check_leftovers "yes for 60 s"
# The transcript is one file, however often virtlogd rotated its log.
bytes=$(wc -c <"$DUPLEX_RESULTS/latest/$s/serial0.log" 2>/dev/null || echo 0)
echo "# yes for 60 s: $bytes bytes on serial0; scenario process peak RSS $HWM kB, CPU $CPU s; runner peak RSS $RUNNER_HWM kB"
echo "# quiet 60 s: scenario process peak RSS $quiet_hwm kB, CPU $quiet_cpu s; runner peak RSS $quiet_runner kB"
printf 'rss\tyes\t%s\t%s\t%s\t%s\nrss\tquiet\t%s\t%s\t%s\t%s\n' \
	"$HWM" "$CPU" "$RUNNER_HWM" "$bytes" "$quiet_hwm" "$quiet_cpu" "$quiet_runner" 0 >>"$FIGURES"
figure "a guest printing yes for 60 s" \
	"PASS: peak RSS $((HWM / 1024)) MiB, CPU $CPU s (quiet: $((quiet_hwm / 1024)) MiB, $quiet_cpu s)" \
	"$(span "$(mark_at inject)" "$(log_at 'debug: run r.* ended' "$s")") (quiet: $quiet_time)"
tap_done
