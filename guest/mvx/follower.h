/* follower: the role of replicas 1..N-1 — each monitored syscall waits
 * for the leader's record of the same process's same syscall and is
 * checked against it; an input is not run but takes the leader's result
 * and bytes.  The first difference is a divergence: reported, the
 * follower's program killed, the leader told. */
#ifndef DUPLEX_MVX_FOLLOWER_H
#define DUPLEX_MVX_FOLLOWER_H

#include "monitor.h"

/* How long a follower whose program has ended waits for the leader's. */
#define FOLLOWER_WAIT_MS 5000
/* Loose lockstep: the follower says how far it has come every this many
 * syscalls. */
#define FOLLOWER_PROGRESS 256

extern const struct role_ops follower_ops;

#endif
