/* inbox: a queue per vid, in a small array: a replica has a handful of
 * processes, while a follower behind its leader holds thousands of
 * records (one list of them all, scanned past the other processes'
 * records at each take, was 16 % of a follower's time on dd).  A vid's
 * queue goes once it is empty. */
#include "inbox.h"

#include <stdlib.h>

static struct inbox_q *find(struct inbox *in, uint32_t vid)
{
	for (unsigned i = 0; i < in->n; i++)
		if (in->q[i].vid == vid)
			return &in->q[i];
	return NULL;
}

static struct inbox_q *add(struct inbox *in, uint32_t vid)
{
	struct inbox_q *q;

	if (in->n == in->cap) {
		unsigned cap = in->cap ? 2 * in->cap : 16;

		q = realloc(in->q, cap * sizeof(*q));
		if (!q)
			return NULL;
		in->q = q;
		in->cap = cap;
	}
	q = &in->q[in->n++];
	q->vid = vid;
	q->head = q->last = NULL;
	return q;
}

int inbox_push(struct inbox *in, struct record *r)
{
	struct inbox_q *q = find(in, r->call.vid);

	if (!q)
		q = add(in, r->call.vid);
	if (!q) {
		inbox_drop(r);
		return -1;
	}
	r->next = NULL;
	if (q->last)
		q->last->next = r;
	else
		q->head = r;
	q->last = r;
	return 0;
}

struct record *inbox_take(struct inbox *in, uint32_t vid)
{
	struct inbox_q *q = find(in, vid);
	struct record *r;

	if (!q)
		return NULL;
	r = q->head;
	q->head = r->next;
	r->next = NULL;
	if (!q->head)
		*q = in->q[--in->n];
	return r;
}

struct record *inbox_peek(struct inbox *in, uint32_t vid)
{
	struct inbox_q *q = find(in, vid);

	return q ? q->head : NULL;
}

void inbox_drop(struct record *r)
{
	if (!r)
		return;
	record_free(r);
	free(r);
}

void inbox_clear(struct inbox *in)
{
	for (unsigned i = 0; i < in->n; i++)
		while (in->q[i].head) {
			struct record *r = in->q[i].head;

			in->q[i].head = r->next;
			inbox_drop(r);
		}
	free(in->q);
	in->q = NULL;
	in->n = in->cap = 0;
}
