/* ping: winbench's latency role.  Round trips of one message at a time
 * to the server, which echoes it; one-way latency = round trip / 2. */
#ifndef DUPLEX_WINBENCH_PING_H
#define DUPLEX_WINBENCH_PING_H

#include "chan.h"

/* COUNT timed round trips of SIZE-byte messages (after a few untimed
 * ones), each answer awaited TIMEOUT_MS; prints the one-way latency's
 * median and spread.  Exit status: 0 or 1 (reported). */
int ping(struct chan *c, long count, long size, int timeout_ms);

#endif
