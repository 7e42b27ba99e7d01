/* What leader and member sessions share: sending with a queue, receiving
 * with checks, the pty, the peers' health.  See repd.h. */
#include "repd.h"
#include "guest.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define QUEUE_HEADER 6		/* u16 type, u32 len, then the payload */

static int queue_add(struct rep_out *q, uint16_t type, const void *p,
		     size_t len)
{
	size_t need = q->len + QUEUE_HEADER + len;

	if (need > q->cap) {
		size_t cap = q->cap ? q->cap : 4096;
		unsigned char *buf;

		while (cap < need)
			cap *= 2;
		buf = realloc(q->buf, cap);
		if (!buf) {
			guest_error("out of memory queueing a message");
			return -1;
		}
		q->buf = buf;
		q->cap = cap;
	}
	memcpy(q->buf + q->len, &type, 2);
	memcpy(q->buf + q->len + 2, &(uint32_t){ (uint32_t)len }, 4);
	memcpy(q->buf + q->len + QUEUE_HEADER, p, len);
	q->len = need;
	return 0;
}

static int ring_error(struct repd *d, unsigned p, const char *what, int err)
{
	rep_report(d, "%s partition %u: %s: the session ends", what, p,
		   window_strerror(err));
	return -1;
}

int rep_flush(struct repd *d, unsigned to)
{
	struct rep_out *q = &d->peer[to].out;
	size_t off = 0;
	int err = 0;

	while (off < q->len) {
		uint16_t type;
		uint32_t len;

		memcpy(&type, q->buf + off, 2);
		memcpy(&len, q->buf + off + 2, 4);
		err = window_ring_push(&d->w, d->self, to, type,
				       q->buf + off + QUEUE_HEADER, len);
		if (err)
			break;
		off += QUEUE_HEADER + len;
	}
	memmove(q->buf, q->buf + off, q->len - off);
	q->len -= off;
	if (err && err != WINDOW_EFULL)
		return ring_error(d, to, "cannot send to", err);
	return 0;
}

int rep_send(struct repd *d, unsigned to, const struct rep_msg *m)
{
	static unsigned char buf[REP_MSG_MAX];
	struct rep_out *q = &d->peer[to].out;
	size_t len;
	int err;

	err = rep_msg_encode(m, buf, sizeof(buf), &len);
	if (err) {
		guest_error("cannot encode a message: %s", rep_strerror(err));
		return -1;
	}
	if (!q->len) {
		err = window_ring_push(&d->w, d->self, to, m->type, buf, len);
		if (!err)
			return 0;
		if (err != WINDOW_EFULL)
			return ring_error(d, to, "cannot send to", err);
	}
	return queue_add(q, m->type, buf, len);
}

int rep_recv(struct repd *d, unsigned from, struct rep_msg *m)
{
	static unsigned char buf[WINDOW_MSG_MAX];
	uint16_t type;
	size_t len;
	int err;

	err = window_ring_pop(&d->w, from, d->self, &type, buf, sizeof(buf), &len);
	if (err == WINDOW_EEMPTY)
		return 0;
	if (err)
		return ring_error(d, from, "bad message from", err);
	err = rep_msg_decode(type, buf, len, m);
	if (err) {
		rep_report(d, "bad message from partition %u (type 0x%04x, %zu bytes): %s: the session ends",
			   from, type, len, rep_strerror(err));
		return -1;
	}
	return 1;
}

void rep_out_free(struct rep_out *q)
{
	free(q->buf);
	memset(q, 0, sizeof(*q));
}

void rep_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			poll(&(struct pollfd){ .fd = fd, .events = POLLOUT }, 1, 100);
			continue;
		}
		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

void rep_report(struct repd *d, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	n = snprintf(line, sizeof(line), "\r\nrep: ");
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 3, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 3)
		n = (int)sizeof(line) - 3;
	memcpy(line + n, "\r\n", 3);
	rep_write_all(d->leading ? d->term_out : d->console, line, (size_t)n + 2);
}

void rep_console_output(struct repd *d, const char *buf, size_t len)
{
	char out[4096 + 1];
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		if (d->cr_held && buf[i] != '\n')
			out[n++] = '\r';
		d->cr_held = buf[i] == '\r';
		if (!d->cr_held)
			out[n++] = buf[i];
		if (n >= sizeof(out) - 1) {
			rep_write_all(d->console, out, n);
			n = 0;
		}
	}
	rep_write_all(d->console, out, n);
}

bool rep_peer_gone(struct repd *d, unsigned p, char *why, size_t size)
{
	return guest_partition_gone(&d->w, p, &d->peer[p].live, why, size);
}

bool rep_pty_drain(struct repd *d, bool (*room)(struct repd *d),
		   void (*cb)(struct repd *d, const char *buf, size_t len))
{
	char buf[REPD_PTY_READ];
	int rounds;

	for (rounds = 0; rounds < 64; rounds++) {
		ssize_t n;

		if (room && !room(d))
			return true;
		n = read(d->sh.master, buf, sizeof(buf));

		if (n > 0) {
			cb(d, buf, (size_t)n);
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return true;
		return false;	/* EIO: no one holds the slave any more */
	}
	return true;
}

void rep_lines_take(struct repd *d, const char *buf, size_t len,
		    rep_line_fn line)
{
	rep_lines_feed(&d->lines, buf, len, line, d);
	if (!d->prompted && (d->lines.count || strstr(d->lines.text, "rep[")))
		d->prompted = true;
}

void rep_reap(struct repd *d)
{
	int status;

	if (d->shell_done || d->sh.pid <= 0)
		return;
	if (waitpid(d->sh.pid, &status, WNOHANG) != d->sh.pid)
		return;
	d->shell_done = true;
	d->shell_status = WIFEXITED(status) ? WEXITSTATUS(status)
					    : 128 + WTERMSIG(status);
}

void rep_session_free(struct repd *d)
{
	unsigned p;

	if (d->sh.pid > 0 && !d->shell_done) {
		kill(d->sh.pid, SIGKILL);
		waitpid(d->sh.pid, NULL, 0);
	}
	if (d->sh.master >= 0)
		close(d->sh.master);
	for (p = 0; p < WINDOW_MAX_PARTITIONS; p++) {
		rep_out_free(&d->peer[p].out);
		free(d->peer[p].digest);
	}
	free(d->hist);
	free(d->pty_in);
	memset(d->peer, 0, sizeof(d->peer));
	d->hist = NULL;
	d->pty_in = NULL;
	d->pty_in_len = 0;
	d->sh.pid = -1;
	d->sh.master = -1;
	d->session = 0;
	d->leading = d->ending = d->shell_done = false;
	d->prompted = d->cr_held = false;
	d->divergences = 0;
}
