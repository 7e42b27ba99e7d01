/* compare: field by field, in the order a reader wants to know: the
 * syscall, what the policy made of it, the arguments, the buffers.  A
 * buffer's first differing byte is the offset reported, with up to
 * MVX_DIV_SHOW bytes from there of each side. */
#include "compare.h"

#include <string.h>

void compare_set(struct mvx_div *d, enum mvx_div_what what, uint64_t leader,
		 uint64_t mine)
{
	memset(d, 0, sizeof(*d));
	d->what = (uint8_t)what;
	d->leader = leader;
	d->mine = mine;
}

static int differ(struct mvx_div *d, enum mvx_div_what what, uint64_t leader,
		  uint64_t mine)
{
	if (leader == mine)
		return 0;
	compare_set(d, what, leader, mine);
	return 1;
}

/* Up to MVX_DIV_SHOW bytes of P (LEN long) from AT, as the little-endian
 * u64 they make; *N gets how many. */
static uint64_t bytes_at(const unsigned char *p, size_t len, size_t at,
			 uint8_t *n)
{
	uint64_t v = 0;

	*n = 0;
	for (size_t i = at; i < len && *n < MVX_DIV_SHOW; i++, (*n)++)
		v |= (uint64_t)p[i] << (8 * *n);
	return v;
}

/* Where A and B (N bytes each) first differ; N if nowhere.  Eight bytes
 * at a time: every byte a run reads or writes is compared, and musl's
 * memcmp goes one by one. */
static size_t first_difference(const unsigned char *a,
			       const unsigned char *b, size_t n)
{
	size_t at = 0;
	uint64_t x, y;

	for (; at + 8 <= n; at += 8) {
		memcpy(&x, a + at, 8);
		memcpy(&y, b + at, 8);
		if (x != y)
			break;
	}
	while (at < n && a[at] == b[at])
		at++;
	return at;
}

/* Buffer I of THEIRS against buffer J of MINE. */
static int differ_buf(const struct record *mine, const struct record *theirs,
		      unsigned i, unsigned j, struct mvx_div *d)
{
	const struct mvx_buf_desc *a = &theirs->call.buf[i];
	const struct mvx_buf_desc *b = &mine->call.buf[j];
	const unsigned char *pa = theirs->data + record_buf_at(theirs, i);
	const unsigned char *pb = mine->data + record_buf_at(mine, j);
	size_t n = a->len < b->len ? a->len : b->len;
	size_t at = first_difference(pa, pb, n);

	if (at == n && a->len == b->len)
		return 0;
	memset(d, 0, sizeof(*d));
	d->what = MVX_DIV_BUF;
	d->arg = b->arg;
	d->role = b->role;
	d->offset = at;
	d->len_leader = a->len;
	d->len_mine = b->len;
	d->leader = bytes_at(pa, a->len, at, &d->nleader);
	d->mine = bytes_at(pb, b->len, at, &d->nmine);
	return 1;
}

/* The index of the next buffer of ROLE in R from *AT on; nbuf if none. */
static unsigned next_of(const struct record *r, uint8_t role, unsigned at)
{
	while (at < r->call.nbuf && r->call.buf[at].role != role)
		at++;
	return at;
}

/* The buffers of ROLE, in order (both records come from one policy
 * entry, so the same ones unless the program passed other memory). */
static int differ_bufs(const struct record *mine, const struct record *theirs,
		       uint8_t role, struct mvx_div *d)
{
	unsigned i = next_of(theirs, role, 0), j = next_of(mine, role, 0);

	for (; i < theirs->call.nbuf && j < mine->call.nbuf;
	     i = next_of(theirs, role, i + 1), j = next_of(mine, role, j + 1))
		if (differ(d, MVX_DIV_BUFARG, theirs->call.buf[i].arg,
			   mine->call.buf[j].arg) ||
		    differ_buf(mine, theirs, i, j, d))
			return 1;
	return differ(d, MVX_DIV_NBUF, i < theirs->call.nbuf,
		      j < mine->call.nbuf);
}

int compare_entry(const struct record *mine, const struct record *theirs,
		  unsigned nargs, struct mvx_div *d)
{
	const struct mvx_call *a = &theirs->call, *b = &mine->call;

	if (differ(d, MVX_DIV_NR, a->nr, b->nr) ||
	    differ(d, MVX_DIV_FDCLASS, a->fdclass, b->fdclass) ||
	    differ(d, MVX_DIV_KIND, a->kind, b->kind))
		return 1;
	for (unsigned i = 0; i < nargs && i < 6; i++)
		if (differ(d, MVX_DIV_ARG, a->args[i], b->args[i])) {
			d->arg = (uint8_t)i;
			return 1;
		}
	return differ_bufs(mine, theirs, MVX_BUF_IN, d);
}

int compare_exit(const struct record *mine, const struct record *theirs,
		 struct mvx_div *d)
{
	if (differ(d, MVX_DIV_RESULT, (uint64_t)theirs->call.result,
		   (uint64_t)mine->call.result))
		return 1;
	return differ_bufs(mine, theirs, MVX_BUF_OUT, d);
}

void compare_finish(struct mvx_div *d, unsigned replica, pid_t pid,
		    const struct record *mine)
{
	d->replica = (uint8_t)replica;
	d->pid = (uint32_t)pid;
	if (!mine)
		return;
	d->vid = mine->call.vid;
	d->seq = mine->call.seq;
	d->nr = mine->call.nr;
	memcpy(d->args, mine->call.args, sizeof(d->args));
}
