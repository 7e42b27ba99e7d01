/* partition: a run between partitions — the leader here, where `mvx N
 * PROG` was typed, one follower on each of the next N - 1 partitions
 * that are up, linked by the window's rings.  repd starts the followers
 * and vouches for both ends while they run (guest/repd/lockstep.c);
 * OPEN and HELLO (mvx_session.h) start the run; a follower publishes
 * each divergence it finds in its slot, where the harness reads it and
 * the leader too, to print it on its own console. */
#ifndef DUPLEX_MVX_PARTITION_H
#define DUPLEX_MVX_PARTITION_H

#include <stdbool.h>
#include <stdint.h>

#include "monitor.h"

/* How long the leader waits for every follower to start. */
#define PARTITION_START_MS 15000

/* Lead ARGV on N partitions into *M (as local_run()): 0, or -1 if the
 * run could not start (reported). */
int partition_lead(unsigned n, bool strict, char *const argv[],
		   struct monitor *m);

/* Follow run SESSION led from partition LEADER (repd's child): mvx's
 * exit status. */
int partition_follow(unsigned leader, uint32_t session);

#endif
