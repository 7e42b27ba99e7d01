/* End-to-end: mvx between partitions on the lockstep machine (vm/lockstep.
 * profile), the endings a run can have.  Each run ends with its named
 * verdict on serial0, and no mvx process is left on partition 1:
 *  - a program forking 100 children: followed, SAME;
 *  - the leader's program killed by SIGKILL: KILLED, the follower stopped;
 *  - the leading mvx itself killed by SIGKILL: its repd closes the run and
 *    the follower stops;
 *  - a program that diverges on purpose (MVX_REPLICA differs): DIVERGED,
 *    the record in partition 1's slot, printed on serial0 by the leader;
 *  - `rep-on 2 --lockstep`: an interactive shell under mvx, commands that
 *    read the clock and a per-kernel counter, `exit`: SAME;
 *  - partition 1's domain destroyed mid-run: LOST.
 * Speaks TAP; how long each verdict took is a diagnostic, not asserted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "cmd/cmd.h"
#include "e2e.h"
#include "mvx_div.h"

#define VERDICT_MS 60000

/* Type CMD on serial0 and wait for RE there, partition LOST's end being
 * expected (-1: none); how long it took, in *S. */
static bool run_lost(struct machine *m, const char *cmd, const char *re,
		     int lost, double *s)
{
	struct drive_wait x = { .timeout_ms = VERDICT_MS, .lost = lost };
	int64_t t0 = now_ms();
	bool ok = console_send(&m->part[0].con, cmd) == 0 &&
		  drive_expect(m, 0, re, &x);

	*s = (double)(now_ms() - t0) / 1000.0;
	return ok;
}

static bool run_until(struct machine *m, const char *cmd, const char *re,
		      double *s)
{
	return run_lost(m, cmd, re, -1, s);
}

/* No mvx process left on partition K (asked on its console), or none
 * after 5 s: a follower stopping is seen a moment later. */
static bool none_left_on(struct machine *m, unsigned k)
{
	return e2e_run_on(m, k, "for i in $(seq 25); do pidof mvx >/dev/null "
			  "|| break; sleep 0.2; done; pidof mvx >/dev/null || "
			  "echo no-mvx-$((6*7))\n", "^no-mvx-42\r?$");
}

/* ... on either partition. */
static bool none_left(struct machine *m)
{
	return none_left_on(m, 0) && none_left_on(m, 1);
}

static void endings(struct machine *m)
{
	unsigned char rec[WINDOW_MVX_RECORD];
	uint32_t runs, divs, runs2, divs2;
	struct mvx_div d;
	double s;

	e2e_verdict(run_until(m, "mvx 2 mvx-probe fork 100; echo st-$?\n",
			      "verdict: SAME[^\n]*\r?\nst-0", &s) && none_left(m),
		    "a program forking 100 children: SAME, nothing left on p1");
	e2e_verdict(run_until(m, "mvx 2 sh -c 'kill -9 $$'; echo st-$?\n",
			      "verdict: KILLED[^\n]*\r?\nst-137", &s) &&
		    none_left(m),
		    "the leader's program killed by SIGKILL: KILLED, the follower stopped");
	printf("# KILLED after %.1f s\n", s);
	e2e_verdict(run_until(m, "mvx 2 sleep 60 & sleep 5; kill -9 $!; "
			      "wait $!; echo st-$?\n", "^st-137", &s) &&
		    none_left(m),
		    "the leading mvx killed by SIGKILL: the follower stops, nothing left on p1");
	e2e_verdict(run_until(m, "mvx 2 sh -c 'echo $MVX_REPLICA >/tmp/x'; "
			      "echo st-$?\n", "verdict: DIVERGED[^\n]*\r?\nst-100",
			      &s) &&
		    window_mvx_last(&m->win.w, 1, rec) == 0 &&
		    mvx_div_decode(rec, &d) == 0 && d.nr == 1 &&
		    d.what == MVX_DIV_BUF,
		    "a divergence: DIVERGED, the record of write in p1's slot");
	window_mvx_counters(&m->win.w, 1, &runs, &divs);
	e2e_verdict(run_until(m, "rep-on 2 --lockstep\n", "Enter 'help'", &s) &&
		    run_until(m, "echo in-$((6*7)); date +%Y; cat /proc/uptime\n",
			      "^in-42\r?\n20[0-9][0-9]\r?\n[0-9.]+ [0-9.]+\r?\n"
			      "p0:/# ", &s) &&
		    run_until(m, "exit\n", "verdict: SAME in 2 replicas", &s) &&
		    (window_mvx_counters(&m->win.w, 1, &runs2, &divs2),
		     runs2 == runs + 1 && divs2 == divs),
		    "rep-on 2 --lockstep: a shell in lockstep, SAME at its exit");
	e2e_verdict(console_send(&m->part[0].con, "mvx 2 sleep 120; echo st-$?\n") == 0 &&
		    e2e_run_on(m, 1, "for i in $(seq 50); do pidof mvx >/dev/null "
			       "&& break; sleep 0.2; done; pidof mvx >/dev/null "
			       "&& echo following\n",
			       "^following\r?$") &&
		    virDomainDestroy(m->part[1].dom) == 0 &&
		    run_lost(m, "", "verdict: LOST[^\n]*\r?\nst-102", 1, &s) &&
		    none_left_on(m, 0),
		    "partition 1 destroyed mid-run: LOST, nothing left on p0");
	printf("# LOST %.1f s after the domain was destroyed\n", s);
}

static void run(struct machine *m)
{
	if (!e2e_verdict(machine_start_partition(m, 0, NULL) == 0 &&
			 machine_wait_ready(m, 0, E2E_WAIT_MS) == CONSOLE_MATCHED,
			 "the lockstep machine's primary boots") ||
	    !e2e_boot_by_repboot(m, 1))
		return;
	endings(m);
}

int main(int argc, char **argv)
{
	(void)argc;
	return e2e_main(argv[0], "lockstep", run);
}
