/* peer: the other end of winbench's channel — partition PEER's rings, or
 * a `serve` forked on this partition behind two pipes (-l, the
 * baseline). */
#ifndef DUPLEX_WINBENCH_PEER_H
#define DUPLEX_WINBENCH_PEER_H

#include <sys/types.h>

#include "chan.h"

/* C on the ring pair with partition PEER, once the window is open, PEER
 * is another partition of the machine, no replicated session uses those
 * rings and no other winbench here talks to PEER.  0, or -1 (reported). */
int peer_open_ring(struct chan *c, long peer);

/* C on pipes to a forked quiet serve whose replies wait TIMEOUT_MS for
 * room; its pid in *CHILD.  0, or -1 (reported). */
int peer_open_loopback(struct chan *c, int timeout_ms, pid_t *child);

/* Stop the serve of peer_open_loopback() and wait for it. */
void peer_close_loopback(struct chan *c, pid_t child);

#endif
