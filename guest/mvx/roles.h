/* roles: a monitor set up as the leader or as a follower, whatever links
 * the replicas (local.c: one kernel; partition.c: the partitions). */
#ifndef DUPLEX_MVX_ROLES_H
#define DUPLEX_MVX_ROLES_H

#include <stdbool.h>

#include "monitor.h"

/* *M as the leader of NPEERS followers, one transport each in PEERS (the
 * caller's).  0, or -1 (out of memory).  roles_leader_free() frees what
 * it allocated. */
int roles_leader_init(struct monitor *m, struct transport *peers,
		      unsigned npeers, bool strict);
void roles_leader_free(struct monitor *m);

/* *M as follower REPLICA (1..) of the leader at the other end of T. */
void roles_follower_init(struct monitor *m, struct transport *t,
			 unsigned replica, bool strict);

/* A follower's exit status for how its run ended: 0 when its program
 * ended as the leader's did. */
int roles_follower_status(const struct mvx_end *e);

#endif
