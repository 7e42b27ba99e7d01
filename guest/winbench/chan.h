/* chan: how winbench moves a message to the other end and back — the
 * window's ring pair with partition PEER, or a pair of pipes to a forked
 * server on this partition (the loopback baseline).  Both carry the same
 * typed messages of up to WINDOW_MSG_MAX bytes, so every role runs
 * unchanged over either. */
#ifndef DUPLEX_WINBENCH_CHAN_H
#define DUPLEX_WINBENCH_CHAN_H

#include <stddef.h>
#include <stdint.h>

#include "window.h"

#define NS_PER_S 1000000000LL

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

/* Ring: W, SELF and PEER set.  Waits busy-poll the ring (a few ms), then
 * sleep a tick at a time until the deadline. */
extern const struct chan_ops chan_ring_ops;
/* Pipes: nonblocking RFD and WFD set. */
extern const struct chan_ops chan_pipe_ops;

/* Monotonic nanoseconds. */
long long now_ns(void);

/* Throw away what an earlier run left for us in the ring (at most what
 * a full ring holds, should the producer still be at it): how many
 * messages, or -1 (reported).  A pipe starts empty: 0. */
long chan_drain(struct chan *c);

#endif
