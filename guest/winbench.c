/* winbench: message latency and throughput through the window's rings
 * between this partition and partition PEER, measured inside the guests.
 *
 *   winbench serve PEER     echo PEER's messages back until PEER says
 *                           `winbench stop`, or a deadline
 *   winbench ping PEER      ping-pong: one-way latency = round trip / 2
 *   winbench stream PEER    push as fast as the ring allows: MiB/s, msgs/s
 *   winbench stop PEER      end the `winbench serve` running on PEER
 *
 * With -l instead of PEER, ping and stream run the same protocol over a
 * pair of pipes to a forked `serve` on this partition: the baseline.
 *
 * Every client session starts with a HELLO carrying a random session id;
 * the server answers only messages of the session it last greeted, and a
 * client skips anything not of its own session.  So messages a killed
 * earlier run left in either ring are dropped, never taken for answers.
 * Waits busy-poll the ring (a few ms), then sleep a tick at a time; every
 * wait has a deadline.  One line per figure on stdout, errors on stderr. */
#include "guest.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_COUNT 1000
#define DEFAULT_PING_SIZE 64
#define DEFAULT_STREAM_SIZE 4096
#define DEFAULT_MIB 64
#define DEFAULT_ANSWER_S 10
#define DEFAULT_SERVE_S 600
#define MIN_SIZE 16		/* session id + sequence number */
#define MAX_MIB 4096
#define HELLO_RETRY_MS 1000
#define WARMUP 16		/* round trips not counted */
#define SPIN_CHECK 256		/* polls between clock reads */
#define SPIN_NS 5000000LL	/* busy-poll this long, then sleep */
#define NS_PER_S 1000000000LL

/* Message types (the ring's type field; payloads start with a wb_head). */
enum wb_type {
	WB_HELLO = 0x5701,	/* session: start a session */
	WB_HELLO_ACK,		/* session */
	WB_PING,		/* session, seq, then filler: echoed as PONG */
	WB_PONG,
	WB_DATA,		/* session, then filler: counted */
	WB_END,			/* session, messages, bytes sent */
	WB_END_ACK,		/* session, messages, bytes received */
	WB_BYE,			/* session: stop serving */
	WB_BYE_ACK,
};

struct wb_head {
	uint64_t session;
	uint64_t a, b;
};

struct chan;

/* Both return 0 (done), 1 (TIMEOUT_MS passed first) or -1 (reported). */
struct chan_ops {
	int (*send)(struct chan *c, uint16_t type, const void *buf, size_t len,
		    int timeout_ms);
	int (*recv)(struct chan *c, uint16_t *type, void *buf, size_t *len,
		    int timeout_ms);
};

struct chan {
	const struct chan_ops *ops;
	struct window w;
	unsigned self, peer;
	int rfd, wfd;		/* pipe loopback */
	char name[32];		/* the other end, for messages */
	char hint[64];		/* what to check when it does not answer */
	char via[32];		/* for the figure lines */
};

struct options {
	const char *role;
	long peer;		/* -1: none given */
	bool loopback;
	long count, size, mib, timeout_s;
};

static long long now_ns(void)
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

static const struct chan_ops ring_ops = { ring_send, ring_recv };

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

static const struct chan_ops pipe_ops = { pipe_send, pipe_recv };

static void put_head(void *buf, uint64_t session, uint64_t a, uint64_t b)
{
	struct wb_head h = { session, a, b };

	memcpy(buf, &h, sizeof(h));
}

/* The head of a payload of LEN bytes; fields beyond LEN read as 0. */
static struct wb_head get_head(const void *buf, size_t len)
{
	struct wb_head h = { 0, 0, 0 };

	memcpy(&h, buf, len < sizeof(h) ? len : sizeof(h));
	return h;
}

/* Throw away what an earlier run left for us in the ring (at most what
 * a full ring holds, should the producer still be at it): how many
 * messages, or -1 (reported). */
