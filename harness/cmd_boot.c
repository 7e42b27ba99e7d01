/* duplex boot: boot the machine's primary and hand its console to a person. */
#define _GNU_SOURCE
#include "cli.h"
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
};

static void boot_usage(FILE *out)
{
	fputs("usage: duplex boot [--profile NAME] [--until-ready]\n\n"
	      "Boot the primary partition (replica of vm/NAME.profile, default\n"
	      "'default') in a libvirt domain, print its serial console's pty for\n"
	      "minicom, and wait.  Ctrl-C (or SIGTERM) destroys the domain.\n\n"
	      "  --profile NAME   machine profile vm/NAME.profile (or a path)\n"
	      "  --until-ready    stop once the shell is ready (prints the boot time)\n",
	      out);
}

static int parse_boot_options(int argc, char **argv, struct boot_options *o)
{
	static const struct option longopts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "until-ready", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	o->profile = "default";
	o->until_ready = false;
	optind = 1;
	while ((c = getopt_long(argc, argv, "p:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->profile = optarg;
			break;
		case 'r':
			o->until_ready = true;
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

static void report_event(struct machine *m, enum machine_event ev, unsigned k)
{
	struct partition *p = &m->part[k];
	char *tail;

	switch (ev) {
	case MACHINE_SIGNAL:
		log_info("duplex: %s: tearing the machine down",
			 strsignal(sigwatch_pending()));
		break;
	case MACHINE_LOST:
		tail = console_tail(&p->con, 10);
		log_error("serial%u: domain %s ended (powered off, destroyed or crashed); last lines:\n%s",
			  k, p->name, tail);
		free(tail);
		break;
	case MACHINE_FAILURE:
		tail = console_tail(&p->con, 20);
		log_error("serial%u: kernel failure: %s\n%s", k,
			  p->con.m.failure, tail);
		free(tail);
		break;
	case MACHINE_TIMEOUT:
		break;
	}
}

static int boot_primary(struct machine *m, const struct boot_options *o)
{
	struct partition *p0 = &m->part[0];
	enum machine_event ev;
	unsigned k;

	if (machine_start_partition(m, 0) < 0)
		return EXIT_ERROR;
	log_info("serial0 (primary): minicom -D %s", p0->pty);
	log_info("  transcript: %s", p0->log_path);
	switch (machine_wait_ready(m, 0, (int)m->profile->boot_timeout_s * 1000)) {
	case CONSOLE_MATCHED:
		break;
	case CONSOLE_INTERRUPTED:
		report_event(m, MACHINE_SIGNAL, 0);
		return EXIT_OK;
	default:
		return EXIT_ERROR;
	}
	log_info("serial0: shell ready after %.1f s (%s)%s",
		 (p0->ready_ms - p0->started_ms) / 1000.0,
		 m->kvm ? "KVM" : "TCG", o->until_ready ? "" : "; Ctrl-C ends the run");
	if (o->until_ready)
		return EXIT_OK;
	ev = machine_watch(m, -1, &k);
	report_event(m, ev, k);
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
	ret = boot_primary(&m, &o);
	machine_destroy(&m);
	return ret;
}
