/* serve: winbench's server role, which answers one client session at a
 * time (echoes its PINGs, counts its DATA), and the stop role, which
 * ends a serve from the other end. */
#ifndef DUPLEX_WINBENCH_SERVE_H
#define DUPLEX_WINBENCH_SERVE_H

#include <stdbool.h>

#include "chan.h"

/* How long a serve lasts unless told to stop. */
#define SERVE_DEFAULT_S 600

/* Serve until told to stop or LIFETIME_S passes (0), or until the
 * channel breaks (1).  A reply waits TIMEOUT_MS for room, then the
 * client's session is dropped.  QUIET: no lines on stdout. */
int serve(struct chan *c, long lifetime_s, int timeout_ms, bool quiet);

/* End the serve at the other end of C and say so: exit status 0 or 1. */
int stop(struct chan *c, int timeout_ms);

#endif
