/* duplex boot: boot the machine's primary and hand its console to a person. */
#define _GNU_SOURCE
#include "cmd.h"
#include "boot_tmux.h"
#include "machine/machine.h"
#include "base/base.h"
#include "build/build.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct boot_options {
	const char *profile;
	bool until_ready;
	bool manual;
	bool allow_overlap;
	bool strict_layout;
	bool tmux;		/* --tmux: start the layout, this in its first pane */
	bool detach;		/* --detach: and do not attach to it */
	bool tmux_pane;		/* --tmux-pane: this is that first pane */
};

static void boot_usage(FILE *out)
{
	fputs("usage: duplex boot [--profile NAME] [--manual] [--until-ready]\n"
	      "                   [--allow-overlap] [--strict-layout] [--tmux [--detach]]\n\n"
	      "Boot the machine of vm/NAME.profile (default 'default'): the primary,\n"
	      "then every secondary by typing 'repboot K' on serial0, as a person\n"
	      "would.  Checks that no region of one partition's kernel layout\n"
	      "overlaps a region of another's, by the layout line each kernel\n"
	      "printed and by its page tables, read through QEMU (partitions\n"
	      "booted later by hand are not checked).  Prints each console's pty\n"
	      "for minicom and waits.\n"
	      "Ctrl-C (or SIGTERM) tears the machine down.\n\n"
	      "  --profile NAME   machine profile vm/NAME.profile (or a path)\n"
	      "  --manual         boot only the primary; type 'repboot K' yourself\n"
	      "  --until-ready    stop once every shell is ready (prints boot times)\n"
	      "  --allow-overlap  only warn when layouts overlap or a kernel prints\n"
	      "                   none (e.g. two partitions of one replica)\n"
	      "  --strict-layout  fail also when partitions share an area the\n"
	      "                   architecture fixes (cpu_entry_area, fixmap, ...;\n"
	      "                   by default listed as a warning)\n"
	      "  --tmux           in one tmux window (a new session, or a new window\n"
	      "                   inside tmux), tiled: this duplex boot, one pane per\n"
	      "                   console ('duplex console serialK --run ID'), a shell;\n"
	      "                   Ctrl-C in the first pane or closing it ends the run\n"
	      "                   and the window (docs/interactive.md)\n"
	      "  --detach         with --tmux: a detached session, its name printed\n"
	      "  --tmux-pane      (used by --tmux: this is the layout's first pane)\n",
	      out);
}

