/* transport: the channel between the leader's monitor and one follower's,
 * both ways.  Two implementations carry the same typed messages (payloads
 * of mvx_proto.h, at most MVX_MSG_MAX bytes):
 *  - a SOCK_SEQPACKET socketpair, for N replicas on one kernel (--local);
 *  - the window's ring pair between two partitions (--ring on one kernel
 *    runs it over an anonymous shared window, for tests).
 * The monitors never know which one they use. */
#ifndef DUPLEX_MVX_TRANSPORT_H
#define DUPLEX_MVX_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "window.h"

/* A peer's monitor always drains its end at once: one that leaves the
 * channel full this long is hung. */
#define TRANSPORT_SEND_MS 5000
/* A wait on a ring polls it this long before sleeping a millisecond at a
 * time: a strict follower's answer comes within tens of microseconds. */
#define TRANSPORT_SPIN_US 300

struct transport;

/* send: waits while the channel is full, TRANSPORT_SEND_MS at most; 0, or
 * -1 (errno EPIPE: the other end is gone; ETIMEDOUT: it took nothing
 * for that long, hung).  recv: 0 (a message), 1 (none within TIMEOUT_MS;
 * 0: none now, -1: wait forever), -1 (errno EPIPE: the other end is gone,
 * EPROTO: corrupt). */
struct transport_ops {
	int (*send)(struct transport *t, uint16_t type, const void *buf,
		    size_t len);
	int (*recv)(struct transport *t, uint16_t *type, void *buf,
		    size_t size, size_t *len, int timeout_ms);
	void (*close)(struct transport *t);
};

struct transport {
	const struct transport_ops *ops;
	int fd;				/* socketpair */
	struct window *w;		/* ring */
	unsigned self, peer;
	/* ring: nonzero while the peer runs (NULL: always) */
	int (*peer_alive)(void *ctx);
	void *alive_ctx;
};

/* FD: this end of a SOCK_SEQPACKET socketpair. */
void transport_socket(struct transport *t, int fd);

/* W: the window; SELF and PEER: the partitions (ring SELF -> PEER out,
 * PEER -> SELF in).  ALIVE(CTX): whether the peer still runs, asked
 * while a wait goes on (a ring has no EOF); NULL: always. */
void transport_ring(struct transport *t, struct window *w, unsigned self,
		    unsigned peer, int (*alive)(void *ctx), void *ctx);

/* Monotonic microseconds, the clock of the waits. */
long long transport_now_us(void);

#endif