static long drain(struct chan *c)
{
	static unsigned char buf[WINDOW_MSG_MAX];
	uint16_t type;
	size_t len;
	long n = 0;
	int err;

	if (c->ops != &ring_ops)
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

/* ---- serve ---------------------------------------------------------- */

struct serve_state {
	uint64_t session;	/* 0: none */
	unsigned long long msgs, bytes, dropped;
	int timeout_ms;		/* for a reply to find room */
};

/* Send a reply; a client that stopped reading ends its session only. */
static int reply(struct chan *c, struct serve_state *st, uint16_t type,
		 const void *buf, size_t len)
{
	int ret = c->ops->send(c, type, buf, len, st->timeout_ms);

	if (ret == 1) {
		guest_error("%s does not read its answers (no room for %d s): session dropped",
			    c->name, st->timeout_ms / 1000);
		st->session = 0;
		return 0;
	}
	return ret;
}

/* Answer one message.  0: go on, 1: told to stop, -1: ring broken. */
static int serve_one(struct chan *c, struct serve_state *st, uint16_t type,
		     void *buf, size_t len)
{
	struct wb_head h = get_head(buf, len);
	unsigned char ack[sizeof(struct wb_head)];

	if (type == WB_HELLO && len >= 8) {
		st->session = h.session;
		st->msgs = st->bytes = 0;
		put_head(ack, h.session, 0, 0);
		return reply(c, st, WB_HELLO_ACK, ack, sizeof(ack));
	}
	if (!st->session || len < 8 || h.session != st->session) {
		st->dropped++;
		return 0;
	}
	if (type == WB_BYE) {
		put_head(ack, h.session, 0, 0);
		return reply(c, st, WB_BYE_ACK, ack, sizeof(ack)) < 0 ? -1 : 1;
	}
	if (type == WB_PING)
		return reply(c, st, WB_PONG, buf, len);
	if (type == WB_DATA) {
		st->msgs++;
		st->bytes += len;
		return 0;
	}
	if (type == WB_END) {
		put_head(ack, st->session, st->msgs, st->bytes);
		st->msgs = st->bytes = 0;
		return reply(c, st, WB_END_ACK, ack, sizeof(ack));
	}
	st->dropped++;
	return 0;
}

static void serve_end(const struct chan *c, const struct serve_state *st,
		      const char *why, bool quiet)
{
	if (!quiet)
		printf("winbench: %s serving partition %u (stale messages dropped: %llu)\n",
		       why, c->peer, st->dropped);
}

/* Serve until told to stop or LIFETIME_S passes (0), or until the
 * channel breaks (1). */
static int serve(struct chan *c, long lifetime_s, int timeout_ms, bool quiet)
{
	static unsigned char buf[WINDOW_MSG_MAX];
	struct serve_state st = { 0, 0, 0, 0, timeout_ms };
	long long end = now_ns() + lifetime_s * NS_PER_S, left;
	long drained = drain(c);
	uint16_t type;
	size_t len;
	int ret;

	if (drained < 0)
		return 1;
	st.dropped = (unsigned long long)drained;
	if (!quiet)
		printf("winbench: serving partition %u on partition %u (until 'winbench stop %u' there, or %ld s)\n",
		       c->peer, c->self, c->self, lifetime_s);
	for (;;) {
		left = (end - now_ns()) / 1000000;
		ret = left > 0 ? c->ops->recv(c, &type, buf, &len, (int)left) : 1;
		if (ret == 1) {
			serve_end(c, &st, "deadline reached, stopped", quiet);
			return 0;
		}
		if (!ret)
			ret = serve_one(c, &st, type, buf, len);
		if (ret < 0)
			return 1;
		if (ret > 0) {
			serve_end(c, &st, "told to stop, stopped", quiet);
			return 0;
		}
	}
}

/* ---- clients -------------------------------------------------------- */

static uint64_t new_session(void)
{
	uint64_t s = (uint64_t)now_ns() * 0x9e3779b97f4a7c15ULL;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		uint64_t r = 0;

		if (read(fd, &r, sizeof(r)) == (ssize_t)sizeof(r))
			s ^= r;
		close(fd);
	}
	s ^= (uint64_t)getpid() << 32;
	return s ? s : 1;
}

static void no_answer(const struct chan *c, int timeout_ms)
{
	guest_error("no answer from %s within %d s: %s", c->name,
		    timeout_ms / 1000, c->hint);
}

/* Receive the next message of type WANT in SESSION into BUF
 * (WINDOW_MSG_MAX bytes), skipping anything else.  0, 1 (nothing within
 * TIMEOUT_MS) or -1 (reported). */
