/* record: a syscall's CALL and buffers.  The buffer bytes of a record are
 * at most MVX_REC_BYTES_MAX in all: a longer one is cut, the same way in
 * every replica (so compared as far as it goes; docs/mvx.md), and an
 * input is clamped before the leader runs it so that it never is.
 * Memory the program passes that cannot be read gives an empty buffer:
 * the kernel refuses it the same way in every replica (EFAULT). */
#include "record.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#define IOV_MAX_READ 1024	/* iovecs looked at */
#define STRV_MAX 4096		/* argv strings looked at */

/* Data buffers given up, kept for the next records (a stack): a 64 KiB
 * read's buffer handed back to the system and faulted in again for the
 * next one took a third of a follower's time on gzip (perf).  As many as
 * a follower's queue holds when its program is behind, within a budget. */
#define SPARES		64
#define SPARE_BYTES	(8u << 20)

static struct mvx_msg msg;
static unsigned char wire[MVX_MSG_MAX];

static struct {
	unsigned char *p;
	size_t cap;
} spare[SPARES];
static unsigned spares;
static size_t spare_bytes;

void record_init(struct record *r)
{
	memset(r, 0, sizeof(*r));
}

void record_free(struct record *r)
{
	if (r->data && spares < SPARES &&
	    r->cap <= SPARE_BYTES - spare_bytes) {
		spare[spares].p = r->data;
		spare[spares++].cap = r->cap;
		spare_bytes += r->cap;
	} else {
		free(r->data);
	}
	r->data = NULL;
	r->cap = 0;
}

/* The spare that fits NEED best: the smallest that holds it, else the
 * largest (grown then).  A small record that took a 64 KiB spare left a
 * small one for the next 64 KiB read, whose realloc allocated afresh:
 * 2,000 madvise calls of a follower on 16 MiB of gzip. */
static unsigned best_spare(size_t need)
{
	unsigned best = 0;

	for (unsigned i = 1; i < spares; i++) {
		bool fits = spare[i].cap >= need;
		bool best_fits = spare[best].cap >= need;

		if (fits && (!best_fits || spare[i].cap < spare[best].cap))
			best = i;
		else if (!fits && !best_fits && spare[i].cap > spare[best].cap)
			best = i;
	}
	return best;
}

/* R's data at least NEED bytes, what it holds kept: 0 or -1. */
static int reserve(struct record *r, size_t need)
{
	unsigned char *p;

	if (!r->data && spares) {
		unsigned i = best_spare(need);

		r->data = spare[i].p;
		r->cap = spare[i].cap;
		spare_bytes -= r->cap;
		spare[i] = spare[--spares];
	}
	if (need <= r->cap)
		return 0;
	p = realloc(r->data, need);
	if (!p)
		return -1;
	r->data = p;
	r->cap = need;
	return 0;
}

void record_start(struct record *r, uint32_t vid, uint32_t seq,
		  const struct tracee_call *c, enum mvx_kind kind,
		  enum mvx_fdclass fdc)
{
	unsigned char *data = r->data;
	size_t cap = r->cap;

	record_init(r);
	r->data = data;
	r->cap = cap;
	r->call.vid = vid;
	r->call.seq = seq;
	r->call.nr = (uint16_t)c->nr;
	r->call.kind = (uint8_t)kind;
	r->call.fdclass = (uint8_t)fdc;
	memcpy(r->call.args, c->args, sizeof(r->call.args));
}

size_t record_buf_at(const struct record *r, unsigned i)
{
	size_t at = 0;

	for (unsigned k = 0; k < i && k < r->call.nbuf; k++)
		at += r->call.buf[k].len;
	return at;
}

/* Room for WANT more bytes (cut to what the record has left) after the
 * USED bytes of the buffer being added: where to put them, *LEN how many
 * fit; NULL if out of memory. */
static unsigned char *grow(struct record *r, uint32_t used, uint32_t want,
			   uint32_t *len)
{
	uint32_t have = mvx_call_bytes(&r->call) + used;

	*len = want < MVX_REC_BYTES_MAX - have ? want :
	       MVX_REC_BYTES_MAX - have;
	if (reserve(r, (size_t)have + *len + 1))
		return NULL;
	return r->data + have;
}

static void commit(struct record *r, const struct pol_buf *b, uint32_t len)
{
	struct mvx_buf_desc *d = &r->call.buf[r->call.nbuf++];

	d->role = b->role;
	d->arg = b->arg;
	d->len = len;
}

