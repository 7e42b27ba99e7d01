/* inbox: the leader's records a follower has received and not yet
 * taken (m->queue), per process in the leader's order. */
#ifndef DUPLEX_MVX_INBOX_H
#define DUPLEX_MVX_INBOX_H

#include "monitor.h"

/* Append R (allocated by the transport; the inbox owns it now). */
void inbox_push(struct monitor *m, struct record *r);
/* The first record of VID, unlinked (the caller owns it); NULL if none. */
struct record *inbox_take(struct monitor *m, uint32_t vid);
/* The first record of VID, left in the inbox; NULL if none. */
struct record *inbox_peek(struct monitor *m, uint32_t vid);
/* Free a record taken (NULL: nothing). */
void inbox_drop(struct record *r);

#endif
