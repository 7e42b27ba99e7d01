/* winbench_host: the window's figures for `make bench` (scripts/bench.sh).
 *
 * Boots the default profile's machine the way a person does (partition 0,
 * then `repboot 1` typed on serial0), starts `winbench serve 0` in the
 * background on serial1 and runs on serial0, one after the other: the
 * ping-pong and the stream through a pipe inside partition 0 (the
 * baseline, `winbench ping -l`, `winbench stream -l`), the same through
 * the window to partition 1, then `winbench stop 1`.  The figure lines
 * winbench printed go to stdout as it wrote them, one a line; progress
 * and everything else to stderr.  Not a test: `make check` never runs it.
 *
 * Exit: 0 figures printed, 1 a winbench command failed, 2 could not run
 * (usage, host, boot). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build/build.h"
#include "cmd/cmd.h"
#include "base/config.h"
#include "e2e.h"
#include "base/log.h"
#include "machine/machine.h"
#include "base/sigwatch.h"
#include "base/util.h"

/* One winbench command under TCG takes seconds; a stuck one is reported
 * by winbench itself after its own -t deadline (10 s). */
#define CMD_TIMEOUT_MS 300000
#define SERVE_TIMEOUT_MS 60000
#define EXIT_RE "^winbench-exit ([0-9]+) 42\r?$"

struct options {
	char ping[64];		/* extra arguments of winbench ping */
	char stream[64];	/* ... and of winbench stream */
};

static void usage(FILE *out)
{
	fputs("usage: winbench_host [-n COUNT] [-s SIZE] [-m MIB] [-S SIZE]\n\n"
	      "Boot the default machine (two partitions, TCG or KVM as the profile\n"
	      "says) and print winbench's latency and throughput lines: through a\n"
	      "pipe inside partition 0 (the baseline) and through the window\n"
	      "between partitions 0 and 1.\n\n"
	      "  -n COUNT  ping round trips (winbench ping -n)\n"
	      "  -s SIZE   ping message size in bytes (winbench ping -s)\n"
	      "  -m MIB    MiB to stream (winbench stream -m)\n"
	      "  -S SIZE   stream message size in bytes (winbench stream -s)\n",
	      out);
}

/* Append " FLAG VALUE" to ARGS once VALUE is checked against [MIN, MAX]. */
static int add_arg(char *args, size_t size, const char *opt, const char *flag,
		   const char *value, unsigned long min, unsigned long max)
{
	unsigned long v;
	size_t used = strlen(args);

	if (parse_uint(value, min, max, &v) < 0) {
		log_error("winbench_host: %s wants a number from %lu to %lu, not '%s'",
			  opt, min, max, value ? value : "");
		return -1;
	}
	snprintf(args + used, size - used, " %s %lu", flag, v);
	return 0;
}

/* 0: go on, 1: --help shown, -1: bad arguments (reported). */
static int parse_args(int argc, char **argv, struct options *o)
{
	const char *opt, *val;
	int i, ret = 0;

	memset(o, 0, sizeof(*o));
	for (i = 1; i < argc && !ret; i++) {
		opt = argv[i];
		val = i + 1 < argc ? argv[++i] : NULL;
		if (!strcmp(opt, "-h") || !strcmp(opt, "--help")) {
			usage(stdout);
			return 1;
		} else if (!strcmp(opt, "-n")) {
			ret = add_arg(o->ping, sizeof(o->ping), opt, "-n", val, 1, 1000000);
		} else if (!strcmp(opt, "-s")) {
			ret = add_arg(o->ping, sizeof(o->ping), opt, "-s", val, 16, 16384);
		} else if (!strcmp(opt, "-m")) {
			ret = add_arg(o->stream, sizeof(o->stream), opt, "-m", val, 1, 4096);
		} else if (!strcmp(opt, "-S")) {
			ret = add_arg(o->stream, sizeof(o->stream), opt, "-s", val, 16, 16384);
		} else {
			log_error("winbench_host: unknown argument '%s'", opt);
			usage(stderr);
			return -1;
		}
	}
	return ret;
}

/* Serve the machine (consoles, window, boot requests) until RE shows on
 * serial K; the match's offsets in its matcher's buffer. */
static int watch_for(struct machine *m, unsigned k, const char *re,
		     int timeout_ms, size_t *start, size_t *end)
{
	struct drive_wait x = { .timeout_ms = timeout_ms, .lost = -1 };
	char *tail;

	if (drive_expect(m, k, re, &x)) {
		*start = x.start;
		*end = x.end;
		return 0;
	}
	if (x.ev != MACHINE_TIMEOUT) {
		drive_report_event(m, x.ev, x.which);
		return -1;
	}
	tail = console_tail(&m->part[k].con, 20);
	log_error("serial%u: nothing like '%s' within %d s; last lines:\n%s",
		  k, re, timeout_ms / 1000, tail);
	free(tail);
	return -1;
}

/* The line of serial K's text that starts at START, without its end. */
static char *line_at(const struct machine *m, unsigned k, size_t start)
{
	const char *s = matcher_at(&m->part[k].con.m, start);
	char *line = xstrdup(s);

	line[strcspn(line, "\r\n")] = '\0';
	return line;
}

/* Wait for RE on serial K; ok if the text from there on starts with
 * WANT, else report its line. */
static int expect_line(struct machine *m, unsigned k, const char *re,
		       const char *want, int timeout_ms)
{
	size_t start, end;
	char *line;
	int ret = watch_for(m, k, re, timeout_ms, &start, &end);

	if (ret < 0)
		return -1;
	line = line_at(m, k, start);
	if (strncmp(line, want, strlen(want))) {
		log_error("serial%u: %s", k, line);
		ret = -1;
	}
	free(line);
	return ret;
}

