/* The leader of a replicated session: where `rep-on N` ran.  Its terminal
 * feeds every shell; it compares every member's output with its own, line
 * by line, and reports on its terminal.  See repd.h. */
#define _GNU_SOURCE
#include "repd.h"
#include "guest.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define READY_TIMEOUT_MS 15000
#define CLOSE_TIMEOUT_MS 3000

void client_say(int fd, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	rep_write_all(fd, buf, (size_t)n);
}

/* The fds that came with MSG into FDS (at most MAX); how many. */
static unsigned take_fds(struct msghdr *msg, int *fds, unsigned max)
{
	struct cmsghdr *c;
	unsigned n = 0, i, count;

	for (c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		count = (unsigned)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		for (i = 0; i < count && n < max; i++)
			memcpy(&fds[n++], CMSG_DATA(c) + i * sizeof(int),
			       sizeof(int));
	}
	return n;
}

/* The request, the terminal's two fds and a pidfd of the process that
 * asked, whose namespaces the shell enters (its pid could name another
 * process by then).  Only root may ask: the shell runs as root.  0, or
 * -1 with *ERR set and every fd that came with the message closed. */
static int read_request(int fd, struct repd_request *req, int fds[2],
			int *pidfd, const char **err)
{
	/* Room for more fds than a request has: extra ones are seen, and
	 * closed, instead of left open in repd. */
	char cbuf[CMSG_SPACE(REPD_FDS_SEEN * sizeof(int))];
	struct iovec iov = { req, sizeof(*req) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	int got[REPD_FDS_SEEN];
	struct ucred cred;
	socklen_t len = sizeof(cred);
	unsigned ngot, i;
	ssize_t n;

	n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
	ngot = n < 0 ? 0 : take_fds(&msg, got, REPD_FDS_SEEN);
	*err = "malformed request";
	if (n != sizeof(*req) || (msg.msg_flags & (MSG_CTRUNC | MSG_TRUNC)) ||
	    (req->magic != REPD_REQUEST_MAGIC && req->magic != REPD_MVX_MAGIC) ||
	    ngot != (req->magic == REPD_MVX_MAGIC ? 0u : 2u) ||
	    !memchr(req->cwd, '\0', sizeof(req->cwd)))
		goto bad;
	*err = "cannot tell who asked";
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		goto bad;
	*err = "only root may start a replicated session or a lockstep run";
	if (cred.uid != 0)
		goto bad;
	*err = "the process that asked is gone";
	*pidfd = (int)syscall(SYS_pidfd_open, cred.pid, 0);
	if (*pidfd < 0)
		goto bad;
	fds[0] = ngot ? got[0] : -1;
	fds[1] = ngot ? got[1] : -1;
	return 0;
bad:
	for (i = 0; i < ngot; i++)
		close(got[i]);
	return -1;
}

uint32_t up_partitions(struct repd *d, unsigned *count)
{
	uint32_t up = 0;
	unsigned p;

	*count = 0;
	for (p = 0; p < d->w.partitions; p++)
		if (window_slot_state(&d->w, p) == WINDOW_STATE_UP) {
			up |= 1u << p;
			(*count)++;
		}
	return up;
}

/* Choose the members: the first N - 1 partitions up, other than us. */
static int choose_members(struct repd *d, unsigned n, char *err, size_t size)
{
	unsigned count, p, taken = 0;
	uint32_t up = up_partitions(d, &count);

	if (n < 2 || n > WINDOW_MAX_PARTITIONS || !(up & (1u << d->self)) ||
	    n > count) {
		snprintf(err, size, "%u partitions asked, %u up (this machine has %u); N must be 2..%u",
			 n, count, d->w.partitions, count);
		return -1;
	}
	for (p = 0; p < d->w.partitions && taken < n - 1; p++) {
		if (p == d->self || !(up & (1u << p)))
			continue;
		d->peer[p].member = d->peer[p].active = true;
		taken++;
	}
	return 0;
}

static int alloc_session(struct repd *d)
{
	unsigned p;

	d->hist = calloc(REPD_HISTORY, sizeof(*d->hist));
	if (!d->hist)
		return -1;
	for (p = 0; p < WINDOW_MAX_PARTITIONS; p++) {
		if (!d->peer[p].member)
			continue;
		d->peer[p].digest = calloc(REPD_HISTORY, sizeof(uint32_t));
		if (!d->peer[p].digest)
			return -1;
	}
	return 0;
}

uint32_t new_session_id(void)
{
	uint32_t id = 0;

	while (!id)
		if (getrandom(&id, sizeof(id), 0) != sizeof(id))
			id = (uint32_t)guest_now_ms() ^ (uint32_t)getpid();
	return id;
}

/* Ask every member to start its shell; wait until each said it did. */
static int open_members(struct repd *d, const struct repd_request *req,
			char *err, size_t size)
{
	struct rep_msg m = { .type = REP_MSG_OPEN, .session = d->session };
	long long deadline = guest_now_ms() + READY_TIMEOUT_MS;
	unsigned p, waiting = 0;
	uint32_t members = 1u << d->self;

	for (p = 0; p < WINDOW_MAX_PARTITIONS; p++)
		if (d->peer[p].member)
			members |= 1u << p;
	m.u.open.members = members;
	m.u.open.rows = req->rows;
	m.u.open.cols = req->cols;
	memcpy(m.u.open.cwd, req->cwd, sizeof(m.u.open.cwd));
	window_rep_publish(&d->w, d->self, d->session, members);
	for (p = 0; p < WINDOW_MAX_PARTITIONS; p++) {
		if (!d->peer[p].member)
			continue;
		if (rep_send(d, p, &m) < 0)
			return -1;
		waiting++;
	}
	while (waiting) {
		for (p = 0; p < WINDOW_MAX_PARTITIONS; p++) {
			struct rep_peer *pe = &d->peer[p];
			int r;

			if (!pe->member || pe->ready)
				continue;
			if (rep_flush(d, p) < 0)
				return -1;
			while ((r = rep_recv(d, p, &m)) == 1 &&
			       (m.session != d->session || m.type != REP_MSG_READY))
				;
			if (r < 0) {
				snprintf(err, size, "bad message from partition %u", p);
				return -1;
			}
			if (r == 0)
				continue;
			if (m.u.ready.status) {
				snprintf(err, size, "partition %u cannot start its shell: %s",
					 p, m.u.ready.reason);
				return -1;
			}
			pe->ready = true;
			waiting--;
		}
		if (waiting && guest_now_ms() > deadline) {
			snprintf(err, size, "no answer from every partition within %d s (is repd running there?)",
				 READY_TIMEOUT_MS / 1000);
			return -1;
		}
		poll(NULL, 0, 2);
	}
	return 0;
}

static void abort_open(struct repd *d)
{
	struct rep_msg m = { .type = REP_MSG_CLOSE, .session = d->session };
	unsigned p;

	m.u.close.status = -1;
	for (p = 0; p < WINDOW_MAX_PARTITIONS; p++)
		if (d->peer[p].member)
			rep_send(d, p, &m);
	for (p = 0; p < WINDOW_MAX_PARTITIONS; p++)
		if (d->peer[p].member)
			rep_flush(d, p);
	window_rep_publish(&d->w, d->self, 0, 0);
}

static int start_session(struct repd *d, const struct repd_request *req,
			 int client_pidfd, char *err, size_t size)
{
	struct ptyshell_opts o = { .cwd = req->cwd, .rows = req->rows,
				   .cols = req->cols, .join_pidfd = client_pidfd };

	if (choose_members(d, req->partitions, err, size) < 0)
		return -1;
	if (alloc_session(d) < 0) {
		snprintf(err, size, "out of memory");
		return -1;
	}
	d->session = new_session_id();
	d->leading = true;
	rep_lines_init(&d->lines);
	if (open_members(d, req, err, size) < 0 || ptyshell_start(&d->sh, &o) < 0) {
		if (!*err)
			snprintf(err, size, "cannot start the shell (see the console)");
		abort_open(d);
		return -1;
	}
	return 0;
}

void leader_accept(struct repd *d)
{
	struct repd_request req;
	int client, fds[2], pidfd, started;
	char err[512] = "";
	const char *why;

	client = accept4(d->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (client < 0)
		return;
	if (read_request(client, &req, fds, &pidfd, &why) < 0) {
		client_say(client, "error: %s", why);
		close(client);
		return;
	}
	if (req.magic == REPD_MVX_MAGIC) {
		close(pidfd);
		lockstep_accept(d, client, req.partitions);
		return;
	}
	if (d->session || lockstep_busy(d)) {
		close(pidfd);
		client_say(client, "error: partition %u is already in a replicated session or a lockstep run", d->self);
		goto refuse;
	}
	d->term_in = fds[0];
	d->term_out = fds[1];
	started = start_session(d, &req, pidfd, err, sizeof(err));
	close(pidfd);
	if (started < 0) {
		client_say(client, "error: %s", err);
		rep_session_free(d);
		goto refuse;
	}
	d->client = client;
	client_say(client, "ok session %08x on %u partitions", d->session,
		   req.partitions);
	return;
refuse:
	close(fds[0]);
	close(fds[1]);
	close(client);
}
