/* compare: field by field, in the order a reader wants to know: the
 * syscall, what the policy made of it, the arguments, the buffers.  A
 * buffer's first differing byte is the offset reported, with up to 8
 * bytes from there of each side. */
#include "compare.h"

#include <inttypes.h>
#include <string.h>

#define SHOW 8	/* bytes shown from the offset */

static const char *const kind_name[] = {
	[MVX_IGNORE] = "ignored", [MVX_COMPARE] = "compared",
	[MVX_OUTPUT] = "output", [MVX_INPUT] = "input",
	[MVX_EXTERNAL] = "external", [MVX_REFUSE] = "refused",
};

static const char *const fdclass_name[] = {
	[MVX_FD_NONE] = "none", [MVX_FD_PLAIN] = "plain",
	[MVX_FD_EXTERNAL] = "external", [MVX_FD_RANDOM] = "random",
	[MVX_FD_COUNTER] = "counter", [MVX_FD_ANON] = "anonymous",
};

static int differ_u64(struct divergence *d, const char *what, uint64_t theirs,
		      uint64_t mine)
{
	if (theirs == mine)
		return 0;
	snprintf(d->what, sizeof(d->what), "%s", what);
	snprintf(d->leader, sizeof(d->leader), "0x%" PRIx64, theirs);
	snprintf(d->mine, sizeof(d->mine), "0x%" PRIx64, mine);
	return 1;
}

static int differ_name(struct divergence *d, const char *what,
		       const char *theirs, const char *mine)
{
	if (theirs == mine)
		return 0;
	snprintf(d->what, sizeof(d->what), "%s", what);
	snprintf(d->leader, sizeof(d->leader), "%s", theirs);
	snprintf(d->mine, sizeof(d->mine), "%s", mine);
	return 1;
}

/* Up to SHOW bytes of P (LEN long) from AT, in hex; "end" past the end. */
static void hex_at(char *out, size_t size, const unsigned char *p, size_t len,
		   size_t at)
{
	size_t used = 0;

	if (at >= len) {
		snprintf(out, size, "(end: %zu bytes)", len);
		return;
	}
	used += (size_t)snprintf(out, size, "0x");
	for (size_t i = at; i < len && i < at + SHOW && used < size; i++)
		used += (size_t)snprintf(out + used, size - used, "%02x", p[i]);
}

/* Buffer I of THEIRS against buffer J of MINE. */
static int differ_buf(const struct record *mine, const struct record *theirs,
		      unsigned i, unsigned j, struct divergence *d)
{
	const struct mvx_buf_desc *a = &theirs->call.buf[i];
	const struct mvx_buf_desc *b = &mine->call.buf[j];
	const unsigned char *pa = theirs->data + record_buf_at(theirs, i);
	const unsigned char *pb = mine->data + record_buf_at(mine, j);
	size_t n = a->len < b->len ? a->len : b->len, at = 0;

	while (at < n && pa[at] == pb[at])
		at++;
	if (at == n && a->len == b->len)
		return 0;
	snprintf(d->what, sizeof(d->what),
		 "buffer of arg %u (%s, %" PRIu32 " bytes in the leader, %"
		 PRIu32 " here) at byte offset %zu", b->arg,
		 b->role == MVX_BUF_IN ? "in" : "out", a->len, b->len, at);
	hex_at(d->leader, sizeof(d->leader), pa, a->len, at);
	hex_at(d->mine, sizeof(d->mine), pb, b->len, at);
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
		       uint8_t role, struct divergence *d)
{
	unsigned i = next_of(theirs, role, 0), j = next_of(mine, role, 0);

	for (; i < theirs->call.nbuf && j < mine->call.nbuf;
	     i = next_of(theirs, role, i + 1), j = next_of(mine, role, j + 1))
		if (differ_u64(d, "buffer's argument", theirs->call.buf[i].arg,
			       mine->call.buf[j].arg) ||
		    differ_buf(mine, theirs, i, j, d))
			return 1;
	return differ_u64(d, "number of buffers", i < theirs->call.nbuf,
			  j < mine->call.nbuf);
}

int compare_entry(const struct record *mine, const struct record *theirs,
		  unsigned nargs, struct divergence *d)
{
	const struct mvx_call *a = &theirs->call, *b = &mine->call;
	char what[32];

	if (differ_u64(d, "syscall number", a->nr, b->nr) ||
	    differ_name(d, "fd class", fdclass_name[a->fdclass],
			fdclass_name[b->fdclass]) ||
	    differ_name(d, "policy kind", kind_name[a->kind],
			kind_name[b->kind]))
		return 1;
	for (unsigned i = 0; i < nargs && i < 6; i++) {
		snprintf(what, sizeof(what), "argument %u", i);
		if (differ_u64(d, what, a->args[i], b->args[i]))
			return 1;
	}
	return differ_bufs(mine, theirs, MVX_BUF_IN, d);
}

int compare_exit(const struct record *mine, const struct record *theirs,
		 struct divergence *d)
{
	if (differ_u64(d, "result", (uint64_t)theirs->call.result,
		       (uint64_t)mine->call.result))
		return 1;
	return differ_bufs(mine, theirs, MVX_BUF_OUT, d);
}

void compare_report(FILE *out, unsigned replica, pid_t pid,
		    const struct record *mine, const struct divergence *d)
{
	const struct mvx_call *c = &mine->call;
	char name[32];

	fprintf(out, "mvx: DIVERGENCE in replica %u, process %08" PRIx32
		" (pid %d), its syscall #%" PRIu32 ": %s(0x%" PRIx64 ", 0x%"
		PRIx64 ", 0x%" PRIx64 ", 0x%" PRIx64 ", 0x%" PRIx64 ", 0x%"
		PRIx64 ")\n", replica, c->vid, (int)pid, c->seq,
		policy_name(c->nr, name, sizeof(name)), c->args[0], c->args[1],
		c->args[2], c->args[3], c->args[4], c->args[5]);
	fprintf(out, "mvx:   %s: leader %s, replica %u %s\n", d->what,
		d->leader, replica, d->mine);
}
