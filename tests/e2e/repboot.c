/* End-to-end: the machine as the reference's user drives it.  The primary
 * boots; `repboot K` typed on serial0 makes the machine start partition K
 * through the window; the secondary's shell comes up on its own console
 * and answers over the link.  Requests the machine must refuse are
 * refused with a reason on serial0 and in the harness log, and start
 * nothing.  Then the same with three partitions.  Speaks TAP. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "e2e.h"
#include "base/log.h"
#include "base/util.h"
#include "machine/virt.h"

static bool harness_log_has(const struct machine *m, const char *text)
{
	char *path = xasprintf("%s/harness.log", m->results_dir);
	char *log = read_file(path, NULL);
	bool found = log && strstr(log, text);

	free(log);
	free(path);
	return found;
}

/* A refused request: the reason on serial0, in the harness log, and no
 * partition started. */
static void refused(struct machine *m, const char *cmd, const char *re,
		    const char *logged, const char *name)
{
	struct drive_wait x = { .timeout_ms = E2E_WAIT_MS, .lost = -1 };
	bool ok = console_send(&m->part[0].con, cmd) == 0 &&
		  drive_expect(m, 0, re, &x);

	e2e_verdict(ok && !x.started && harness_log_has(m, logged), name);
}

/* Serve the machine until partition K's domain has ended. */
static bool wait_ended(struct machine *m, unsigned k)
{
	int64_t deadline = now_ms() + E2E_WAIT_MS;
	unsigned which;

	while (!m->part[k].end_seen && now_ms() < deadline)
		machine_watch(m, 1000, &which);
	return m->part[k].end_seen;
}

/* The reference reboots its secondary after it panicked: `repboot 1`
 * again starts it afresh, and the first boot's transcript is kept. */
static void reboot_after_panic(struct machine *m)
{
	char *kept = xasprintf("%s/serial1.1.log", m->results_dir);
	char *first;
	bool ok;

	ok = console_send(&m->part[1].con, "echo c > /proc/sysrq-trigger\n") == 0 &&
	     wait_ended(m, 1);
	e2e_verdict(ok && m->part[1].failure_seen,
		    "partition 1 panics and its domain ends");
	if (!ok || !e2e_boot_by_repboot(m, 1))
		goto out;
	e2e_verdict(e2e_run_on(m, 1, "echo again-$(hostname)\n", "^again-p1\r?$"),
		    "the rebooted secondary's shell answers on serial1");
	first = read_file(kept, NULL);
	e2e_verdict(first && strstr(first, "sysrq") && strstr(first, "Kernel panic"),
		    "the panicked boot's transcript is kept as serial1.1.log");
	free(first);
out:
	free(kept);
}

/* "serialK: domain NAME HOW" in the harness log, HOW "started" or
 * "resumed from standby". */
static bool domain_logged(const struct machine *m, unsigned k,
			  const char *how)
{
	char *text = xasprintf("serial%u: domain %s %s,", k, m->part[k].name,
			       how);
	bool found = harness_log_has(m, text);

	free(text);
	return found;
}

/* The primary booted, the others' domains are made paused, on standby. */
static bool boot_with_standby(struct machine *m)
{
	unsigned k;
	bool ok;

	ok = machine_start_partition(m, 0, NULL) == 0 &&
	     machine_wait_ready(m, 0, E2E_WAIT_MS) == CONSOLE_MATCHED;
	e2e_verdict(ok, "the primary boots");
	if (!ok)
		return false;
	machine_standby(m);
	for (k = 1; k < m->profile->partitions; k++)
		ok = ok && m->part[k].standby && virt_domain_paused(m->part[k].dom);
	return e2e_verdict(ok, "every other partition's domain is made, paused, on standby");
}

/* A request with arguments of its own: the standby domain, made with
 * the machine's, is dropped and partition K made afresh with them. */