static int await(struct chan *c, uint16_t want, uint64_t session, void *buf,
		 size_t *len, int timeout_ms)
{
	long long deadline = now_ns() + timeout_ms * 1000000LL, left;
	uint16_t type;
	int ret;

	for (;;) {
		left = (deadline - now_ns()) / 1000000;
		ret = left > 0 ? c->ops->recv(c, &type, buf, len, (int)left) : 1;
		if (ret)
			return ret;
		if (type == want && get_head(buf, *len).session == session)
			return 0;
	}
}

/* The same, with no answer reported.  0 or -1. */
static int expect(struct chan *c, uint16_t want, uint64_t session, void *buf,
		  size_t *len, int timeout_ms)
{
	int ret = await(c, want, session, buf, len, timeout_ms);

	if (ret == 1)
		no_answer(c, timeout_ms);
	return ret ? -1 : 0;
}

/* Send, reporting a full ring the peer never empties as no answer. */
static int send_or_report(struct chan *c, uint16_t type, const void *buf,
			  size_t len, int timeout_ms)
{
	int ret = c->ops->send(c, type, buf, len, timeout_ms);

	if (ret == 1)
		no_answer(c, timeout_ms);
	return ret ? -1 : 0;
}

/* Start a session: drain, then HELLO every HELLO_RETRY_MS (a server
 * starting drains what came before it) until its HELLO_ACK comes. */