static int boot(struct machine *m)
{
	int boot_ms = (int)m->profile->boot_timeout_s * 1000;

	fprintf(stderr, "winbench_host: booting partition 0, then 'repboot 1' (run %s)\n",
		m->run_id);
	if (machine_start_partition(m, 0, NULL) < 0 ||
	    machine_wait_ready(m, 0, boot_ms) != CONSOLE_MATCHED ||
	    console_send(&m->part[0].con, "repboot 1\n") < 0 ||
	    expect_line(m, 0, "^repboot: ", "repboot: partition 1 is up", boot_ms) < 0 ||
	    machine_wait_ready(m, 1, boot_ms) != CONSOLE_MATCHED)
		return -1;
	return 0;
}

/* Figure lines of TEXT (LEN bytes) to stdout, winbench's other lines to
 * stderr; how many figures. */
static int pass_lines(unsigned k, const char *text, size_t len)
{
	const char *p = text, *end = text + len, *nl;
	int figures = 0, n;

	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		n = (int)(nl - p);
		if (n && p[n - 1] == '\r')
			n--;
		if (strncmp(p, "winbench: ", 10))
			continue;
		if (!strncmp(p, "winbench: latency ", 18) ||
		    !strncmp(p, "winbench: throughput ", 21)) {
			printf("%.*s\n", n, p);
			figures++;
		} else {
			fprintf(stderr, "serial%u: %.*s\n", k, n, p);
		}
	}
	fflush(stdout);
	return figures;
}

/* Type CMD on serial K and wait for its exit status; pass its winbench
 * lines on.  0, or -1 (reported, with what it printed). */
static int run_cmd(struct machine *m, unsigned k, const char *cmd,
		   int want_figures)
{
	struct console *con = &m->part[k].con;
	char *line = xasprintf("%s; echo \"winbench-exit $? $((6*7))\"\n", cmd);
	size_t from, start, end;
	int status = -1, figures;

	fprintf(stderr, "winbench_host: serial%u: %s\n", k, cmd);
	console_drain(con);
	from = con->m.len;
	if (console_send(con, line) < 0 ||
	    watch_for(m, k, EXIT_RE, CMD_TIMEOUT_MS, &start, &end) < 0) {
		free(line);
		return -1;
	}
	free(line);
	from = matcher_clamp(&con->m, from);
	sscanf(matcher_at(&con->m, start), "winbench-exit %d", &status);
	figures = pass_lines(k, matcher_at(&con->m, from), start - from);
	if (status == 0 && figures >= want_figures)
		return 0;
	log_error("serial%u: '%s' exited with %d, %d figure line%s; it printed:\n%.*s",
		  k, cmd, status, figures, figures == 1 ? "" : "s",
		  (int)(start - from), matcher_at(&con->m, from));
	return -1;
}

static int measure(struct machine *m, const struct options *o)
{
	char *cmds[4] = {
		xasprintf("winbench ping -l%s", o->ping),
		xasprintf("winbench ping 1%s", o->ping),
		xasprintf("winbench stream -l%s", o->stream),
		xasprintf("winbench stream 1%s", o->stream),
	};
	int ret = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		if (!ret && run_cmd(m, 0, cmds[i], 1) < 0)
			ret = -1;
		free(cmds[i]);
	}
	return ret;
}

static int bench(struct machine *m, const struct options *o)
{
	int ret;

	if (boot(m) < 0)
		return EXIT_ERROR;
	/* A background job's lines may follow the shell's prompt: no ^. */
	fprintf(stderr, "winbench_host: serial1: winbench serve 0 &\n");
	if (console_send(&m->part[1].con, "winbench serve 0 &\n") < 0 ||
	    expect_line(m, 1, "winbench: ", "winbench: serving partition 0",
			SERVE_TIMEOUT_MS) < 0)
		return EXIT_FAILED;
	ret = measure(m, o);
	if (run_cmd(m, 0, "winbench stop 1", 0) < 0 ||
	    expect_line(m, 1, "winbench: ", "winbench: told to stop",
			SERVE_TIMEOUT_MS) < 0)
		ret = -1;
	return ret < 0 ? EXIT_FAILED : EXIT_OK;
}

/* Tear down and check that no domain of this run is left. */
static int teardown(struct machine *m, int ret)
{
	char names[2][sizeof(m->part[0].name)];
	unsigned k;

	for (k = 0; k < 2; k++)
		memcpy(names[k], m->part[k].name, sizeof(names[k]));
	machine_destroy(m);
	for (k = 0; k < 2; k++) {
		if (names[k][0] && e2e_domain_exists(names[k])) {
			log_error("winbench_host: domain %s is still there after teardown (virsh destroy %s)",
				  names[k], names[k]);
			ret = EXIT_ERROR;
		}
	}
	return ret;
}

int main(int argc, char **argv)
{
	struct machine_profile profile;
	struct duplex_paths paths;
	struct options o;
	struct machine m;
	int ret;

	ret = parse_args(argc, argv, &o);
	if (ret)
		return ret > 0 ? EXIT_OK : EXIT_ERROR;
	log_set_quiet(1);	/* stdout carries the figures only */
	if (paths_init(&paths, argv[0]) < 0 ||
	    profile_load_named(&paths, "default", &profile) < 0 ||
	    rdbuild_profile(&paths, &profile) < 0 || sigwatch_install() < 0)
		return EXIT_ERROR;
	if (profile.partitions < 2) {
		log_error("winbench_host: the default profile has %u partition(s); winbench needs 2",
			  profile.partitions);
		return EXIT_ERROR;
	}
	if (machine_create(&m, &paths, &profile) < 0)
		return EXIT_ERROR;
	ret = bench(&m, &o);
	return teardown(&m, ret);
}
