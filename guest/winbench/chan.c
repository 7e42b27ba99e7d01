/* The two channels under winbench's roles.  See chan.h. */
#include "chan.h"
#include "guest.h"

#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SPIN_CHECK 256		/* polls between clock reads */
#define SPIN_NS 5000000LL	/* busy-poll this long, then sleep */

long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__asm__ __volatile__("pause" ::: "memory");
#else
	atomic_signal_fence(memory_order_seq_cst);
#endif
}

/* A wait on the ring: spin, read the clock every SPIN_CHECK polls, sleep
 * after SPIN_NS.  The clock is read only once the wait is a real one. */
struct waiter {
	unsigned spins;
	int timeout_ms;
	long long start, deadline;
};

static void waiter_init(struct waiter *wt, int timeout_ms)
{
	wt->spins = 0;
	wt->timeout_ms = timeout_ms;
	wt->start = 0;
}

/* One pause of the wait; true once the deadline has passed. */
static bool waiter_pause(struct waiter *wt)
{
	struct timespec tick = { 0, 1000000 };
	long long now;

	if (++wt->spins % SPIN_CHECK) {
		cpu_relax();
		return false;
	}
	now = now_ns();
	if (!wt->start) {
		wt->start = now;
		wt->deadline = now + wt->timeout_ms * 1000000LL;
	}
	if (now >= wt->deadline)
		return true;
	if (now - wt->start > SPIN_NS)
		nanosleep(&tick, NULL);
	return false;
}

static int ring_send(struct chan *c, uint16_t type, const void *buf,
		     size_t len, int timeout_ms)
{
	struct waiter wt;
	int err;

	waiter_init(&wt, timeout_ms);
	while ((err = window_ring_push(&c->w, c->self, c->peer, type, buf,
				       len)) == WINDOW_EFULL)
		if (waiter_pause(&wt))
			return 1;
	if (err) {
		guest_error("ring %u->%u: cannot send: %s", c->self, c->peer,
			    window_strerror(err));
		return -1;
	}
	return 0;
}

static int ring_recv(struct chan *c, uint16_t *type, void *buf, size_t *len,
		     int timeout_ms)
{
	struct waiter wt;
	int err;

	waiter_init(&wt, timeout_ms);
	while ((err = window_ring_pop(&c->w, c->peer, c->self, type, buf,
				      WINDOW_MSG_MAX, len)) == WINDOW_EEMPTY)
		if (waiter_pause(&wt))
			return 1;
	if (err) {
		guest_error("ring %u->%u: cannot receive: %s (the ring is unusable until the machine restarts)",
			    c->peer, c->self, window_strerror(err));
		return -1;
	}
	return 0;
}

const struct chan_ops chan_ring_ops = { ring_send, ring_recv };

/* All LEN bytes through nonblocking FD, or 1 if the deadline passes with
 * nothing moved (a message cut in two is an error). */
static int fd_move(struct chan *c, int fd, bool out, void *buf, size_t len,
		   long long deadline)
{
	struct pollfd pfd = { fd, out ? POLLOUT : POLLIN, 0 };
	size_t done = 0;
	ssize_t n;
	long long left;

	while (done < len) {
		n = out ? write(fd, (char *)buf + done, len - done) :
			  read(fd, (char *)buf + done, len - done);
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n == 0) {
			guest_error("%s closed the pipe", c->name);
			return -1;
		}
		if (errno != EAGAIN && errno != EINTR) {
			guest_error("pipe to %s: %s", c->name, strerror(errno));
			return -1;
		}
		left = (deadline - now_ns()) / 1000000;
		if (left <= 0 && !done)
			return 1;
		if (left <= 0) {
			guest_error("pipe to %s: message cut short", c->name);
			return -1;
		}
		poll(&pfd, 1, (int)left);
	}
	return 0;
}

/* Pipe framing: type (u16), zero (u16), length (u32), payload. */
static int pipe_send(struct chan *c, uint16_t type, const void *buf,
		     size_t len, int timeout_ms)
{
	static unsigned char frame[8 + WINDOW_MSG_MAX];
	long long deadline = now_ns() + timeout_ms * 1000000LL;
	uint32_t len32 = (uint32_t)len;

	memcpy(frame, &type, 2);
	memset(frame + 2, 0, 2);
	memcpy(frame + 4, &len32, 4);
	memcpy(frame + 8, buf, len);
	return fd_move(c, c->wfd, true, frame, 8 + len, deadline);
}

static int pipe_recv(struct chan *c, uint16_t *type, void *buf, size_t *len,
		     int timeout_ms)
{
	long long deadline = now_ns() + timeout_ms * 1000000LL;
	unsigned char hdr[8];
	uint32_t len32;
	int ret;

	ret = fd_move(c, c->rfd, false, hdr, sizeof(hdr), deadline);
	if (ret)
		return ret;
	memcpy(type, hdr, 2);
	memcpy(&len32, hdr + 4, 4);
	if (len32 > WINDOW_MSG_MAX) {
		guest_error("pipe from %s: message of %u bytes", c->name, len32);
		return -1;
	}
	*len = len32;
	ret = fd_move(c, c->rfd, false, buf, len32, now_ns() + 10 * NS_PER_S);
	if (ret > 0)
		guest_error("pipe from %s: message cut short", c->name);
	return ret ? -1 : 0;
}

const struct chan_ops chan_pipe_ops = { pipe_send, pipe_recv };

long chan_drain(struct chan *c)
{
	static unsigned char buf[WINDOW_MSG_MAX];
	uint16_t type;
	size_t len;
	long n = 0;
	int err;

	if (c->ops != &chan_ring_ops)
		return 0;
	while (!(err = window_ring_pop(&c->w, c->peer, c->self, &type, buf,
				       sizeof(buf), &len)))
		if (++n == WINDOW_RING_DATA / WINDOW_MSG_HEADER)
			return n;
	if (err == WINDOW_EEMPTY)
		return n;
	guest_error("ring %u->%u: %s (the ring is unusable until the machine restarts)",
		    c->peer, c->self, window_strerror(err));
	return -1;
}
