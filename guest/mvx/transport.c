/* transport: the socketpair and the ring.  A socketpair message is the
 * type (2 bytes, little-endian) and the payload: SOCK_SEQPACKET keeps the
 * boundaries, and the peer's exit is an EOF.  A ring already frames,
 * types, sequences and checksums messages (window_ring.c); a wait on it
 * polls for TRANSPORT_SPIN_US, then sleeps a millisecond at a time. */
#include "transport.h"

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "le.h"
#include "mvx_proto.h"

/* Spinning on a ring: one clock reading per this many polls. */
#define SPIN_CHECK 256
/* A socketpair's send buffer (the kernel doubles it): what the leader
 * may be ahead by before a send waits.  Not more: a leader far ahead of a
 * hung follower would see it hung only that much later. */
#define SOCK_SNDBUF (1 << 20)

/* ----- socketpair */

static void nap(void)
{
	struct timespec ts = { 0, 1000000 };

	nanosleep(&ts, NULL);
}

long long transport_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int sock_send(struct transport *t, uint16_t type, const void *buf,
		     size_t len)
{
	unsigned char msg[2 + MVX_MSG_MAX];
	struct pollfd p = { .fd = t->fd, .events = POLLOUT };
	long long deadline = transport_now_us() + TRANSPORT_SEND_MS * 1000LL;

	if (len > MVX_MSG_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	put_le16(msg, type);
	memcpy(msg + 2, buf, len);
	for (;;) {
		long long left;

		if (send(t->fd, msg, len + 2, MSG_NOSIGNAL | MSG_DONTWAIT) ==
		    (ssize_t)len + 2)
			return 0;
		if (errno != EINTR && errno != EAGAIN)
			return -1;
		left = deadline - transport_now_us();
		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		/* POLLOUT once three quarters of the buffer are free: room
		 * for any message. */
		if (poll(&p, 1, (int)(left / 1000) + 1) < 0 && errno != EINTR)
			return -1;
	}
}

/* One message into MSG if one is there (-1, EAGAIN: none). */
static ssize_t sock_take(int fd, unsigned char *msg, size_t size)
{
	ssize_t n;

	/* A peer that closed with our messages unread makes the first recv
	 * ECONNRESET; what it sent before is still there after. */
	do
		n = recv(fd, msg, size, MSG_TRUNC | MSG_DONTWAIT);
	while (n < 0 && (errno == EINTR || errno == ECONNRESET));
	return n;
}

static int sock_recv(struct transport *t, uint16_t *type, void *buf,
		     size_t size, size_t *len, int timeout_ms)
{
	unsigned char msg[2 + MVX_MSG_MAX];
	struct pollfd p = { .fd = t->fd, .events = POLLIN };
	ssize_t n;
	int r;

	/* Messages mostly come in runs (a record's DATA follows its CALL):
	 * a poll only when none is there yet. */
	while ((n = sock_take(t->fd, msg, sizeof(msg))) < 0 &&
	       errno == EAGAIN) {
		if (!timeout_ms)
			return 1;
		do
			r = poll(&p, 1, timeout_ms);
		while (r < 0 && errno == EINTR);
		if (r <= 0)
			return r < 0 ? -1 : 1;
	}
	if (n < 0)
		return -1;
	if (n == 0) {
		errno = EPIPE;
		return -1;
	}
	if (n < 2 || (size_t)n - 2 > size || (size_t)n > sizeof(msg)) {
		errno = EPROTO;
		return -1;
	}
	*type = get_le16(msg);
	*len = (size_t)n - 2;
	memcpy(buf, msg + 2, *len);
	return 0;
}

static void sock_close(struct transport *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}

static const struct transport_ops sock_ops = {
	.send = sock_send, .recv = sock_recv, .close = sock_close,
};

void transport_socket(struct transport *t, int fd)
{
	int size = SOCK_SNDBUF;

	/* The default (net.core.wmem_default, 208 KiB) holds about ten
	 * DATA messages: a leader ahead of its follower by two 64 KiB
	 * reads waited for it (161 times on 16 MiB of gzip).  Forced as
	 * root, over net.core.wmem_max; else as far as that allows. */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)))
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size,
				 sizeof(size));
	memset(t, 0, sizeof(*t));
	t->ops = &sock_ops;
	t->fd = fd;
}

/* ----- window ring */

/* In a wait that began at START: true while it should still poll
 * without sleeping (*SPINS counts the polls).  It yields the CPU between
 * rounds: the process it waits for may need this one. */
static int spinning(long long start, unsigned *spins)
{
	if (++*spins % SPIN_CHECK)
		return 1;
	sched_yield();
	return transport_now_us() - start < TRANSPORT_SPIN_US;
}

static int peer_gone(const struct transport *t)
{
	return t->peer_alive && !t->peer_alive(t->alive_ctx);
}

static int ring_send(struct transport *t, uint16_t type, const void *buf,
		     size_t len)
{
	long long start = transport_now_us();
	unsigned spins = 0;
	int waited_ms = 0, spin = 1;

	for (;;) {
		int err = window_ring_push(t->w, t->self, t->peer, type, buf,
					   len);

		if (!err)
			return 0;
		if (err != WINDOW_EFULL) {
			errno = EPROTO;
			return -1;
		}
		if (peer_gone(t)) {
			errno = EPIPE;
			return -1;
		}
		if (spin && (spin = spinning(start, &spins)))
			continue;
		if (waited_ms++ >= TRANSPORT_SEND_MS) {
			errno = ETIMEDOUT;
			return -1;
		}
		nap();
	}
}

static int ring_recv(struct transport *t, uint16_t *type, void *buf,
		     size_t size, size_t *len, int timeout_ms)
{
	long long start = transport_now_us();
	unsigned spins = 0;
	long waited_ms = 0;
	int spin = 1;

	for (;;) {
		int err = window_ring_pop(t->w, t->peer, t->self, type, buf,
					  size, len);

		if (!err)
			return 0;
		if (err != WINDOW_EEMPTY) {
			errno = EPROTO;
			return -1;
		}
		/* Gone, and nothing left in the ring (looked at once more:
		 * it may have pushed just before going): the end. */
		if (peer_gone(t)) {
			err = window_ring_pop(t->w, t->peer, t->self, type,
					      buf, size, len);
			if (!err)
				return 0;
			errno = err == WINDOW_EEMPTY ? EPIPE : EPROTO;
			return -1;
		}
		if (!timeout_ms)
			return 1;
		if (spin && (spin = spinning(start, &spins)))
			continue;
		if (timeout_ms > 0 && waited_ms >= timeout_ms)
			return 1;
		nap();
		waited_ms++;
	}
}

static void ring_close(struct transport *t)
{
	t->w = NULL;
}

static const struct transport_ops ring_ops = {
	.send = ring_send, .recv = ring_recv, .close = ring_close,
};

void transport_ring(struct transport *t, struct window *w, unsigned self,
		    unsigned peer, int (*alive)(void *ctx), void *ctx)
{
	memset(t, 0, sizeof(*t));
	t->ops = &ring_ops;
	t->fd = -1;
	t->w = w;
	t->self = self;
	t->peer = peer;
	t->peer_alive = alive;
	t->alive_ctx = ctx;
}
