/* mvx_div: a divergence record, its wire form and its text.  The text is
 * built from checked numbers only: a record from a hostile kernel shows
 * as what it says, never as text of its choosing. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "le.h"
#include "mvx_div.h"
#include "window_abi.h"

_Static_assert(MVX_DIV_SIZE == WINDOW_MVX_RECORD,
	       "a divergence record fills the slot's mvx_last");

static const char *const syscall_names[] = {
#include "syscall_names.inc"
};

#define NAMES (sizeof(syscall_names) / sizeof(syscall_names[0]))

static const char *const kind_names[] = {
	[MVX_IGNORE] = "ignored", [MVX_COMPARE] = "compared",
	[MVX_OUTPUT] = "output", [MVX_INPUT] = "input",
	[MVX_EXTERNAL] = "external", [MVX_REFUSE] = "refused",
};

static const char *const fdclass_names[] = {
	[MVX_FD_NONE] = "none", [MVX_FD_PLAIN] = "plain",
	[MVX_FD_EXTERNAL] = "external", [MVX_FD_RANDOM] = "random",
	[MVX_FD_COUNTER] = "counter", [MVX_FD_ANON] = "anonymous",
};

const char *mvx_syscall_name(unsigned nr, char *buf, size_t size)
{
	if (nr == MVX_NR_TSC)
		return "rdtsc";
	if (nr < NAMES && syscall_names[nr])
		return syscall_names[nr];
	snprintf(buf, size, "syscall_%u", nr);
	return buf;
}

void mvx_div_encode(const struct mvx_div *d, unsigned char buf[MVX_DIV_SIZE])
{
	memset(buf, 0, MVX_DIV_SIZE);
	put_le32(buf, d->vid);
	put_le32(buf + 4, d->seq);
	put_le32(buf + 8, d->pid);
	put_le16(buf + 12, d->nr);
	buf[14] = d->what;
	buf[15] = d->arg;
	buf[16] = d->replica;
	buf[17] = d->role;
	buf[18] = d->nleader;
	buf[19] = d->nmine;
	for (unsigned i = 0; i < 6; i++)
		put_le64(buf + 20 + 8 * i, d->args[i]);
	put_le64(buf + 68, d->offset);
	put_le64(buf + 76, d->leader);
	put_le64(buf + 84, d->mine);
	put_le32(buf + 92, d->len_leader);
	put_le32(buf + 96, d->len_mine);
}

static int div_valid(const struct mvx_div *d, uint32_t pad)
{
	bool buf = d->what == MVX_DIV_BUF;

	if (pad || d->what < MVX_DIV_NR || d->what > MVX_DIV_WHAT_MAX ||
	    d->arg > 5 || d->replica < 1 ||
	    d->replica >= WINDOW_MAX_PARTITIONS)
		return 0;
	if (!buf)
		return !d->role && !d->nleader && !d->nmine;
	return (d->role == MVX_BUF_IN || d->role == MVX_BUF_OUT) &&
	       d->nleader <= MVX_DIV_SHOW && d->nmine <= MVX_DIV_SHOW &&
	       d->offset + d->nleader <= d->len_leader &&
	       d->offset + d->nmine <= d->len_mine;
}

int mvx_div_decode(const unsigned char buf[MVX_DIV_SIZE], struct mvx_div *d)
{
	memset(d, 0, sizeof(*d));
	d->vid = get_le32(buf);
	d->seq = get_le32(buf + 4);
	d->pid = get_le32(buf + 8);
	d->nr = get_le16(buf + 12);
	d->what = buf[14];
	d->arg = buf[15];
	d->replica = buf[16];
	d->role = buf[17];
	d->nleader = buf[18];
	d->nmine = buf[19];
	for (unsigned i = 0; i < 6; i++)
		d->args[i] = get_le64(buf + 20 + 8 * i);
	d->offset = get_le64(buf + 68);
	d->leader = get_le64(buf + 76);
	d->mine = get_le64(buf + 84);
	d->len_leader = get_le32(buf + 92);
	d->len_mine = get_le32(buf + 96);
	if (div_valid(d, get_le32(buf + 100)))
		return 0;
	memset(d, 0, sizeof(*d));
	return MVX_ERANGE;
}

char *mvx_div_what_text(const struct mvx_div *d, char *buf, size_t size)
{
	static const char *const plain[] = {
		[MVX_DIV_NR] = "syscall number",
		[MVX_DIV_SEQ] = "syscall sequence number",
		[MVX_DIV_FDCLASS] = "fd class", [MVX_DIV_KIND] = "policy kind",
		[MVX_DIV_NBUF] = "number of buffers",
		[MVX_DIV_BUFARG] = "buffer's argument",
		[MVX_DIV_RESULT] = "result",
		[MVX_DIV_EXTRA] = "the syscall itself",
		[MVX_DIV_END] = "the program's end",
		[MVX_DIV_SIGNAL] = "a signal before the syscall",
	};

	if (d->what == MVX_DIV_ARG)
		snprintf(buf, size, "argument %u", d->arg);
	else if (d->what == MVX_DIV_BUF)
		snprintf(buf, size, "buffer of arg %u (%s, %" PRIu32 " bytes "
			 "in the leader, %" PRIu32 " here) at byte offset %"
			 PRIu64, d->arg, d->role == MVX_BUF_IN ? "in" : "out",
			 d->len_leader, d->len_mine, d->offset);
	else if (d->what >= MVX_DIV_NR && d->what <= MVX_DIV_WHAT_MAX)
		snprintf(buf, size, "%s", plain[d->what]);
	else
		snprintf(buf, size, "unknown (%u)", d->what);
	return buf;
}

/* N bytes of V (little-endian: the order they were in memory), in hex;
 * "(end: LEN bytes)" when none is left at the offset. */
