/* inbox: a follower's queue of the leader's records, in the leader's
 * order (which interleaves its processes as its kernel scheduled them);
 * each process takes the first one of its vid. */
#include "inbox.h"

#include <stdlib.h>

void inbox_push(struct monitor *m, struct record *r)
{
	r->next = NULL;
	*m->tail = r;
	m->tail = &r->next;
}

struct record *inbox_take(struct monitor *m, uint32_t vid)
{
	for (struct record **at = &m->queue; *at; at = &(*at)->next) {
		struct record *r = *at;

		if (r->call.vid != vid)
			continue;
		*at = r->next;
		if (!*at)
			m->tail = at;
		r->next = NULL;
		return r;
	}
	return NULL;
}

struct record *inbox_peek(struct monitor *m, uint32_t vid)
{
	for (struct record *r = m->queue; r; r = r->next)
		if (r->call.vid == vid)
			return r;
	return NULL;
}

void inbox_drop(struct record *r)
{
	if (!r)
		return;
	record_free(r);
	free(r);
}
