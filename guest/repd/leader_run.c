/* The leader's session, once open: terminal to every shell, its own
 * shell's output to the terminal and the comparison, the members'
 * messages, their health, and the end.  See repd.h. */
#include "repd.h"
#include "guest.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CLOSE_TIMEOUT_MS 3000
#define RECV_BURST 64

static bool fd_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLIN | POLLHUP | POLLERR));
}

static bool peers_have_room(struct repd *d)
{
	unsigned p;

	for (p = 0; p < WINDOW_MAX_PARTITIONS; p++)
		if (d->peer[p].active && d->peer[p].out.len > REPD_OUT_HIGH)
			return false;
	return true;
}

/* What is typed goes to our shell and to every member's, in order. */
static void forward_input(struct repd *d)
{
	struct rep_msg m = { .type = REP_MSG_INPUT, .session = d->session };
	ssize_t n;
	unsigned p;

	if (!d->prompted || !peers_have_room(d) || !fd_readable(d->term_in))
		return;
	n = read(d->term_in, m.u.input.data, sizeof(m.u.input.data));
	if (n <= 0)
		return;
	m.u.input.len = (uint32_t)n;
	rep_write_all(d->sh.master, m.u.input.data, (size_t)n);
	for (p = 0; p < WINDOW_MAX_PARTITIONS; p++)
		if (d->peer[p].active)
			rep_send(d, p, &m);
}

static void own_line(void *ctx, uint32_t no, uint32_t digest, const char *text)
{
	struct repd *d = ctx;
	struct rep_hist_line *h = &d->hist[no % REPD_HISTORY];
	unsigned p;

	h->digest = digest;
	snprintf(h->text, sizeof(h->text), "%s", text);
	for (p = 0; p < WINDOW_MAX_PARTITIONS; p++)
		if (d->peer[p].active)
			compare_peer(d, p);
}

static void own_output(struct repd *d, const char *buf, size_t len)
{
	rep_write_all(d->term_out, buf, len);
	rep_lines_take(d, buf, len, own_line);
}

/* Our own output may run ahead of the slowest member by the history,
 * less one read's worth of lines (a line may be one byte): a line
 * compared after the history moved past it would be compared with a
 * later line's digest, a divergence that is not. */
static bool history_has_room(struct repd *d)
{
	unsigned p;

	for (p = 0; p < WINDOW_MAX_PARTITIONS; p++)
		if (d->peer[p].active &&
		    d->lines.count - d->peer[p].cmp > REPD_HISTORY - REPD_PTY_READ)
			return false;
	return true;
}

static void drop_peer(struct repd *d, unsigned p, const char *why)
{
	d->peer[p].active = false;
	rep_report(d, "partition %u (serial%u) is gone (%s): the session goes on without it",
		   p, p, why);
}

static int handle(struct repd *d, unsigned p, const struct rep_msg *m)
{
	struct rep_peer *pe = &d->peer[p];

	switch (m->type) {
	case REP_MSG_DIGESTS:
		return compare_digests(d, p, m);
	case REP_MSG_LINE:
		compare_line_text(d, p, m->u.line.line, m->u.line.text);
		return 0;
	case REP_MSG_CLOSE:
		pe->closed = true;
		pe->status = m->u.close.status;
		return 0;
	case REP_MSG_READY:
		return 0;
	default:
		rep_report(d, "partition %u sent message 0x%04x, which only a leader sends: the session ends",
			   p, m->type);
		return -1;
	}
}

/* Messages from P, as long as its digests have room. */
static int receive(struct repd *d, unsigned p)
{
	struct rep_peer *pe = &d->peer[p];
	struct rep_msg m;
	int i, r;

	for (i = 0; i < RECV_BURST; i++) {
		if (pe->got - pe->cmp > REPD_HISTORY - REP_DIGESTS_MAX)
			return 0;
		r = rep_recv(d, p, &m);
		if (r <= 0)
			return r;
		if (m.session != d->session)
			continue;
		if (handle(d, p, &m) < 0)
			return -1;
	}
	return 0;
}

static int service_peers(struct repd *d)
{
	char why[64];
	unsigned p;

	for (p = 0; p < WINDOW_MAX_PARTITIONS; p++) {
		if (!d->peer[p].active)
			continue;
		if (receive(d, p) < 0 || rep_flush(d, p) < 0)
			return -1;
		if (!d->peer[p].closed && rep_peer_gone(d, p, why, sizeof(why)))
			drop_peer(d, p, why);
	}
	return 0;
}

static void begin_end(struct repd *d)
{
	struct rep_msg m = { .type = REP_MSG_CLOSE, .session = d->session };
	unsigned p;

	while (rep_pty_drain(d, NULL, own_output) && !d->shell_done)
		rep_reap(d);
	rep_lines_flush(&d->lines, own_line, d);
	m.u.close.status = d->shell_status;
	for (p = 0; p < WINDOW_MAX_PARTITIONS; p++)
		if (d->peer[p].active)
			rep_send(d, p, &m);
	d->ending = true;
	d->end_deadline = guest_now_ms() + CLOSE_TIMEOUT_MS;
}

static bool all_closed(struct repd *d)
{
	unsigned p;

	for (p = 0; p < WINDOW_MAX_PARTITIONS; p++)
		if (d->peer[p].active && !d->peer[p].closed)
			return false;
	return true;
}

static void finish(struct repd *d)
{
	char msg[64];
	unsigned p;

	for (p = 0; p < WINDOW_MAX_PARTITIONS; p++)
		if (d->peer[p].active) {
			compare_peer(d, p);
			compare_final(d, p);
		}
	rep_report(d, "session over: %u lines, %u divergent, exit status %d",
		   d->lines.count, d->divergences, d->shell_status);
	window_rep_publish(&d->w, d->self, 0, 0);
	snprintf(msg, sizeof(msg), "end %d\n", d->shell_status);
	rep_write_all(d->client, msg, strlen(msg));
	close(d->client);
	close(d->term_in);
	close(d->term_out);
	d->client = d->term_in = d->term_out = -1;
	rep_session_free(d);
}

/* rep-on gone (killed, its terminal hung up): end the shell. */
static void watch_client(struct repd *d)
{
	char c;

	if (!fd_readable(d->client) || read(d->client, &c, 1) > 0)
		return;
	if (d->sh.pid > 0 && !d->shell_done)
		kill(d->sh.pid, SIGKILL);
}

void leader_step(struct repd *d)
{
	if (!d->ending) {
		forward_input(d);
		if (!rep_pty_drain(d, history_has_room, own_output))
			rep_reap(d);
		watch_client(d);
		rep_reap(d);
	}
	if (service_peers(d) < 0) {
		if (d->sh.pid > 0 && !d->shell_done)
			kill(d->sh.pid, SIGKILL);
		d->shell_status = -1;
		d->shell_done = true;
		d->ending = true;
		d->end_deadline = 0;
	}
	if (d->shell_done && !d->ending)
		begin_end(d);
	if (d->ending && (all_closed(d) || guest_now_ms() > d->end_deadline))
		finish(d);
}
