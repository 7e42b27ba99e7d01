/* follower: the role of replicas 1..N-1 — each monitored syscall waits
 * for the leader's record of the same process's same syscall and is
 * checked against it; an input is not run but takes the leader's result
 * and bytes.  The first difference is a divergence: reported, the
 * follower's program killed, the leader told (with --continue, each
 * one reported and the program kept going, up to a cap). */
#ifndef DUPLEX_MVX_FOLLOWER_H
#define DUPLEX_MVX_FOLLOWER_H

#include "monitor.h"

/* How long a follower whose program has ended waits for the leader's. */
#define FOLLOWER_WAIT_MS 5000
/* Loose lockstep: the follower says how far it has come every this many
 * syscalls. */
#define FOLLOWER_PROGRESS 256

/* --continue: a follower goes on after a divergence, reporting each,
 * until it has found this many (then, or when its program no longer
 * makes the leader's syscalls, it stops as at the first).  0 (the
 * default): it stops at the first. */
#define FOLLOWER_CONTINUE_MAX 100
extern unsigned follower_keep_going;

extern const struct role_ops follower_ops;

#endif
