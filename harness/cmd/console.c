/* duplex console: this terminal on a console of a running machine. */
#define _GNU_SOURCE
#include "cmd.h"
#include "base/base.h"
#include "console/console.h"
#include "machine/machine.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct console_options {
	const char *run;	/* NULL: the one running */
	unsigned k;
};

/* The console attached to, for the callbacks of attach.h. */
struct target {
	const struct duplex_paths *paths;
	const char *run_id;
	unsigned k;
};

static void console_usage(FILE *out)
{
	fputs("usage: duplex console [serialK] [--run ID]\n\n"
	      "Attach this terminal to serialK (default serial0) of a machine that\n"
	      "runs (duplex boot, ./launch.sh), without minicom: the console's last\n"
	      "lines, then what the guest prints; what you type goes to the guest,\n"
	      "Ctrl-C included.  " ATTACH_ESCAPE_NAME " detaches.  Any number of terminals may\n"
	      "attach to one console at once, beside the harness and a minicom on\n"
	      "its pty.  A partition not started yet is waited for.\n\n"
	      "  --run ID   the run to attach to, when several machines run (they are\n"
	      "             listed then); duplex boot prints it in the transcripts' paths\n\n"
	      "exit codes: 0 detached, or the machine ended; 2 no such machine or\n"
	      "console, no terminal\n",
	      out);
}

/* "serialK" with K a partition number. */
static int parse_console_name(const char *s, unsigned *k)
{
	unsigned long n;

	if (strncmp(s, "serial", 6) ||
	    parse_uint(s + 6, 0, 999999, &n) < 0) {
		log_error("console: '%s' is not a console: serialK, K a partition number (serial0 is the primary's)",
			  s);
		return -1;
	}
	*k = (unsigned)n;
	return 0;
}

static int parse_console_options(int argc, char **argv,
				 struct console_options *o)
{
	static const struct option longopts[] = {
		{ "run", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	o->run = NULL;
	o->k = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			o->run = optarg;
			break;
		case 'h':
			console_usage(stdout);
			return 1;
		default:
			console_usage(stderr);
			return -1;
		}
	}
	if (optind < argc && parse_console_name(argv[optind++], &o->k) < 0)
		return -1;
	if (optind < argc) {
		log_error("console: unexpected argument '%s'", argv[optind]);
		return -1;
	}
	return 0;
}

/* "r1-abcd (default), r2-0123 (three)" */
static char *list_runs(const struct machine_run *runs, int n)
{
	struct strbuf sb = STRBUF_INIT;
	int i;

	for (i = 0; i < n; i++)
		strbuf_printf(&sb, "%s%s (%s)", i ? ", " : "", runs[i].id,
			    runs[i].profile[0] ? runs[i].profile : "profile unknown");
	return strbuf_detach(&sb);
}

/* The run asked for, or the only one running, into *R. */
static int pick_run(const struct duplex_paths *paths, const char *want,
		    struct machine_run *r)
{
	struct machine_run *runs;
	int n = machine_runs_alive(paths, &runs), i, ret = -1;
	char *list;

	if (n < 0)
		return -1;
	for (i = 0; want && i < n; i++)
		if (!strcmp(runs[i].id, want))
			break;
	list = list_runs(runs, n);
	if (want && i == n)
		log_error("console: run '%s' is not alive (%s%s)", want,
			  n ? "running: " : "no machine of yours is running",
			  list);
	else if (!n)
		log_error("console: no machine is running (start one with ./launch.sh or duplex boot)");
	else if (!want && n > 1)
		log_error("console: %d machines are running: %s; choose one with --run ID",
			  n, list);
	else
		ret = 0;
	if (ret == 0)
		*r = runs[want ? i : 0];
	free(list);
	free(runs);
	return ret;
}

/* Serial K of run R exists. */
static int check_console(const struct machine_run *r, unsigned k)
{
	if (!r->partitions) {
		log_error("console: run %s does not say which consoles it has (a run of an older duplex, or one just beginning): use minicom on the pty duplex boot printed",
			  r->id);
		return -1;
	}
	if (k >= r->partitions) {
		log_error("console: serial%u: no such console: run %s has %u partition%s (serial0 to serial%u)",
			  k, r->id, r->partitions, r->partitions == 1 ? "" : "s",
			  r->partitions - 1);
		return -1;
	}
	return 0;
}

static char *target_pty(void *ctx)
{
	const struct target *t = ctx;

	return machine_run_pty(t->paths, t->run_id, t->k);
}

static bool target_alive(void *ctx)
{
	const struct target *t = ctx;

	return runlock_alive(t->run_id, t->paths->run);
}

/* How the attach ended, said on a line of its own once the terminal is
 * itself again. */
static int say_end(enum attach_end end, const char *name, const char *run)
{
	switch (end) {
	case ATTACH_DETACHED:
		log_info("\nduplex console: detached from %s of run %s", name, run);
		break;
	case ATTACH_ENDED:
		log_info("\nduplex console: %s of run %s ended (its domain or the machine is gone)",
			 name, run);
		break;
	case ATTACH_SIGNAL:
		log_info("\nduplex console: signal %d: detached from %s of run %s",
			 sigwatch_pending(), name, run);
		break;
	case ATTACH_HANGUP:
		break;
	case ATTACH_ERROR:
		return EXIT_ERROR;
	}
	return EXIT_OK;
}

static int attach(const struct duplex_paths *paths, const struct machine_run *r,
		  unsigned k)
{
	struct target tg = { paths, r->id, k };
	char name[24], *log_path = machine_run_console_log(paths, r->id, k);
	struct attach_target t = {
		.name = name, .log_path = log_path, .pty = target_pty,
		.alive = target_alive, .ctx = &tg,
	};
	char *pty = target_pty(&tg);
	enum attach_end end;

	snprintf(name, sizeof(name), "serial%u", k);
	log_info("duplex console: %s of run %s; " ATTACH_ESCAPE_NAME " to detach",
		 name, r->id);
	if (!pty)
		log_info("(%s has not started yet: what it prints shows here when it does)",
			 name);
	free(pty);
	end = console_attach(&t, STDIN_FILENO, STDOUT_FILENO);
	free(log_path);
	return say_end(end, name, r->id);
}

int cmd_console(int argc, char **argv, const struct duplex_paths *paths)
{
	struct console_options o;
	struct machine_run r;
	int ret;

	ret = parse_console_options(argc, argv, &o);
	if (ret)
		return ret > 0 ? EXIT_OK : EXIT_ERROR;
	if (pick_run(paths, o.run, &r) < 0 || check_console(&r, o.k) < 0)
		return EXIT_ERROR;
	if (!isatty(STDIN_FILENO)) {
		log_error("duplex console needs a terminal: its input is not one (run it in a terminal, or use minicom on the pty)");
		return EXIT_ERROR;
	}
	if (sigwatch_install() < 0)
		return EXIT_ERROR;
	return attach(paths, &r, o.k);
}
