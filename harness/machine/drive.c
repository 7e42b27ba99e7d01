#define _GNU_SOURCE
#include "machine.h"
#include "base/base.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* From `repboot K` typed to the machine starting K: the guest asks
 * through the window within milliseconds; the rest is typing over a
 * serial line under TCG. */
#define REPBOOT_START_MS 30000
/* How often drive_expect looks at the matcher between events. */
#define EXPECT_SLICE_MS 50
#define UP_SLICE_MS 20

/* When any console of M last printed something (0: none ever). */
static int64_t last_output(const struct machine *m)
{
	int64_t last = 0;
	unsigned i;

	for (i = 0; i < DUPLEX_MAX_PARTITIONS; i++)
		if (m->part[i].con_open && m->part[i].con.last_output_ms > last)
			last = m->part[i].con.last_output_ms;
	return last;
}

static bool silent_for(const struct machine *m, int idle_ms, int64_t since)
{
	int64_t last = last_output(m);

	if (idle_ms <= 0)
		return false;
	return now_ms() - (last > since ? last : since) >= idle_ms;
}

bool drive_expect(struct machine *m, unsigned k, const char *re,
		  struct drive_wait *x)
{
	int64_t start = now_ms(), deadline = start + x->timeout_ms;

	x->started = 0;
	x->idle = false;
	while (matcher_find(&m->part[k].con.m, re, &x->start, &x->end) != 1) {
		x->idle = silent_for(m, x->idle_ms, start);
		if (now_ms() >= deadline || x->idle) {
			x->ev = MACHINE_TIMEOUT;
			x->which = k;
			return false;
		}
		x->ev = machine_watch(m, EXPECT_SLICE_MS, &x->which);
		if (x->ev == MACHINE_STARTED)
			x->started |= 1u << x->which;
		else if (x->ev != MACHINE_TIMEOUT &&
			 !(x->ev == MACHINE_LOST && (int)x->which == x->lost))
			return false;
	}
	return true;
}

int drive_report_event(struct machine *m, enum machine_event ev, unsigned k)
{
	struct partition *p = &m->part[k];
	char *tail, *why;

	switch (ev) {
	case MACHINE_SIGNAL:
		log_info("duplex: %s: tearing the machine down",
			 strsignal(sigwatch_pending()));
		return -1;
	case MACHINE_LOST:
		tail = console_tail(&p->con, 10);
		log_error("serial%u: domain %s ended (powered off, destroyed or crashed); last lines:\n%s",
			  k, p->name, tail);
		free(tail);
		return OUTCOME_FAILED;
	case MACHINE_FAILURE:
		tail = console_tail(&p->kcon, 20);
		log_error("serial%u: kernel failure: %s\n%s", k,
			  p->kcon.m.failure, tail);
		free(tail);
		return OUTCOME_FAILED;
	case MACHINE_HUNG:
		why = machine_hung_reason(m, k);
		tail = console_tail(&p->con, 20);
		log_error("%s; last lines:\n%s", why, tail);
		free(why);
		free(tail);
		return OUTCOME_FAILED;
	case MACHINE_HOST_ERROR:
	case MACHINE_TIMEOUT:
	case MACHINE_STARTED:
		break;
	}
	return OUTCOME_NOT_RUN;
}

static int wait_ready(struct machine *m, unsigned k)
{
	struct partition *p = &m->part[k];

	switch (machine_wait_ready(m, k, (int)m->profile->boot_timeout_s * 1000)) {
	case CONSOLE_MATCHED:
		log_info("serial%u: shell ready after %.1f s (%s)", k,
			 (p->ready_ms - p->started_ms) / 1000.0,
			 m->kvm ? "KVM" : "TCG");
		return OUTCOME_PASSED;
	case CONSOLE_INTERRUPTED:
		return drive_report_event(m, MACHINE_SIGNAL, k);
	case CONSOLE_ENDED:
	case CONSOLE_FAILURE:
		return OUTCOME_FAILED;
	default:
		return OUTCOME_NOT_RUN;
	}
}

int drive_boot_primary(struct machine *m, drive_started_fn started)
{
	if (machine_start_partition(m, 0, NULL) < 0)
		return OUTCOME_NOT_RUN;
	if (started)
		started(m, 0);
	machine_standby(m);
	return wait_ready(m, 0);
}

/* Serve the window until partition K is UP in it: what the guest's
 * repboot waits for. */
static int wait_up(struct machine *m, unsigned k, int64_t since,
		   drive_started_fn started)
{
	int64_t deadline = now_ms() + REPBOOT_START_MS;
	enum machine_event ev;
	unsigned which;

	/* UP is an effect of machine_watch, not one of its events: look
	 * between short watches. */
	while (winhost_state(&m->win, k) != WINDOW_STATE_UP) {
		if (now_ms() >= deadline) {
			log_error("serial%u: shell ready but partition %u never said it is up in the window (is partd running? see serial%u)",
				  k, k, k);
			return OUTCOME_NOT_RUN;
		}
		ev = machine_watch(m, UP_SLICE_MS, &which);
		if (ev == MACHINE_STARTED && started)
			started(m, which);
		else if (ev != MACHINE_TIMEOUT && ev != MACHINE_STARTED)
			return drive_report_event(m, ev, which);
	}
	log_info("serial%u: up %.1f s after 'repboot %u'", k,
		 (now_ms() - since) / 1000.0, k);
	return OUTCOME_PASSED;
}

int drive_boot_secondary(struct machine *m, unsigned k,
			 drive_started_fn started)
{
	char *cmd = xasprintf("repboot %u\n", k);
	int64_t typed = now_ms();
	enum machine_event ev;
	unsigned which;
	int ret;

	ret = console_send(&m->part[0].con, cmd);
	free(cmd);
	if (ret < 0)
		return OUTCOME_NOT_RUN;
	ev = machine_watch(m, REPBOOT_START_MS, &which);
	if (ev == MACHINE_STARTED && which == k) {
		if (started)
			started(m, k);
		ret = wait_ready(m, k);
		return ret == OUTCOME_PASSED ? wait_up(m, k, typed, started) : ret;
	}
	if (ev == MACHINE_TIMEOUT) {
		char *tail = console_tail(&m->part[0].con, 10);

		log_error("serial0: 'repboot %u' did not start partition %u within %d s; last lines:\n%s",
			  k, k, REPBOOT_START_MS / 1000, tail);
		free(tail);
		return OUTCOME_NOT_RUN;
	}
	return drive_report_event(m, ev, which);
}