static int hello(struct chan *c, uint64_t session, int timeout_ms)
{
	static unsigned char buf[WINDOW_MSG_MAX];
	long long deadline = now_ns() + timeout_ms * 1000000LL;
	unsigned char out[sizeof(struct wb_head)];
	size_t len;
	int ret;

	if (drain(c) < 0)
		return -1;
	put_head(out, session, 0, 0);
	do {
		ret = c->ops->send(c, WB_HELLO, out, sizeof(out), HELLO_RETRY_MS);
		if (!ret)
			ret = await(c, WB_HELLO_ACK, session, buf, &len,
				    HELLO_RETRY_MS);
		if (ret <= 0)
			return ret;
	} while (now_ns() < deadline);
	no_answer(c, timeout_ms);
	return -1;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile P of the N sorted values V. */
static long long percentile(const long long *v, long n, int p)
{
	long rank = (n * p + 99) / 100;

	return v[rank > 0 ? rank - 1 : 0];
}

/* One-way latency = round trip / 2, in microseconds. */
static double one_way_us(long long rtt_ns)
{
	return rtt_ns / 2000.0;
}

static void report_latency(const struct chan *c, long long *rtt, long n,
			   long size)
{
	double median;

	qsort(rtt, (size_t)n, sizeof(*rtt), cmp_ll);
	median = n % 2 ? one_way_us(rtt[n / 2]) :
			 (one_way_us(rtt[n / 2 - 1]) + one_way_us(rtt[n / 2])) / 2;
	printf("winbench: latency one-way median %.1f us (min %.1f, p90 %.1f, p99 %.1f, max %.1f us; n=%ld, size %ld, %s)\n",
	       median, one_way_us(rtt[0]), one_way_us(percentile(rtt, n, 90)),
	       one_way_us(percentile(rtt, n, 99)), one_way_us(rtt[n - 1]), n,
	       size, c->via);
}

/* One round trip of message SEQ; its time in *RTT. */
static int round_trip(struct chan *c, uint64_t session, uint64_t seq,
		      unsigned char *buf, long size, int timeout_ms,
		      long long *rtt)
{
	static unsigned char in[WINDOW_MSG_MAX];
	long long t0;
	size_t len;

	put_head(buf, session, seq, 0);
	t0 = now_ns();
	if (send_or_report(c, WB_PING, buf, (size_t)size, timeout_ms) < 0)
		return -1;
	do {
		if (expect(c, WB_PONG, session, in, &len, timeout_ms) < 0)
			return -1;
	} while (get_head(in, len).a != seq);
	*rtt = now_ns() - t0;
	if (len != (size_t)size || memcmp(in, buf, len)) {
		guest_error("%s echoed message %llu changed", c->name,
			    (unsigned long long)seq);
		return -1;
	}
	return 0;
}

static int ping(struct chan *c, const struct options *o)
{
	static unsigned char buf[WINDOW_MSG_MAX];
	int timeout_ms = (int)o->timeout_s * 1000, ret = 1;
	uint64_t session = new_session();
	long long *rtt = calloc((size_t)o->count, sizeof(*rtt));
	long long t;
	long i;

	if (!rtt) {
		guest_error("out of memory");
		return 1;
	}
	memset(buf, 0xa5, sizeof(buf));
	if (hello(c, session, timeout_ms) < 0)
		goto out;
	for (i = -WARMUP; i < o->count; i++) {
		if (round_trip(c, session, (uint64_t)(i + WARMUP), buf, o->size,
			       timeout_ms, &t) < 0)
			goto out;
		if (i >= 0)
			rtt[i] = t;
	}
	report_latency(c, rtt, o->count, o->size);
	ret = 0;
out:
	free(rtt);
	return ret;
}

static void report_throughput(const struct chan *c, const struct options *o,
			      unsigned long long msgs, unsigned long long bytes,
			      long long ns)
{
	double s = ns / (double)NS_PER_S;

	printf("winbench: throughput %.1f MiB/s (%.0f msgs/s, size %ld, %ld MiB, %s)\n",
	       bytes / s / (1 << 20), msgs / s, o->size, o->mib, c->via);
}

/* Push MSGS messages of SIZE, END, and wait for END_ACK. */
static int stream_once(struct chan *c, const struct options *o,
		       uint64_t session, unsigned long long msgs)
{
	static unsigned char buf[WINDOW_MSG_MAX];
	int timeout_ms = (int)o->timeout_s * 1000;
	unsigned long long i, bytes = msgs * (unsigned long long)o->size;
	struct wb_head h;
	long long t0 = now_ns();
	size_t len;

	memset(buf, 0x5a, sizeof(buf));
	put_head(buf, session, 0, 0);
	for (i = 0; i < msgs; i++)
		if (send_or_report(c, WB_DATA, buf, (size_t)o->size, timeout_ms) < 0)
			return -1;
	put_head(buf, session, msgs, bytes);
	if (send_or_report(c, WB_END, buf, sizeof(h), timeout_ms) < 0 ||
	    expect(c, WB_END_ACK, session, buf, &len, timeout_ms) < 0)
		return -1;
	h = get_head(buf, len);
	if (h.a != msgs || h.b != bytes) {
		guest_error("%s received %llu messages (%llu bytes), not %llu (%llu)",
			    c->name, (unsigned long long)h.a,
			    (unsigned long long)h.b, msgs, bytes);
		return -1;
	}
	report_throughput(c, o, msgs, bytes, now_ns() - t0);
	return 0;
}

static int stream(struct chan *c, const struct options *o)
{
	unsigned long long total = (unsigned long long)o->mib << 20;
	uint64_t session = new_session();

	if (hello(c, session, (int)o->timeout_s * 1000) < 0)
		return 1;
	return stream_once(c, o, session,
			   (total + (unsigned long long)o->size - 1) /
			   (unsigned long long)o->size) < 0;
}

/* End the server's serve: a session, BYE in it, its BYE_ACK.  0 or -1
 * (reported). */
static int say_bye(struct chan *c, int timeout_ms)
{
	static unsigned char buf[WINDOW_MSG_MAX];
	uint64_t session = new_session();
	size_t len;

	if (hello(c, session, timeout_ms) < 0)
		return -1;
	put_head(buf, session, 0, 0);
	if (send_or_report(c, WB_BYE, buf, sizeof(struct wb_head), timeout_ms) < 0)
		return -1;
	return expect(c, WB_BYE_ACK, session, buf, &len, timeout_ms);
}

static int stop(struct chan *c, const struct options *o)
{
	if (say_bye(c, (int)o->timeout_s * 1000) < 0)
		return 1;
	printf("winbench: %s stopped serving\n", c->name);
	return 0;
}

/* ---- channels -------------------------------------------------------- */

/* One winbench per peer on this partition: two would both read one ring. */
static int lock_peer(unsigned peer)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/run/winbench.%u.lock", peer);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return 0;	/* no /run: go on unguarded */
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return 0;	/* held until exit */
	close(fd);
	if (errno != EWOULDBLOCK)
		return 0;
	guest_error("another winbench already talks to partition %u here (lock %s): one reader per ring",
		    peer, path);
	return -1;
}

/* repd's replicated sessions (docs/replication.md) use the same rings:
 * none may involve this partition or the peer while winbench runs. */
