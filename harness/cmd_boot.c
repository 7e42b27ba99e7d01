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

/* From `repboot K` typed to the machine starting K: the guest asks
 * through the window within milliseconds; the rest is typing over a
 * serial line under TCG. */
#define REPBOOT_START_MS 30000
#define UP_SLICE_MS 20

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
	case MACHINE_STARTED:
		break;
	}
}

static void announce(const struct machine *m, unsigned k)
{
	const struct partition *p = &m->part[k];

	log_info("serial%u (%s): minicom -D %s", k, k ? "secondary" : "primary",
		 p->pty);
	log_info("  transcript: %s", p->log_path);
}

/* The status of a boot that EV interrupted: a signal ends it quietly
 * (-1), a partition that ended or failed is a run that failed, anything
 * else a run that could not be made. */
static int event_status(enum machine_event ev)
{
	if (ev == MACHINE_SIGNAL)
		return -1;
	return ev == MACHINE_LOST || ev == MACHINE_FAILURE ? EXIT_FAILED
							   : EXIT_ERROR;
}

static int wait_ready(struct machine *m, unsigned k)
{
	struct partition *p = &m->part[k];

	switch (machine_wait_ready(m, k, (int)m->profile->boot_timeout_s * 1000)) {
	case CONSOLE_MATCHED:
		log_info("serial%u: shell ready after %.1f s (%s)", k,
			 (p->ready_ms - p->started_ms) / 1000.0,
			 m->kvm ? "KVM" : "TCG");
		return EXIT_OK;
	case CONSOLE_INTERRUPTED:
		report_event(m, MACHINE_SIGNAL, k);
		return -1;
	case CONSOLE_ENDED:
	case CONSOLE_FAILURE:
		return EXIT_FAILED;
	default:
		return EXIT_ERROR;
	}
}

/* Serve the window until partition K is UP in it: what the guest's
 * repboot waits for. */
static int wait_up(struct machine *m, unsigned k, int64_t since)
{
	int64_t deadline = now_ms() + REPBOOT_START_MS;
	enum machine_event ev;
	unsigned which;

	/* UP is an effect of machine_watch, not one of its events: look
	 * between short watches. */
	while (window_slot_state(&m->win.w, k) != WINDOW_STATE_UP) {
		if (now_ms() >= deadline) {
			log_error("serial%u: shell ready but partition %u never said it is up in the window (is partd running? see serial%u)",
				  k, k, k);
			return EXIT_ERROR;
		}
		ev = machine_watch(m, UP_SLICE_MS, &which);
		if (ev == MACHINE_STARTED)
			announce(m, which);
		else if (ev != MACHINE_TIMEOUT) {
			report_event(m, ev, which);
			return event_status(ev);
		}
	}
	log_info("serial%u: up %.1f s after 'repboot %u'", k,
		 (now_ms() - since) / 1000.0, k);
	return EXIT_OK;
}

/* Boot partition K the way a person does: type `repboot K` on serial0,
 * then the machine (the window) starts it. */
static int boot_secondary(struct machine *m, unsigned k)
{
	char *cmd = xasprintf("repboot %u\n", k);
	int64_t typed = now_ms();
	enum machine_event ev;
	unsigned started;
	int ret;

	ret = console_send(&m->part[0].con, cmd);
	free(cmd);
	if (ret < 0)
		return EXIT_ERROR;
	ev = machine_watch(m, REPBOOT_START_MS, &started);
	if (ev == MACHINE_STARTED && started == k) {
		announce(m, k);
		ret = wait_ready(m, k);
		return ret == EXIT_OK ? wait_up(m, k, typed) : ret;
	}
	if (ev == MACHINE_TIMEOUT) {
		char *tail = console_tail(&m->part[0].con, 10);

		log_error("serial0: 'repboot %u' did not start partition %u within %d s; last lines:\n%s",
			  k, k, REPBOOT_START_MS / 1000, tail);
		free(tail);
	} else {
		report_event(m, ev, started);
	}
	return ev == MACHINE_TIMEOUT ? EXIT_ERROR : event_status(ev);
}

static int boot_machine(struct machine *m, const struct boot_options *o)
{
	enum machine_event ev;
	unsigned k;
	int ret;

	if (machine_start_partition(m, 0, NULL) < 0)
		return EXIT_ERROR;
	announce(m, 0);
	ret = wait_ready(m, 0);
	for (k = 1; ret == EXIT_OK && !o->manual && k < m->profile->partitions; k++)
		ret = boot_secondary(m, k);
	if (ret != EXIT_OK)
		return ret < 0 ? EXIT_OK : ret;
	if (o->until_ready)
		return EXIT_OK;
	log_info("duplex: machine running%s; Ctrl-C ends the run",
		 o->manual ? " (type 'repboot K' on serial0 to boot partition K)" : "");
	while ((ev = machine_watch(m, -1, &k)) == MACHINE_STARTED)
		announce(m, k);
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
	m.attended = true;
	ret = boot_machine(&m, &o);
	machine_destroy(&m);
	return ret;
}