static int add_plain(struct record *r, pid_t pid, uint64_t addr,
		     uint32_t want, const struct pol_buf *b)
{
	unsigned char *p;
	uint32_t len;

	p = grow(r, 0, addr ? want : 0, &len);
	if (!p)
		return -1;
	if (tracee_read(pid, addr, p, len))
		len = 0;
	commit(r, b, len);
	return 0;
}

static int add_string(struct record *r, pid_t pid, uint64_t addr,
		      const struct pol_buf *b)
{
	unsigned char *p;
	uint32_t len;
	long n;

	p = grow(r, 0, addr ? b->n : 0, &len);
	if (!p)
		return -1;
	n = len ? tracee_string(pid, addr, (char *)p, len) : -1;
	commit(r, b, n < 0 ? 0 : (uint32_t)n + 1);
	return 0;
}

/* argv: its strings one after the other, each with its NUL. */
static int add_strv(struct record *r, pid_t pid, uint64_t addr,
		    const struct pol_buf *b)
{
	uint32_t total = 0, len;
	unsigned char *p;
	uint64_t s;

	for (int i = 0; addr && i < STRV_MAX; i++, addr += sizeof(s)) {
		long n;

		if (tracee_read(pid, addr, &s, sizeof(s)) || !s)
			break;
		p = grow(r, total, 4096, &len);
		if (!p)
			return -1;
		n = len ? tracee_string(pid, s, (char *)p, len) : -1;
		if (n < 0)
			break;
		total += (uint32_t)n + 1;
	}
	commit(r, b, total);
	return 0;
}

/* An iovec array: the bytes it points at, LIMIT at most. */
static int add_iov(struct record *r, pid_t pid, uint64_t addr, uint64_t cnt,
		   uint64_t limit, const struct pol_buf *b)
{
	struct iovec iov[IOV_MAX_READ];
	uint32_t total = 0, len;
	unsigned char *p;

	if (cnt > IOV_MAX_READ || !addr ||
	    tracee_read(pid, addr, iov, cnt * sizeof(iov[0])))
		cnt = 0;
	p = grow(r, 0, limit < MVX_REC_BYTES_MAX ? (uint32_t)limit :
		 MVX_REC_BYTES_MAX, &len);
	if (!p)
		return -1;
	for (uint64_t i = 0; i < cnt && total < len; i++) {
		size_t n = iov[i].iov_len < len - total ? iov[i].iov_len :
			   len - total;

		if (tracee_read(pid, (uint64_t)iov[i].iov_base, p + total, n))
			break;
		total += (uint32_t)n;
	}
	commit(r, b, total);
	return 0;
}

static uint64_t iov_total(pid_t pid, uint64_t addr, uint64_t cnt)
{
	struct iovec iov[IOV_MAX_READ];
	uint64_t sum = 0;

	if (cnt > IOV_MAX_READ || !addr ||
	    tracee_read(pid, addr, iov, cnt * sizeof(iov[0])))
		return 0;
	for (uint64_t i = 0; i < cnt; i++)
		sum += iov[i].iov_len;
	return sum;
}

/* The iovecs of the struct msghdr at ADDR (x86-64: msg_iov at 16, its
 * count at 24), in *IOV and *CNT: 0, or -1 if unreadable. */
static int msg_iov(pid_t pid, uint64_t addr, uint64_t *iov, uint64_t *cnt)
{
	uint64_t v[2];

	if (!addr || tracee_read(pid, addr + 16, v, sizeof(v)))
		return -1;
	*iov = v[0];
	*cnt = v[1];
	return 0;
}

/* The length a value-result socklen_t at ADDR holds now (a socket
 * address: at most a sockaddr_storage). */
static uint32_t deref_len(pid_t pid, uint64_t addr)
{
	uint32_t n;

	if (!addr || tracee_read(pid, addr, &n, sizeof(n)))
		return 0;
	return n < 128 ? n : 128;
}

static int add_msg(struct record *r, pid_t pid, uint64_t addr,
		   int64_t result, const struct pol_buf *b)
{
	uint64_t iov = 0, cnt = 0;

	if (msg_iov(pid, addr, &iov, &cnt))
		iov = cnt = 0;
	return add_iov(r, pid, iov, cnt, b->role == MVX_BUF_OUT ?
		       (uint64_t)result : iov_total(pid, iov, cnt), b);
}