static int check_no_session(const struct window *w, unsigned self,
			    unsigned peer)
{
	uint32_t members, ours = 1u << self | 1u << peer;
	unsigned p;

	for (p = 0; p < w->partitions; p++) {
		if (!window_rep_session(w, p, &members) ||
		    !((members | 1u << p) & ours))
			continue;
		guest_error("partition %u leads a replicated session (rep-on) over the rings of partitions %u and %u: end it first",
			    p, self, peer);
		return -1;
	}
	return 0;
}

static int open_ring(struct chan *c, long peer)
{
	int self = guest_partition_self();

	if (self < 0 || guest_window_open(&c->w) < 0)
		return -1;
	if (peer == self) {
		guest_error("partition %ld is this partition: the peer must be another one (or -l)",
			    peer);
		return -1;
	}
	if (peer >= (long)c->w.partitions) {
		guest_error("partition %ld does not exist (machine has %u)", peer,
			    c->w.partitions);
		return -1;
	}
	c->ops = &ring_ops;
	c->self = (unsigned)self;
	c->peer = (unsigned)peer;
	snprintf(c->name, sizeof(c->name), "partition %ld", peer);
	snprintf(c->hint, sizeof(c->hint), "is 'winbench serve %d' running there?",
		 self);
	if (check_no_session(&c->w, c->self, c->peer) < 0)
		return -1;
	return lock_peer(c->peer);
}

static int nonblocking_pipe(int fds[2])
{
	if (pipe(fds) < 0) {
		guest_error("pipe: %s", strerror(errno));
		return -1;
	}
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	fcntl(fds[1], F_SETFL, O_NONBLOCK);
	return 0;
}

/* A forked serve at the other end of two pipes; its pid in *CHILD. */
static int open_loopback(struct chan *c, const struct options *o, pid_t *child)
{
	int down[2], up[2];

	if (nonblocking_pipe(down) < 0 || nonblocking_pipe(up) < 0)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	fflush(NULL);
	*child = fork();
	if (*child < 0) {
		guest_error("fork: %s", strerror(errno));
		return -1;
	}
	c->ops = &pipe_ops;
	snprintf(c->name, sizeof(c->name), "the loopback server");
	snprintf(c->hint, sizeof(c->hint), "it is stuck");
	snprintf(c->via, sizeof(c->via), "pipe loopback");
	if (*child == 0) {
		close(down[1]);
		close(up[0]);
		c->rfd = down[0];
		c->wfd = up[1];
		snprintf(c->name, sizeof(c->name), "the loopback client");
		_exit(serve(c, DEFAULT_SERVE_S, (int)o->timeout_s * 1000, true));
	}
	close(down[0]);
	close(up[1]);
	c->rfd = up[0];
	c->wfd = down[1];
	return 0;
}

static void close_loopback(struct chan *c, pid_t child)
{
	say_bye(c, 2000);
	close(c->wfd);
	close(c->rfd);
	waitpid(child, NULL, 0);
}

/* ---- arguments ------------------------------------------------------ */

static void usage(FILE *out)
{
	fprintf(out,
		"usage: winbench serve PEER [-t SECONDS]\n"
		"       winbench ping PEER|-l [-n COUNT] [-s SIZE] [-t SECONDS]\n"
		"       winbench stream PEER|-l [-m MIB] [-s SIZE] [-t SECONDS]\n"
		"       winbench stop PEER [-t SECONDS]\n"
		"Message latency and throughput through the window's rings between\n"
		"this partition and partition PEER, which runs 'winbench serve K'\n"
		"(K: this partition).\n"
		"  serve   echo PEER's messages back until 'winbench stop' there or\n"
		"          SECONDS (default %d)\n"
		"  ping    COUNT round trips (default %d) of SIZE bytes (default %d);\n"
		"          prints the one-way latency (round trip / 2) in us\n"
		"  stream  MIB MiB (default %d) in messages of SIZE bytes (default %d)\n"
		"          as fast as the ring takes them; prints MiB/s and msgs/s\n"
		"  stop    end 'winbench serve' on PEER\n"
		"  -l, --loopback  instead of PEER: through a pipe to a child process\n"
		"          on this partition (the baseline)\n"
		"  -t SECONDS  serve: how long to serve; others: how long to wait for\n"
		"          an answer (default %d)\n"
		"SIZE: %u..%u bytes.  Exit: 0 done, 1 failed, 2 bad arguments or no window.\n",
		DEFAULT_SERVE_S, DEFAULT_COUNT, DEFAULT_PING_SIZE, DEFAULT_MIB,
		DEFAULT_STREAM_SIZE, DEFAULT_ANSWER_S, MIN_SIZE, WINDOW_MSG_MAX);
}

