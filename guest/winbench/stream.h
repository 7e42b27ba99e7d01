/* stream: winbench's throughput role.  Messages pushed as fast as the
 * channel takes them, then a count the server must confirm. */
#ifndef DUPLEX_WINBENCH_STREAM_H
#define DUPLEX_WINBENCH_STREAM_H

#include "chan.h"

/* MIB MiB in SIZE-byte messages, each waiting at most TIMEOUT_MS for
 * room or the final answer; prints MiB/s and msgs/s.  Exit status: 0 or
 * 1 (reported). */
int stream(struct chan *c, long size, long mib, int timeout_ms);

#endif
