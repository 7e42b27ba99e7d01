/* duplex boot: boot the machine's primary and hand its console to a person. */
#define _GNU_SOURCE
#include "cli.h"
#include "drive.h"
#include "log.h"
#include "machine.h"
#include "sigwatch.h"
#include "util.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct boot_options {
	const char *profile;
	bool until_ready;
	bool manual;
};

static void boot_usage(FILE *out)
{
	fputs("usage: duplex boot [--profile NAME] [--manual] [--until-ready]\n\n"
	      "Boot the machine of vm/NAME.profile (default 'default'): the primary,\n"
	      "then every secondary by typing 'repboot K' on serial0, as a person\n"
	      "would.  Prints each console's pty for minicom and waits.  Ctrl-C\n"
	      "(or SIGTERM) tears the machine down.\n\n"
	      "  --profile NAME   machine profile vm/NAME.profile (or a path)\n"
	      "  --manual         boot only the primary; type 'repboot K' yourself\n"
	      "  --until-ready    stop once every shell is ready (prints boot times)\n",
	      out);
}

static int parse_boot_options(int argc, char **argv, struct boot_options *o)
{
	static const struct option longopts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "until-ready", no_argument, NULL, 'r' },
		{ "manual", no_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	o->profile = "default";
	o->until_ready = false;
	o->manual = false;
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
	return 0;
}

static void announce(const struct machine *m, unsigned k)
{
	const struct partition *p = &m->part[k];

	log_info("serial%u (%s): minicom -D %s", k, k ? "secondary" : "primary",
		 p->pty);
	log_info("  transcript: %s", p->log_path);
}

static int boot_machine(struct machine *m, const struct boot_options *o)
{
	enum machine_event ev;
	unsigned k;
	int ret;

	ret = drive_boot_primary(m, announce);
	for (k = 1; ret == EXIT_OK && !o->manual && k < m->profile->partitions; k++)
		ret = drive_boot_secondary(m, k, announce);
	if (ret != EXIT_OK)
		return ret < 0 ? EXIT_OK : ret;
	if (o->until_ready)
		return EXIT_OK;
	log_info("duplex: machine running%s; Ctrl-C ends the run",
		 o->manual ? " (type 'repboot K' on serial0 to boot partition K)" : "");
	while ((ev = machine_watch(m, -1, &k)) == MACHINE_STARTED)
		announce(m, k);
	drive_report_event(m, ev, k);
	return ev == MACHINE_SIGNAL ? EXIT_OK : EXIT_FAILED;
}

int cmd_boot(int argc, char **argv, const struct duplex_paths *paths)
{
	struct machine_profile profile;
	struct boot_options o;
	struct machine m;
	int ret;

	ret = parse_boot_options(argc, argv, &o);
	if (ret)
		return ret > 0 ? EXIT_OK : EXIT_ERROR;
	if (cli_load_profile(paths, o.profile, &profile) < 0)
		return EXIT_ERROR;
	if (sigwatch_install() < 0)
		return EXIT_ERROR;
	if (machine_create(&m, paths, &profile) < 0)
		return EXIT_ERROR;
	m.attended = true;
	ret = boot_machine(&m, &o);
	machine_destroy(&m);
	return ret;
}