static int number(const char *opt, const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!s) {
		guest_error("%s needs a number from %ld to %ld", opt, min, max);
		return -1;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < min || v > max) {
		guest_error("%s wants a number from %ld to %ld, not '%s'", opt,
			    min, max, s);
		return -1;
	}
	*out = v;
	return 0;
}

/* Option ARGV[*I] (with its value, which it consumes) into O. */
static int option(struct options *o, int argc, char **argv, int *i)
{
	const char *a = argv[*i], *v = *i + 1 < argc ? argv[*i + 1] : NULL;

	if (!strcmp(a, "-l") || !strcmp(a, "--loopback")) {
		o->loopback = true;
		return 0;
	}
	++*i;
	if (!strcmp(a, "-n"))
		return number(a, v, 1, 10000000, &o->count);
	if (!strcmp(a, "-s"))
		return number(a, v, MIN_SIZE, WINDOW_MSG_MAX, &o->size);
	if (!strcmp(a, "-m"))
		return number(a, v, 1, MAX_MIB, &o->mib);
	if (!strcmp(a, "-t"))
		return number(a, v, 1, 86400, &o->timeout_s);
	guest_error("unknown option '%s' (see winbench --help)", a);
	return -1;
}

static bool role_is(const struct options *o, const char *name)
{
	return !strcmp(o->role, name);
}

/* Check what the role needs; fill in its defaults. */
static int check_options(struct options *o)
{
	bool client = role_is(o, "ping") || role_is(o, "stream");

	if (!client && !role_is(o, "serve") && !role_is(o, "stop")) {
		guest_error("unknown command '%s' (serve, ping, stream or stop)",
			    o->role);
		return -1;
	}
	if (o->loopback && !client) {
		guest_error("-l goes with ping and stream only");
		return -1;
	}
	if (o->peer >= 0 && o->loopback) {
		guest_error("a PEER or -l, not both");
		return -1;
	}
	if (o->peer < 0 && !o->loopback) {
		guest_error("which partition? (winbench %s PEER)", o->role);
		return -1;
	}
	if (!o->size)
		o->size = role_is(o, "stream") ? DEFAULT_STREAM_SIZE :
						 DEFAULT_PING_SIZE;
	if (!o->timeout_s)
		o->timeout_s = role_is(o, "serve") ? DEFAULT_SERVE_S :
						     DEFAULT_ANSWER_S;
	return 0;
}

static int parse(struct options *o, int argc, char **argv)
{
	int i;

	*o = (struct options){ argv[1], -1, false, DEFAULT_COUNT, 0,
			       DEFAULT_MIB, 0 };
	for (i = 2; i < argc; i++) {
		if (argv[i][0] == '-' && argv[i][1]) {
			if (option(o, argc, argv, &i) < 0)
				return -1;
		} else if (o->peer >= 0) {
			guest_error("unexpected argument '%s'", argv[i]);
			return -1;
		} else if (number("PEER", argv[i], 0, WINDOW_MAX_PARTITIONS - 1,
				  &o->peer) < 0) {
			return -1;
		}
	}
	return check_options(o);
}

static int run(struct chan *c, const struct options *o)
{
	if (role_is(o, "serve"))
		return serve(c, o->timeout_s, DEFAULT_ANSWER_S * 1000, false);
	if (role_is(o, "stop"))
		return stop(c, o);
	return role_is(o, "ping") ? ping(c, o) : stream(c, o);
}

int main(int argc, char **argv)
{
	struct chan c = { .rfd = -1, .wfd = -1 };
	struct options o;
	pid_t child;
	int ret;

	guest_prog = "winbench";
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (parse(&o, argc, argv) < 0)
		return 2;
	if (o.loopback) {
		if (open_loopback(&c, &o, &child) < 0)
			return 2;
		ret = run(&c, &o);
		close_loopback(&c, child);
		return ret;
	}
	if (open_ring(&c, o.peer) < 0)
		return 2;
	snprintf(c.via, sizeof(c.via), "window %u%s%u", c.self,
		 role_is(&o, "ping") ? "<->" : "->", c.peer);
	return run(&c, &o);
}
