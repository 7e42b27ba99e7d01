/* local: N replicas on this one kernel — the leader's monitor in this
 * process, each follower's in a child, linked by socketpairs (--local) or
 * by the rings of an anonymous shared window (--ring: the partitions'
 * transport, tested without partitions). */
#ifndef DUPLEX_MVX_LOCAL_H
#define DUPLEX_MVX_LOCAL_H

#include <stdbool.h>

#include "monitor.h"

#define LOCAL_MAX WINDOW_MAX_PARTITIONS

/* How to run the replicas. */
struct local_opts {
	unsigned n;		/* replicas, 2..LOCAL_MAX */
	bool ring;		/* window rings, not socketpairs */
	bool strict;		/* strict lockstep, not loose */
};

/* Run ARGV as O's replicas, the leader's run into *LEADER (its peer_end:
 * each follower's END, how 0 if none).  0, or -1 if the replicas could
 * not be set up (reported). */
int local_run(const struct local_opts *o, char *const argv[],
	      struct monitor *leader);

#endif
