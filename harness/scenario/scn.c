/* scn: the scenario being run, as its parts share it (scn.h): how it
 * ends, how its commands wait, the consoles handed to Expect. */
#define _GNU_SOURCE
#include "scn.h"
#include "base/base.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

void scn_close_taps(struct scn *s)
{
	unsigned k;

	for (k = 0; k < DUPLEX_MAX_PARTITIONS; k++) {
		if (s->tap[k].fd >= 0)
			close(s->tap[k].fd);
		s->tap[k].fd = -1;
	}
}

int scn_fatal(struct scn *s, int k, const char *fmt, ...)
{
	va_list ap;
	char *reason;

	va_start(ap, fmt);
	if (vasprintf(&reason, fmt, ap) < 0)
		abort();
	va_end(ap);
	if (!s->fatal) {
		s->fatal = true;
		s->res->reason = xstrdup(reason);
		if (k >= 0 && s->m.part[k].con_open) {
			s->res->excerpt = console_tail(&s->m.part[k].con, 20);
			s->res->fail_console = k;
			s->res->fail_at = s->m.part[k].con.tr.seen;
		}
		log_debug("scenario '%s' ends: %s", s->def->name, reason);
		/* Unwinding through `catch` too: the scenario is over. */
		Tcl_CancelEval(s->interp, Tcl_NewStringObj(reason, -1), NULL,
			       TCL_CANCEL_UNWIND);
		/* A plain `expect` on a console sees its end at once. */
		scn_close_taps(s);
	}
	Tcl_SetObjResult(s->interp, Tcl_NewStringObj(reason, -1));
	free(reason);
	return TCL_ERROR;
}

/* What a console's failure line says happened, for the verdict. */
static const char *failure_kind(const char *line)
{
	if (strstr(line, "Kernel panic"))
		return "kernel panic";
	if (strstr(line, "Oops"))
		return "kernel Oops";
	if (strstr(line, "general protection"))
		return "general protection fault";
	if (strstr(line, "lockup"))
		return "lockup";
	if (strstr(line, "BUG"))
		return "kernel BUG";
	return "kernel failure";
}

static int hung_fatal(struct scn *s, unsigned k)
{
	char *why = machine_hung_reason(&s->m, k);
	int ret = scn_fatal(s, (int)k, "%s", why);

	free(why);
	return ret;
}

int scn_event_fatal(struct scn *s, enum machine_event ev, unsigned k)
{
	struct partition *p = &s->m.part[k];

	switch (ev) {
	case MACHINE_SIGNAL:
		return scn_fatal(s, -1, "interrupted by %s",
				 strsignal(sigwatch_pending()));
	case MACHINE_FAILURE:
		return scn_fatal(s, (int)k, "%s on serial%u: %s",
				 failure_kind(p->kcon.m.failure), k,
				 p->kcon.m.failure);
	case MACHINE_LOST:
		return scn_fatal(s, (int)k, "serial%u: the domain ended (powered off, destroyed or crashed)",
				 k);
	case MACHINE_HUNG:
		return hung_fatal(s, k);
	case MACHINE_HOST_ERROR:
		s->host_error = true;
		return scn_fatal(s, -1, "the host could not watch the machine (see harness.log)");
	default:
		return scn_fatal(s, (int)k, "serial%u: unexpected machine event", k);
	}
}

struct drive_wait scn_wait(const struct scn *s, int timeout_ms)
{
	int64_t left = s->deadline_ms - now_ms();
	struct drive_wait x = {
		.timeout_ms = left < timeout_ms ? (int)(left > 0 ? left : 0)
						: timeout_ms,
		.idle_ms = (int)s->def->idle_s * 1000,
		.lost = -1,
	};

	return x;
}

int scn_wait_failed(struct scn *s, unsigned k, const char *what,
		    const char *cause, const struct drive_wait *x)
{
	if (x->ev != MACHINE_TIMEOUT)
		return scn_event_fatal(s, x->ev, x->which);
	if (x->idle)
		return scn_fatal(s, (int)k, "no output on any console for %u s (the idle limit) while waiting for %s on serial%u",
				 s->def->idle_s, what, k);
	if (now_ms() >= s->deadline_ms)
		return scn_fatal(s, (int)k, "the scenario's deadline (%u s) passed while waiting for %s on serial%u",
				 s->def->timeout_s, what, k);
	return scn_fatal(s, (int)k, "%s did not appear on serial%u within %.0f s: %s",
			 what, k, x->timeout_ms / 1000.0, cause);
}

/* repd compares a line within milliseconds of its arrival: counters
 * that stand still this long have caught up; a TCG guest may stall,
 * hence the ceiling's margin. */
#define REP_STILL_MS 300
#define REP_SETTLE_MAX_MS 3000

static void rep_totals(const struct scn *s, uint32_t *lines, uint32_t *div)
{
	uint32_t l, d;
	unsigned k;

	*lines = *div = 0;
	for (k = 0; k < s->replicated; k++) {
		window_rep_counters(&s->m.win.w, k, &l, &d);
		*lines += l;
		*div += d;
	}
}

uint32_t scn_rep_divergences(const struct scn *s)
{
	uint32_t lines, div;

	rep_totals(s, &lines, &div);
	return div;
}

int scn_rep_settle(struct scn *s)
{
	int64_t start = now_ms(), still_since = start;
	uint32_t lines, div, last;
	enum machine_event ev;
	unsigned k;

	rep_totals(s, &last, &div);
	while (now_ms() - start < REP_SETTLE_MAX_MS &&
	       now_ms() - still_since < REP_STILL_MS) {
		ev = machine_watch(&s->m, REP_STILL_MS / 3, &k);
		if (ev != MACHINE_TIMEOUT && ev != MACHINE_STARTED)
			return scn_event_fatal(s, ev, k);
		rep_totals(s, &lines, &div);
		if (lines != last)
			still_since = now_ms();
		last = lines;
	}
	return TCL_OK;
}

void scn_service_taps(struct scn *s)
{
	char typed[4096];
	unsigned k;

	for (k = 0; k < DUPLEX_MAX_PARTITIONS; k++) {
		struct scn_tap *t = &s->tap[k];
		struct console *c = &s->m.part[k].con;
		ssize_t n;

		if (t->fd < 0 || !s->m.part[k].con_open)
			continue;
		t->sent = matcher_clamp(&c->m, t->sent);
		while (t->sent < c->m.len) {
			n = send(t->fd, matcher_at(&c->m, t->sent), c->m.len - t->sent,
				 MSG_DONTWAIT | MSG_NOSIGNAL);
			if (n <= 0)
				break;
			t->sent += (size_t)n;
		}
		n = recv(t->fd, typed, sizeof(typed) - 1, MSG_DONTWAIT);
		if (n > 0) {
			typed[n] = '\0';
			console_send(c, typed);
		}
	}
}
