/* mvxbench_host: the lockstep figures for `make bench` (scripts/bench.sh).
 * Boots the lockstep machine (vm/lockstep.profile: partition 0, then
 * `repboot 1`) and times, RUNS times each, from the command typed on
 * serial0 to its next prompt, each workload three ways: plain on one
 * partition (the baseline), under `mvx 2` (loose) and `mvx 2 --strict`:
 *   clock  `mvx-probe clock CALLS`: CALLS monitored syscalls (an input
 *          each: the leader's result goes to the follower), for the cost
 *          per syscall;
 *   gzip   16 MiB from /dev/urandom into a file, then `gzip -c` of it to
 *          /dev/null;
 *   httpd  busybox httpd serving 1,000 requests of a 4 KiB page to one
 *          wget (both in the program, over the partition's loopback;
 *          the page's time fixed: httpd sends it as Last-Modified, and
 *          each replica's kernel stamped its own).
 * Each workload makes its files itself, in the replica's own /tmp: a
 * file made beforehand would be in no replica's /tmp, and differ per
 * partition.  Each httpd sample has a port of its own: a plain run's
 * httpd outlives its command (under mvx, the replica's end ends it).
 * One line per sample on stdout, "mvxbench: WORKLOAD MODE SECONDS", among
 * the TAP lines of the boot; a line "mvxbench: calls N".  Not a test:
 * `make check` never runs it.
 *
 * A run under mvx that does not end with status 0 (the verdict SAME) is
 * a line "mvxbench: WORKLOAD MODE failed".
 * Exit: 0 figures printed, 1 a plain command did not come back or did
 * not end with status 0, 2 could not run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "cmd/cmd.h"
#include "e2e.h"

#define WAIT_MS		900000
#define CLOCK_CALLS	5000

struct workload {
	const char *name;
	const char *cmd;
};

static const struct workload workloads[] = {
	{ "clock", "mvx-probe clock 5000 >/dev/null" },
	{ "gzip", "head -c 16777216 /dev/urandom >/tmp/r && "
		  "gzip -c /tmp/r >/dev/null" },
	{ "httpd", "mkdir -p /tmp/www && head -c 4096 /dev/urandom >/tmp/www/p && "
		   "touch -d \"2026-01-01 00:00:00\" /tmp/www/p && "
		   "httpd -p 127.0.0.1:PORT -h /tmp/www && set -- && "
		   "i=0 && while [ $i -lt 1000 ]; do "
		   "set -- \"$@\" http://127.0.0.1:PORT/p; i=$((i+1)); done && "
		   "wget -q -O /dev/null \"$@\"" },
};

static const char *const modes[] = { "plain", "loose", "strict" };
static const char *const prefixes[] = { "", "mvx 2 ", "mvx 2 --strict " };

/* Type LINE on serial0, which ends by echoing "mvxbench-rc=$?": the
 * seconds until that status is printed, or < 0 (it did not come, or
 * said something else than 0: mvx's verdict was not SAME). */
static double timed(struct machine *m, const char *line)
{
	struct drive_wait x = { .timeout_ms = WAIT_MS, .lost = -1 };
	const char *rc;
	int64_t t0;

	console_drain(&m->part[0].con);
	m->part[0].con.m.cursor = m->part[0].con.m.len;
	t0 = now_ms();
	if (console_send(&m->part[0].con, line) < 0 ||
	    !drive_expect(m, 0, "mvxbench-rc=[0-9]+", &x))
		return -1;
	rc = matcher_at(&m->part[0].con.m, x.start) + strlen("mvxbench-rc=");
	if (strncmp(rc, "0", x.end - x.start - strlen("mvxbench-rc=")))
		return -1;
	return (double)(now_ms() - t0) / 1000.0;
}

/* CMD with every "PORT" replaced by PORT, into OUT. */
static void with_port(const char *cmd, unsigned port, char *out, size_t size)
{
	const char *at;
	size_t n = 0;

	while ((at = strstr(cmd, "PORT")) && n < size) {
		n += (size_t)snprintf(out + n, size - n, "%.*s%u",
				      (int)(at - cmd), cmd, port);
		cmd = at + 4;
	}
	if (n < size)
		snprintf(out + n, size - n, "%s", cmd);
}

static int sample(struct machine *m, const struct workload *w, unsigned mode)
{
	static unsigned port = 8100;
	char cmd[512], line[640];
	double s;

	with_port(w->cmd, ++port, cmd, sizeof(cmd));
	snprintf(line, sizeof(line), "%ssh -c '%s'; echo mvxbench-''rc=$?\n",
		 prefixes[mode], cmd);
	s = timed(m, line);
	if (s < 0 && !mode) {
		fprintf(stderr, "mvxbench_host: '%s' (plain) did not end with "
			"status 0\n", w->cmd);
		return 1;
	}
	/* Under mvx, a run that did not say SAME (a shell's SIGCHLD timing,
	 * docs/mvx.md, Limits) is counted, not timed: the figures go on. */
	if (s < 0) {
		printf("mvxbench: %s %s failed\n", w->name, modes[mode]);
		fflush(stdout);
		return 0;
	}
	printf("mvxbench: %s %s %.3f\n", w->name, modes[mode], s);
	fflush(stdout);
	return 0;
}

static int runs_wanted;
static int status = 2;

static void run(struct machine *m)
{
	if (!e2e_boot_pair(m) || timed(m, "true; echo mvxbench-''rc=$?\n") < 0) {
		fprintf(stderr, "mvxbench_host: the machine did not come up\n");
		return;
	}
	printf("mvxbench: calls %d\n", CLOCK_CALLS);
	status = 0;
	for (size_t w = 0; w < sizeof(workloads) / sizeof(*workloads); w++)
		for (int i = 0; i < runs_wanted; i++)
			for (unsigned mode = 0; mode < 3 && !status; mode++)
				status = sample(m, &workloads[w], mode);
}

int main(int argc, char **argv)
{
	unsigned long runs = 5;

	if (argc > 2 || (argc == 2 && parse_uint(argv[1], 1, 100, &runs) < 0)) {
		fputs("usage: mvxbench_host [RUNS]\n\nTime syscall-heavy and gzip workloads plain on one partition and\n"
		      "under mvx 2 (loose, strict), RUNS times each (default 5).\n", stderr);
		return 2;
	}
	runs_wanted = (int)runs;
	e2e_main(argv[0], "lockstep", run);
	return status;
}