static void bytes_text(char *out, size_t size, uint64_t v, unsigned n,
		       uint32_t len)
{
	size_t used;

	if (!n) {
		snprintf(out, size, "(end: %" PRIu32 " bytes)", len);
		return;
	}
	used = (size_t)snprintf(out, size, "0x");
	for (unsigned i = 0; i < n && used < size; i++)
		used += (size_t)snprintf(out + used, size - used, "%02x",
					 (unsigned)(v >> (8 * i)) & 0xff);
}

static const char *named(const char *const *names, size_t count, uint64_t v)
{
	return v < count && names[v] ? names[v] : "?";
}

static void end_text(char *out, size_t size, uint64_t v)
{
	uint32_t how = (uint32_t)(v >> 32);
	int32_t code = (int32_t)(uint32_t)v;

	if (how == MVX_END_SIGNALED)
		snprintf(out, size, "killed by signal %" PRId32, code);
	else if (how == MVX_END_EXITED)
		snprintf(out, size, "exited with status %" PRId32, code);
	else
		snprintf(out, size, "ended abnormally (%" PRIu32 ")", how);
}

/* One side's value, as the kind of difference wants it shown. */
static void value_text(const struct mvx_div *d, bool leader, char *out,
		       size_t size)
{
	uint64_t v = leader ? d->leader : d->mine;

	switch (d->what) {
	case MVX_DIV_BUF:
		bytes_text(out, size, v, leader ? d->nleader : d->nmine,
			   leader ? d->len_leader : d->len_mine);
		break;
	case MVX_DIV_FDCLASS:
		snprintf(out, size, "%s", named(fdclass_names,
			 sizeof(fdclass_names) / sizeof(*fdclass_names), v));
		break;
	case MVX_DIV_KIND:
		snprintf(out, size, "%s", named(kind_names,
			 sizeof(kind_names) / sizeof(*kind_names), v));
		break;
	case MVX_DIV_EXTRA:
		if (!leader)
			snprintf(out, size, "made it");
		else if (v == MVX_DIV_PROGRAM_ENDED)
			snprintf(out, size, "none (its program had ended)");
		else
			snprintf(out, size, "none (its process ended, wait "
				 "status 0x%" PRIx64 ")", v);
		break;
	case MVX_DIV_END:
		end_text(out, size, v);
		break;
	case MVX_DIV_SIGNAL:
		if (leader)
			snprintf(out, size, "took signal %" PRIu64, v);
		else
			snprintf(out, size, "has it blocked");
		break;
	default:
		snprintf(out, size, "0x%" PRIx64, v);
	}
}

char *mvx_div_format(const struct mvx_div *d, char *buf, size_t size)
{
	char name[32], what[160], a[64], b[64];
	int n;

	value_text(d, true, a, sizeof(a));
	value_text(d, false, b, sizeof(b));
	mvx_div_what_text(d, what, sizeof(what));
	if (d->what == MVX_DIV_END)
		n = snprintf(buf, size, "mvx: DIVERGENCE in replica %u: the "
			     "program's end\n", d->replica);
	else
		n = snprintf(buf, size, "mvx: DIVERGENCE in replica %u, "
			     "process %08" PRIx32 " (pid %" PRIu32 "), its "
			     "syscall #%" PRIu32 ": %s(0x%" PRIx64 ", 0x%"
			     PRIx64 ", 0x%" PRIx64 ", 0x%" PRIx64 ", 0x%"
			     PRIx64 ", 0x%" PRIx64 ")\n", d->replica, d->vid,
			     d->pid, d->seq,
			     mvx_syscall_name(d->nr, name, sizeof(name)),
			     d->args[0], d->args[1], d->args[2], d->args[3],
			     d->args[4], d->args[5]);
	if (n >= 0 && (size_t)n < size)
		snprintf(buf + n, size - (size_t)n, "mvx:   %s: leader %s, "
			 "replica %u %s\n", what, a, d->replica, b);
	return buf;
}
