/* repbench_host: the replicated-execution figures for `make bench`
 * (scripts/bench.sh).  Boots the default machine (partition 0, then
 * `repboot 1` typed on serial0), enters `repns`, and times, RUNS times
 * each, from the command typed to the next prompt:
 *   a command printing 10,000 lines, and 100 short commands typed at
 *   once (`true`), in the plain shell of repns (the baseline), then the same
 *   after `rep-on 2` (until the prompt is back on both consoles).
 * One line per sample on stdout: "repbench: lines|short plain|replicated
 * SECONDS", among the TAP lines of the boot; errors on stderr.  Not a
 * test: `make check` never runs it.
 *
 * Exit: 0 figures printed, 1 a command did not come back, 2 could not run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "e2e.h"
#include "base/util.h"

/* Not anchored: echoed type-ahead may precede a prompt on its line. */
#define PROMPT_RE	"rep(\\[[0-9]+\\])?:[^\n#]*# "
#define SHORT_COMMANDS	100
#define WAIT_MS		120000

/* Until the next prompt on each of the first N consoles. */
static bool wait_prompts(struct machine *m, unsigned n)
{
	struct drive_wait x = { .timeout_ms = WAIT_MS, .lost = -1 };
	unsigned k;

	for (k = 0; k < n; k++)
		if (!drive_expect(m, k, PROMPT_RE, &x))
			return false;
	return true;
}

static bool timed(struct machine *m, unsigned n, const char *cmd, double *s)
{
	int64_t t0 = now_ms();

	if (console_send(&m->part[0].con, cmd) < 0 || !wait_prompts(m, n))
		return false;
	*s = (double)(now_ms() - t0) / 1000.0;
	return true;
}

/* Typed at once, as a script would: one send, then every prompt. */
static bool short_commands(struct machine *m, unsigned n, double *s)
{
	char cmds[SHORT_COMMANDS * 5 + 1];
	int64_t t0 = now_ms();
	int i;

	for (i = 0; i < SHORT_COMMANDS; i++)
		memcpy(cmds + 5 * i, "true\n", 5);
	cmds[sizeof(cmds) - 1] = '\0';
	if (console_send(&m->part[0].con, cmds) < 0)
		return false;
	for (i = 0; i < SHORT_COMMANDS; i++)
		if (!wait_prompts(m, n))
			return false;
	*s = (double)(now_ms() - t0) / 1000.0;
	return true;
}

static int samples(struct machine *m, unsigned n, const char *mode, int runs)
{
	double s;
	int i;

	for (i = 0; i < runs; i++) {
		if (!timed(m, n, "seq 10000\n", &s))
			return 1;
		printf("repbench: lines %s %.3f\n", mode, s);
		if (!short_commands(m, n, &s))
			return 1;
		printf("repbench: short %s %.3f\n", mode, s);
		fflush(stdout);
	}
	return 0;
}

static int runs_wanted;
static int status = 2;

static void run(struct machine *m)
{
	if (!e2e_boot_pair(m) || !e2e_run_on(m, 0, "repns\n", "^rep:/# ")) {
		fprintf(stderr, "repbench_host: the machine did not come up\n");
		return;
	}
	status = samples(m, 1, "plain", runs_wanted);
	if (status)
		return;
	if (console_send(&m->part[0].con, "rep-on 2\n") < 0 || !wait_prompts(m, 2)) {
		fprintf(stderr, "repbench_host: 'rep-on 2' did not give a replicated shell\n");
		status = 1;
		return;
	}
	status = samples(m, 2, "replicated", runs_wanted);
}

int main(int argc, char **argv)
{
	unsigned long runs = 5;

	if (argc > 2 || (argc == 2 && parse_uint(argv[1], 1, 100, &runs) < 0)) {
		fputs("usage: repbench_host [RUNS]\n\nTime a 10,000-line command and 100 short commands, plain and\n"
		      "replicated on two partitions, RUNS times each (default 5).\n", stderr);
		return 2;
	}
	runs_wanted = (int)runs;
	/* Its TAP lines (the boot) share stdout: bench.sh keeps "repbench:". */
	e2e_main(argv[0], "default", run);
	return status;
}