/* N elements of UNIT bytes, cut to what one record holds. */
static uint32_t cap(uint64_t n, uint8_t unit)
{
	if (n > MVX_REC_BYTES_MAX / (unit ? unit : 1))
		return MVX_REC_BYTES_MAX;
	return (uint32_t)n * (unit ? unit : 1);
}

static int add_buf(struct record *r, pid_t pid, const struct pol_buf *b,
		   int64_t result)
{
	const uint64_t *a = r->call.args;
	uint64_t addr = a[b->arg];

	if (b->role == MVX_BUF_OUT && result < 0)
		addr = 0;
	switch (b->size) {
	case SZ_FIXED:
		return add_plain(r, pid, addr, b->n, b);
	case SZ_ARG:
		return add_plain(r, pid, addr, cap(a[b->n], b->unit), b);
	case SZ_RESULT:
		return add_plain(r, pid, addr, cap((uint64_t)result, b->unit),
				 b);
	case SZ_FDSET:
		return add_plain(r, pid, addr, cap((a[0] + 63) / 64, 8), b);
	case SZ_STR:
		return add_string(r, pid, addr, b);
	case SZ_STRV:
		return add_strv(r, pid, addr, b);
	case SZ_IOV:
		return add_iov(r, pid, addr, a[b->n], b->role == MVX_BUF_OUT ?
			       (uint64_t)result : iov_total(pid, addr, a[b->n]),
			       b);
	case SZ_DEREF:
		return add_plain(r, pid, addr, deref_len(pid, a[b->n]), b);
	case SZ_MSG:
		return add_msg(r, pid, addr, result, b);
	case SZ_IOCTL:
		return add_plain(r, pid, addr, policy_ioctl_size(a[1]), b);
	}
	return 0;
}

int record_add_bufs(struct record *r, pid_t pid, const struct pol_entry *e,
		    enum mvx_buf_role role, int64_t result)
{
	for (unsigned i = 0; i < 3; i++) {
		const struct pol_buf *b = &e->buf[i];

		if (b->size == SZ_NONE || b->role != role)
			continue;
		if (r->call.nbuf >= MVX_BUFS_MAX || add_buf(r, pid, b, result))
			return -1;
		if (role == MVX_BUF_IN)
			policy_mask_in(r->call.nr, b->arg,
				       r->data + record_buf_at(r, r->call.nbuf - 1),
				       r->call.buf[r->call.nbuf - 1].len);
	}
	return 0;
}

/* ----- a follower takes the leader's input */

static const struct pol_buf *pol_buf_of(const struct pol_entry *e,
					const struct mvx_buf_desc *d)
{
	for (unsigned i = 0; i < 3; i++)
		if (e->buf[i].size != SZ_NONE && e->buf[i].role == d->role &&
		    e->buf[i].arg == d->arg)
			return &e->buf[i];
	return NULL;
}

static int scatter_iov(pid_t pid, uint64_t addr, uint64_t cnt,
		       const unsigned char *p, uint32_t len)
{
	struct iovec iov[IOV_MAX_READ];
	uint32_t done = 0;

	if (cnt > IOV_MAX_READ ||
	    tracee_read(pid, addr, iov, cnt * sizeof(iov[0])))
		return -1;
	for (uint64_t i = 0; i < cnt && done < len; i++) {
		size_t n = iov[i].iov_len < len - done ? iov[i].iov_len :
			   len - done;

		if (tracee_write(pid, (uint64_t)iov[i].iov_base, p + done, n))
			return -1;
		done += (uint32_t)n;
	}
	return done == len ? 0 : -1;
}

/* LEN bytes at P into where buffer B of a call of ARGS is. */
static int scatter(pid_t pid, const struct pol_buf *b, const uint64_t args[6],
		   const unsigned char *p, uint32_t len)
{
	uint64_t iov, cnt;

	if (b->size == SZ_IOV)
		return scatter_iov(pid, args[b->arg], args[b->n], p, len);
	if (b->size == SZ_MSG)
		return msg_iov(pid, args[b->arg], &iov, &cnt) ? -1 :
		       scatter_iov(pid, iov, cnt, p, len);
	return tracee_write(pid, args[b->arg], p, len);
}