static int parse_boot_options(int argc, char **argv, struct boot_options *o)
{
	static const struct option longopts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "until-ready", no_argument, NULL, 'r' },
		{ "manual", no_argument, NULL, 'm' },
		{ "allow-overlap", no_argument, NULL, 'o' },
		{ "strict-layout", no_argument, NULL, 's' },
		{ "tmux", no_argument, NULL, 't' },
		{ "detach", no_argument, NULL, 'd' },
		{ "tmux-pane", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	o->profile = "default";
	o->until_ready = false;
	o->manual = false;
	o->allow_overlap = false;
	o->strict_layout = false;
	o->tmux = o->detach = o->tmux_pane = false;
	optind = 1;
	while ((c = getopt_long(argc, argv, "p:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->profile = optarg;
			break;
		case 'r':
			o->until_ready = true;
			break;
		case 'm':
			o->manual = true;
			break;
		case 'o':
			o->allow_overlap = true;
			break;
		case 's':
			o->strict_layout = true;
			break;
		case 't':
			o->tmux = true;
			break;
		case 'd':
			o->detach = true;
			break;
		case 'P':
			o->tmux_pane = true;
			break;
		case 'h':
			boot_usage(stdout);
			return 1;
		default:
			boot_usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		log_error("boot: unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if (o->detach && !o->tmux) {
		log_error("boot: --detach goes with --tmux (a detached tmux session)");
		return -1;
	}
	return 0;
}

static void announce(const struct machine *m, unsigned k)
{
	const struct partition *p = &m->part[k];

	log_info("serial%u (%s): minicom -D %s", k, k ? "secondary" : "primary",
		 p->pty);
	/* The line's form is what scripts take the run id from. */
	log_info("  transcript: %s", p->log_path);
	if (k == 0)
		log_info("  (each transcript: every byte, copied by duplex from virtlogd's log as it rotates; at most %u KiB)",
			 m->profile->transcript_limit_kib);
}

/* Partitions 0..N-1's kernel layouts (layoutcheck.h): printed, and
 * checked not to overlap.  A problem fails the run unless ALLOW. */
static int check_layouts(const struct machine *m, unsigned n,
			 const struct boot_options *o)
{
	struct layout_check c;
	int ret = EXIT_OK;
	char *seen;

	if (layoutcheck_run(m, n, o->strict_layout, &c) == 0) {
		seen = layoutcheck_seen(&c);
		log_info("%s", seen);
		free(seen);
		if (c.shared)
			log_warn("%s\n(--strict-layout fails on these)", c.shared);
	} else if (o->allow_overlap) {
		log_warn("%s\n(--allow-overlap: going on)", c.problem);
	} else {
		log_error("%s\n(--allow-overlap boots such a machine anyway)",
			  c.problem);
		ret = EXIT_FAILED;
	}
	layoutcheck_release(&c);
	return ret;
}

/* Once the machine is up, a person may be the reason a partition stands
 * still (a debugger on QEMU's gdbstub, a stalled kernel under study): the
 * hang is reported, and the machine left to them. */
static void warn_hung(const struct machine *m, unsigned k)
{
	char *why = machine_hung_reason(m, k);

	log_warn("%s; the machine stays up for you to look (Ctrl-C ends the run)",
		 why);
	free(why);
}

static int boot_machine(struct machine *m, const struct boot_options *o)
{
	enum machine_event ev;
	unsigned k;
	int ret;

	ret = drive_boot_primary(m, announce);
	for (k = 1; ret == OUTCOME_PASSED && !o->manual && k < m->profile->partitions; k++)
		ret = drive_boot_secondary(m, k, announce);
	if (ret != OUTCOME_PASSED)
		return ret < 0 ? EXIT_OK : cli_exit_code(ret);
	ret = check_layouts(m, o->manual ? 1 : m->profile->partitions, o);
	if (ret != EXIT_OK || o->until_ready)
		return ret;
	log_info("duplex: machine running%s; Ctrl-C ends the run",
		 o->manual ? " (type 'repboot K' on serial0 to boot partition K)" : "");
	for (;;) {
		ev = machine_watch(m, -1, &k);
		if (ev == MACHINE_STARTED)
			announce(m, k);
		else if (ev == MACHINE_HUNG)
			warn_hung(m, k);
		else
			break;
	}
	ret = drive_report_event(m, ev, k);
	return ev == MACHINE_SIGNAL ? EXIT_OK : cli_exit_code((enum outcome)ret);
}

/* A person reads the transcripts after the run: say if one misses output
 * (its marker line says where). */
static void warn_incomplete(const struct machine *m)
{
	char *why = machine_transcripts_incomplete(m);

	if (why)
		log_warn("incomplete transcript: %s", why);
	free(why);
}

static int run_boot(const struct duplex_paths *paths,
		    const struct boot_options *o, const char *window)
{
	struct machine_profile profile;
	struct machine m;
	int ret;

	if (profile_load_named(paths, o->profile, &profile) < 0 ||
	    rdbuild_profile(paths, &profile) < 0)
		return EXIT_ERROR;
	if (sigwatch_install() < 0)
		return EXIT_ERROR;
	if (machine_create(&m, paths, &profile) < 0)
		return EXIT_ERROR;
	m.attended = true;
	if (window)
		boot_tmux_layout(paths, window, m.run_id, profile.partitions);
	ret = boot_machine(&m, o);
	warn_incomplete(&m);
	machine_destroy(&m);
	return ret;
}

/* --tmux: the profile is checked before tmux starts, so that a mistake
 * is said here rather than in a pane. */
static int launch(int argc, char **argv, const struct boot_options *o,
		  const struct duplex_paths *paths)
{
	struct machine_profile profile;

	if (profile_load_named(paths, o->profile, &profile) < 0)
		return EXIT_ERROR;
	return boot_tmux_launch(argc, argv, o->detach, paths);
}

int cmd_boot(int argc, char **argv, const struct duplex_paths *paths)
{
	struct boot_options o;
	char *window;
	int ret;

	ret = parse_boot_options(argc, argv, &o);
	if (ret)
		return ret > 0 ? EXIT_OK : EXIT_ERROR;
	if (o.tmux && !o.tmux_pane)
		return launch(argc, argv, &o, paths);
	window = o.tmux_pane ? boot_tmux_window() : NULL;
	ret = run_boot(paths, &o, window);
	boot_tmux_close(window, ret != EXIT_OK);
	return ret;
}
