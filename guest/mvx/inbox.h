/* inbox: the leader's records a follower has received and not yet
 * taken: a queue per process (vid), each in the leader's order. */
#ifndef DUPLEX_MVX_INBOX_H
#define DUPLEX_MVX_INBOX_H

#include <stdint.h>

#include "record.h"

struct inbox_q {
	uint32_t vid;
	struct record *head, *last;
};

struct inbox {
	struct inbox_q *q;	/* the vids with records waiting */
	unsigned n, cap;
};

/* Append R (allocated by the transport; the inbox owns it now): 0, or
 * -1 if out of memory (R dropped). */
int inbox_push(struct inbox *in, struct record *r);
/* The first record of VID, unlinked (the caller owns it); NULL if none. */
struct record *inbox_take(struct inbox *in, uint32_t vid);
/* The first record of VID, left in the inbox; NULL if none. */
struct record *inbox_peek(struct inbox *in, uint32_t vid);
/* Free a record taken (NULL: nothing). */
void inbox_drop(struct record *r);
/* Drop every record, and the queues. */
void inbox_clear(struct inbox *in);

#endif