int record_apply_out(const struct record *r, pid_t pid,
		     const struct pol_entry *e, const uint64_t args[6])
{
	for (unsigned i = 0; i < r->call.nbuf; i++) {
		const struct mvx_buf_desc *d = &r->call.buf[i];
		const struct pol_buf *b = pol_buf_of(e, d);
		const unsigned char *p = r->data + record_buf_at(r, i);

		if (d->role != MVX_BUF_OUT || !d->len)
			continue;
		if (!b || scatter(pid, b, args, p, d->len))
			return -1;
	}
	return 0;
}

/* ----- the wire */

static int send_msg(struct transport *t)
{
	size_t len;

	if (mvx_msg_encode(&msg, wire, sizeof(wire), &len)) {
		errno = EINVAL;
		return -1;
	}
	return t->ops->send(t, msg.type, wire, len);
}

int record_send(struct transport *t, const struct record *r)
{
	uint32_t total = mvx_call_bytes(&r->call);

	msg.type = MVX_MSG_CALL;
	msg.bytes = r->data;
	msg.u.call = r->call;
	if (send_msg(t))
		return -1;
	if (mvx_call_inline(&r->call))
		return 0;
	for (uint32_t at = 0; at < total; at += MVX_DATA_MAX) {
		struct mvx_data *d = &msg.u.data;

		msg.type = MVX_MSG_DATA;
		d->vid = r->call.vid;
		d->seq = r->call.seq;
		d->offset = at;
		d->len = total - at < MVX_DATA_MAX ? total - at : MVX_DATA_MAX;
		memcpy(d->bytes, r->data + at, d->len);
		if (send_msg(t))
			return -1;
	}
	return 0;
}

int record_send_end(struct transport *t, const struct mvx_end *e)
{
	msg.type = MVX_MSG_END;
	msg.u.end = *e;
	return send_msg(t);
}

int record_send_ack(struct transport *t, uint32_t vid, uint32_t seq)
{
	msg.type = MVX_MSG_ACK;
	msg.u.ack.vid = vid;
	msg.u.ack.seq = seq;
	return send_msg(t);
}

/* One message, decoded into msg: 0, 1 (timeout), -1. */
static int recv_msg(struct transport *t, int timeout_ms)
{
	uint16_t type;
	size_t len;
	int err = t->ops->recv(t, &type, wire, sizeof(wire), &len, timeout_ms);

	if (err)
		return err;
	err = mvx_msg_decode(type, wire, len, &msg);
	if (err) {
		fprintf(stderr, "mvx: a message of type 0x%04x, %zu bytes: %s\n",
			type, len, mvx_strerror(err));
		errno = EPROTO;
		return -1;
	}
	return 0;
}

/* The bytes of the CALL in R: in it (msg), or in the DATA messages that
 * follow it at once, in order. */
static int recv_data(struct transport *t, struct record *r)
{
	uint32_t total = mvx_call_bytes(&r->call), have = 0;

	if (reserve(r, (size_t)total + 1))
		return -1;
	if (mvx_call_inline(&r->call)) {
		memcpy(r->data, msg.bytes, total);
		return 0;
	}
	while (have < total) {
		const struct mvx_data *d = &msg.u.data;

		if (recv_msg(t, -1))
			return -1;
		if (msg.type != MVX_MSG_DATA || d->vid != r->call.vid ||
		    d->seq != r->call.seq || d->offset != have ||
		    d->len > total - have) {
			errno = EPROTO;
			return -1;
		}
		memcpy(r->data + have, d->bytes, d->len);
		have += d->len;
	}
	return 0;
}

int record_recv(struct transport *t, uint16_t *type, struct record **r,
		struct record_ctl *ctl, int timeout_ms)
{
	int err = recv_msg(t, timeout_ms);

	*r = NULL;
	if (err)
		return err;
	*type = msg.type;
	if (msg.type == MVX_MSG_END) {
		ctl->end = msg.u.end;
		return 0;
	}
	if (msg.type == MVX_MSG_ACK) {
		ctl->ack = msg.u.ack;
		return 0;
	}
	if (msg.type != MVX_MSG_CALL) {
		errno = EPROTO;
		return -1;
	}
	*r = calloc(1, sizeof(**r));
	if (!*r)
		return -1;
	(*r)->call = msg.u.call;
	if (recv_data(t, *r)) {
		record_free(*r);
		free(*r);
		*r = NULL;
		return -1;
	}
	return 0;
}