static void repboot_with_arguments(struct machine *m, unsigned k)
{
	char *cmd = xasprintf("repboot %u nokaslr\n", k);
	int64_t deadline = now_ms() + E2E_WAIT_MS;
	unsigned which = 0;
	bool ok = console_send(&m->part[0].con, cmd) == 0;

	while (ok && now_ms() < deadline &&
	       machine_watch(m, 1000, &which) != MACHINE_STARTED)
		;
	ok = ok && which == k &&
	     machine_wait_ready(m, k, E2E_WAIT_MS) == CONSOLE_MATCHED;
	/* UP, which serial0's repboot waits for, is machine_watch's doing. */
	while (ok && now_ms() < deadline &&
	       winhost_state(&m->win, k) != WINDOW_STATE_UP)
		machine_watch(m, 200, &which);
	e2e_verdict(ok && domain_logged(m, k, "started") &&
		    e2e_run_on(m, k, "cat /proc/cmdline\n", " nokaslr\r?$"),
		    "'repboot K nokaslr': the standby is dropped, K made afresh with nokaslr");
	free(cmd);
}

static void two_partitions(struct machine *m)
{
	if (!boot_with_standby(m))
		return;
	refused(m, "repboot 7\n", "^repboot: partition 7: refused: partition 7 does not exist",
		"refused: partition 7 does not exist",
		"'repboot 7' is refused: no such partition");
	refused(m, "repboot 1 'a;reboot'\n", "^repboot: partition 1: refused: .*forbidden character ';'",
		"forbidden character ';'",
		"'repboot 1' with a shell metacharacter is refused");
	refused(m, "repboot 1 $(head -c 4096 /dev/zero | tr '\\0' a)\n",
		"^repboot: partition 1: refused: the command line is longer than 511 bytes",
		"the command line is longer than 511 bytes",
		"'repboot 1' with a 4 KiB command line is refused");
	refused(m, "repboot 1 console=ttyS1\n", "^repboot: partition 1: refused: ",
		"console",
		"'repboot 1 console=...' (overriding the machine) is refused");
	refused(m, "repboot 1 nokaslr quiet\n",
		"^repboot: partition 1: refused: the command line argument 'quiet' is not one a partition may add",
		"'quiet' is not one a partition may add",
		"'repboot 1 nokaslr quiet' is refused: quiet is not on the allow-list");
	e2e_verdict(m->part[1].standby && virt_domain_paused(m->part[1].dom),
		    "the refused requests left the standby domain as it was");
	if (!e2e_boot_by_repboot(m, 1))
		return;
	e2e_verdict(domain_logged(m, 1, "resumed from standby"),
		    "'repboot 1' resumed the standby domain");
	e2e_verdict(e2e_run_on(m, 1, "echo on-$(hostname)\n", "^on-p1\r?$"),
		    "serial1 carries the secondary's shell");
	e2e_verdict(e2e_run_on(m, 0, "ping -c 1 10.1.2.2\n",
			       "^1 packets transmitted, 1 packets received"),
		    "the primary pings 10.1.2.2 over the link");
	refused(m, "repboot 1\n", "^repboot: partition 1: refused: ", "refused",
		"'repboot 1' again, while it is up, is refused");
	reboot_after_panic(m);
}

/* The primary's domain ends, as a wait expects: the end is an event once,
 * and the wait goes on reading serial2, after it (an end that stayed an
 * event hid every console after its partition). */
static void survivor_answers(struct machine *m)
{
	struct drive_wait x = { .timeout_ms = E2E_WAIT_MS, .lost = 0 };
	bool ok = virDomainDestroy(m->part[0].dom) == 0 &&
		  console_send(&m->part[2].con, "echo alive-$((6*7))\n") == 0 &&
		  drive_expect(m, 2, "^alive-42", &x);

	e2e_verdict(ok, "with the primary's domain gone, a wait that expects it reads serial2");
}

static void three_partitions(const struct duplex_paths *paths)
{
	struct machine_profile profile;
	struct machine m;

	if (e2e_machine_create(&m, paths, "three", &profile) < 0) {
		e2e_verdict(false, "a three-partition machine is created");
		return;
	}
	if (boot_with_standby(&m) && e2e_boot_by_repboot(&m, 1)) {
		repboot_with_arguments(&m, 2);
		e2e_verdict(e2e_run_on(&m, 0, "ping -c 1 10.1.2.3\n",
				       "^1 packets transmitted, 1 packets received"),
			    "three partitions: the primary pings 10.1.2.3");
	}
	survivor_answers(&m);
	machine_destroy(&m);
}

/* Two partitions, then a second machine with three. */
static void run(struct machine *m)
{
	two_partitions(m);
	machine_destroy(m);
	three_partitions(m->paths);
}

int main(int argc, char **argv)
{
	(void)argc;
	return e2e_main(argv[0], "default", run);
}
