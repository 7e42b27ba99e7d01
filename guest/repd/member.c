/* A member of a replicated session: it finds the session in the leader's
 * slot, runs the same shell in a replication namespace of its own, feeds
 * it what the leader's terminal typed, prints its output on this
 * partition's console and sends the leader a digest of every line.  See
 * repd.h. */
#include "repd.h"
#include "guest.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define PTY_IN_MAX	(64u << 10)
#define CLOSE_GRACE_MS	1500
#define RECV_BURST	64

void member_watch(struct repd *d)
{
	uint32_t session, members;
	unsigned p;

	for (p = 0; p < d->w.partitions; p++) {
		if (p == d->self)
			continue;
		session = window_rep_session(&d->w, p, &members);
		if (!session || session == d->last_session ||
		    !(members & (1u << d->self)))
			continue;
		d->last_session = session;
		d->session = session;
		d->leader = p;
		d->peer[p].member = d->peer[p].active = true;
		rep_lines_init(&d->lines);
		d->batch.type = REP_MSG_DIGESTS;
		d->batch.session = session;
		d->batch.u.digests.count = 0;
		d->batch.u.digests.first = 1;
		return;
	}
}

static void send_ready(struct repd *d, int status, const char *reason)
{
	struct rep_msg m = { .type = REP_MSG_READY, .session = d->session };

	m.u.ready.status = status;
	snprintf(m.u.ready.reason, sizeof(m.u.ready.reason), "%s", reason);
	rep_send(d, d->leader, &m);
}

static void start_shell(struct repd *d, const struct rep_msg *m)
{
	struct ptyshell_opts o = { .cwd = m->u.open.cwd, .rows = m->u.open.rows,
				   .cols = m->u.open.cols, .join_pidfd = -1 };

	d->hist = calloc(REPD_HISTORY, sizeof(*d->hist));
	d->pty_in = malloc(PTY_IN_MAX);
	if (!d->hist || !d->pty_in) {
		send_ready(d, ENOMEM, "out of memory");
		d->shell_done = true;
		return;
	}
	if (ptyshell_start(&d->sh, &o) < 0) {
		send_ready(d, EAGAIN, "cannot start the shell (see its console)");
		d->shell_done = true;
		return;
	}
	send_ready(d, 0, "");
}

static void send_batch(struct repd *d)
{
	if (!d->batch.u.digests.count)
		return;
	rep_send(d, d->leader, &d->batch);
	d->batch.u.digests.first += d->batch.u.digests.count;
	d->batch.u.digests.count = 0;
}

static void member_line(void *ctx, uint32_t no, uint32_t digest,
			const char *text)
{
	struct repd *d = ctx;
	struct rep_hist_line *h = &d->hist[no % REPD_HISTORY];

	h->digest = digest;
	snprintf(h->text, sizeof(h->text), "%s", text);
	d->batch.u.digests.hash[d->batch.u.digests.count++] = digest;
	if (d->batch.u.digests.count == REP_DIGESTS_MAX)
		send_batch(d);
}

static void member_output(struct repd *d, const char *buf, size_t len)
{
	rep_console_output(d, buf, len);
	rep_lines_take(d, buf, len, member_line);
}

static void send_line(struct repd *d, uint32_t line)
{
	struct rep_msg m = { .type = REP_MSG_LINE, .session = d->session };

	m.u.line.line = line;
	if (line && line <= d->lines.count &&
	    d->lines.count - line < REPD_HISTORY)
		snprintf(m.u.line.text, sizeof(m.u.line.text), "%s",
			 d->hist[line % REPD_HISTORY].text);
	else
		snprintf(m.u.line.text, sizeof(m.u.line.text), "(line %u not kept)", line);
	rep_send(d, d->leader, &m);
}

static int handle(struct repd *d, const struct rep_msg *m)
{
	switch (m->type) {
	case REP_MSG_OPEN:
		if (d->sh.pid <= 0 && !d->shell_done)
			start_shell(d, m);
		return 0;
	case REP_MSG_INPUT:
		if (d->sh.pid <= 0)
			return 0;
		memcpy(d->pty_in + d->pty_in_len, m->u.input.data, m->u.input.len);
		d->pty_in_len += m->u.input.len;
		return 0;
	case REP_MSG_LINE_REQ:
		send_line(d, m->u.line_req.line);
		return 0;
	case REP_MSG_CLOSE:
		/* The leader's shell ended: ours should too, on the same input. */
		if (!d->ending) {
			d->ending = true;
			d->end_deadline = guest_now_ms() + CLOSE_GRACE_MS;
		}
		return 0;
	default:
		rep_report(d, "partition %u sent message 0x%04x, which only a member sends",
			   d->leader, m->type);
		return -1;
	}
}

static int receive(struct repd *d)
{
	struct rep_msg m;
	int i, r;

	for (i = 0; i < RECV_BURST; i++) {
		if (d->pty_in_len + REP_INPUT_MAX > PTY_IN_MAX)
			return 0;
		r = rep_recv(d, d->leader, &m);
		if (r <= 0)
			return r;
		if (m.session == d->session && handle(d, &m) < 0)
			return -1;
	}
	return 0;
}

static void feed_shell(struct repd *d)
{
	ssize_t n;

	if (!d->prompted || !d->pty_in_len || d->sh.master < 0)
		return;
	n = write(d->sh.master, d->pty_in, d->pty_in_len);
	if (n <= 0)
		return;
	memmove(d->pty_in, d->pty_in + n, d->pty_in_len - (size_t)n);
	d->pty_in_len -= (size_t)n;
}

static void end_session(struct repd *d)
{
	struct rep_msg m = { .type = REP_MSG_CLOSE, .session = d->session };

	if (d->sh.master >= 0) {
		rep_pty_drain(d, NULL, member_output);
		rep_lines_flush(&d->lines, member_line, d);
	}
	send_batch(d);
	m.u.close.status = d->shell_done ? d->shell_status : -1;
	rep_send(d, d->leader, &m);
	rep_flush(d, d->leader);
	rep_session_free(d);
}

/* Has the leader given up on the session, or stopped? */
static bool leader_gone(struct repd *d)
{
	uint32_t members;
	char why[64];

	return window_rep_session(&d->w, d->leader, &members) != d->session ||
	       rep_peer_gone(d, d->leader, why, sizeof(why));
}

void member_step(struct repd *d)
{
	bool started = d->sh.pid > 0;

	if (leader_gone(d) || receive(d) < 0) {
		if (started && !d->shell_done)
			kill(d->sh.pid, SIGKILL);
		rep_session_free(d);
		return;
	}
	if (started) {
		feed_shell(d);
		if (d->peer[d->leader].out.len < REPD_OUT_HIGH &&
		    !rep_pty_drain(d, NULL, member_output))
			rep_reap(d);
		send_batch(d);
		rep_reap(d);
	}
	if (rep_flush(d, d->leader) < 0) {
		rep_session_free(d);
		return;
	}
	if (d->ending && !d->shell_done && guest_now_ms() > d->end_deadline &&
	    started) {
		kill(d->sh.pid, SIGKILL);
		waitpid(d->sh.pid, NULL, 0);
		d->shell_done = true;
		d->shell_status = -1;
	}
	if (d->shell_done)
		end_session(d);
}
