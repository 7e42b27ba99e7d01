/* mvx_proto: the payloads of the mvx monitor messages (mvx_proto.h has
 * the byte layout).  The decoder checks the length before reading a
 * field, every count, role, argument index and length against its
 * bounds, and that pad bytes are zero, so that there is exactly one
 * encoding per message; the encoder refuses what the decoder would. */
#include <string.h>

#include "le.h"
#include "mvx_proto.h"

static const char *const err_text[] = {
	[MVX_OK] = "success",
	[MVX_ETYPE] = "unknown mvx message type",
	[MVX_ELEN] = "mvx message length disagrees with its fields",
	[MVX_ERANGE] = "field out of bounds in an mvx message",
	[MVX_ESPACE] = "buffer too small for the mvx message",
};

const char *mvx_strerror(int err)
{
	if (err < 0 || (size_t)err >= sizeof(err_text) / sizeof(err_text[0]))
		return "unknown mvx message error";
	return err_text[err];
}

uint32_t mvx_call_bytes(const struct mvx_call *call)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < call->nbuf && i < MVX_BUFS_MAX; i++)
		sum += call->buf[i].len;
	return sum > UINT32_MAX ? UINT32_MAX : (uint32_t)sum;
}

uint32_t mvx_call_inline(const struct mvx_call *call)
{
	uint32_t n = mvx_call_bytes(call);

	return n <= MVX_CALL_INLINE ? n : 0;
}

/* The checks both ways: what a valid CALL is. */
static int call_valid(const struct mvx_call *c)
{
	if (c->kind >= MVX_KIND_COUNT || c->fdclass >= MVX_FDCLASS_COUNT ||
	    c->nbuf > MVX_BUFS_MAX)
		return 0;
	for (unsigned i = 0; i < c->nbuf; i++) {
		const struct mvx_buf_desc *b = &c->buf[i];

		if ((b->role != MVX_BUF_IN && b->role != MVX_BUF_OUT) ||
		    b->arg > 5 || b->len > MVX_REC_BYTES_MAX)
			return 0;
	}
	return mvx_call_bytes(c) <= MVX_REC_BYTES_MAX;
}

static int data_valid(const struct mvx_data *d)
{
	return d->len >= 1 && d->len <= MVX_DATA_MAX &&
	       d->offset <= MVX_REC_BYTES_MAX - d->len;
}

static int end_valid(const struct mvx_end *e)
{
	return e->how >= MVX_END_EXITED && e->how <= MVX_END_HOW_MAX &&
	       (e->how == MVX_END_DIVERGED ? e->count >= 1 : e->count == 0);
}

/* ----- decoding ----- */

static int decode_call(const unsigned char *p, size_t len, struct mvx_msg *m)
{
	struct mvx_call *c = &m->u.call;
	size_t head;

	if (len < MVX_CALL_FIXED)
		return MVX_ELEN;
	c->vid = get_le32(p);
	c->seq = get_le32(p + 4);
	c->nr = get_le16(p + 8);
	c->kind = p[10];
	c->fdclass = p[11];
	c->nbuf = p[12];
	if (p[13] || p[14] || p[15] || c->nbuf > MVX_BUFS_MAX)
		return MVX_ERANGE;
	head = MVX_CALL_FIXED + 8u * c->nbuf;
	if (len < head)
		return MVX_ELEN;
	for (unsigned i = 0; i < 6; i++)
		c->args[i] = get_le64(p + 16 + 8 * i);
	c->result = (int64_t)get_le64(p + 64);
	for (unsigned i = 0; i < c->nbuf; i++) {
		const unsigned char *d = p + MVX_CALL_FIXED + 8 * i;

		if (d[2] || d[3])
			return MVX_ERANGE;
		c->buf[i].role = d[0];
		c->buf[i].arg = d[1];
		c->buf[i].len = get_le32(d + 4);
	}
	if (!call_valid(c))
		return MVX_ERANGE;
	if (len != head + mvx_call_inline(c))
		return MVX_ELEN;
	m->bytes = mvx_call_inline(c) ? p + head : NULL;
	return MVX_OK;
}

static int decode_data(const unsigned char *p, size_t len, struct mvx_data *d)
{
	if (len < 13 || len > 12 + MVX_DATA_MAX)
		return MVX_ELEN;
	d->vid = get_le32(p);
	d->seq = get_le32(p + 4);
	d->offset = get_le32(p + 8);
	d->len = (uint32_t)(len - 12);
	if (!data_valid(d))
		return MVX_ERANGE;
	memcpy(d->bytes, p + 12, d->len);
	return MVX_OK;
}

static int decode_end(const unsigned char *p, size_t len, struct mvx_end *e)
{
	if (len != 12)
		return MVX_ELEN;
	if (p[1] || p[2] || p[3])
		return MVX_ERANGE;
	e->how = p[0];
	e->code = (int32_t)get_le32(p + 4);
	e->count = get_le32(p + 8);
	return end_valid(e) ? MVX_OK : MVX_ERANGE;
}

int mvx_msg_decode(uint16_t type, const void *buf, size_t len,
		   struct mvx_msg *m)
{
	const unsigned char *p = buf;
	int err;

	memset(m, 0, sizeof(*m));
	switch (type) {
	case MVX_MSG_CALL:
		err = decode_call(p, len, m);
		break;
	case MVX_MSG_DATA:
		err = decode_data(p, len, &m->u.data);
		break;
	case MVX_MSG_END:
		err = decode_end(p, len, &m->u.end);
		break;
	case MVX_MSG_ACK:
		if (len != 8) {
			err = MVX_ELEN;
			break;
		}
		m->u.ack.vid = get_le32(p);
		m->u.ack.seq = get_le32(p + 4);
		err = MVX_OK;
		break;
	default:
		err = MVX_ETYPE;
	}
	if (err)
		memset(m, 0, sizeof(*m));
	else
		m->type = type;
	return err;
}

/* ----- encoding ----- */

static void encode_call(const struct mvx_msg *m, unsigned char *p)
{
	const struct mvx_call *c = &m->u.call;
	size_t head = MVX_CALL_FIXED + 8u * c->nbuf;

	memset(p, 0, head);
	put_le32(p, c->vid);
	put_le32(p + 4, c->seq);
	put_le16(p + 8, c->nr);
	p[10] = c->kind;
	p[11] = c->fdclass;
	p[12] = c->nbuf;
	for (unsigned i = 0; i < 6; i++)
		put_le64(p + 16 + 8 * i, c->args[i]);
	put_le64(p + 64, (uint64_t)c->result);
	for (unsigned i = 0; i < c->nbuf; i++) {
		unsigned char *d = p + MVX_CALL_FIXED + 8 * i;

		d[0] = c->buf[i].role;
		d[1] = c->buf[i].arg;
		put_le32(d + 4, c->buf[i].len);
	}
	if (mvx_call_inline(c))
		memcpy(p + head, m->bytes, mvx_call_inline(c));
}

/* The length M encodes to, 0 if the decoder would refuse it. */
static size_t encoded_len(const struct mvx_msg *m)
{
	switch (m->type) {
	case MVX_MSG_CALL:
		if (!call_valid(&m->u.call) ||
		    (mvx_call_inline(&m->u.call) && !m->bytes))
			return 0;
		return MVX_CALL_FIXED + 8u * m->u.call.nbuf +
		       mvx_call_inline(&m->u.call);
	case MVX_MSG_DATA:
		return data_valid(&m->u.data) ? 12u + m->u.data.len : 0;
	case MVX_MSG_END:
		return end_valid(&m->u.end) ? 12 : 0;
	case MVX_MSG_ACK:
		return 8;
	}
	return 0;
}

int mvx_msg_encode(const struct mvx_msg *m, void *buf, size_t size,
		   size_t *len)
{
	unsigned char *p = buf;
	size_t need = encoded_len(m);

	*len = 0;
	if (!need)
		return MVX_ERANGE;
	if (need > size)
		return MVX_ESPACE;
	switch (m->type) {
	case MVX_MSG_CALL:
		encode_call(m, p);
		break;
	case MVX_MSG_DATA:
		put_le32(p, m->u.data.vid);
		put_le32(p + 4, m->u.data.seq);
		put_le32(p + 8, m->u.data.offset);
		memcpy(p + 12, m->u.data.bytes, m->u.data.len);
		break;
	case MVX_MSG_END:
		memset(p, 0, 12);
		p[0] = m->u.end.how;
		put_le32(p + 4, (uint32_t)m->u.end.code);
		put_le32(p + 8, m->u.end.count);
		break;
	case MVX_MSG_ACK:
		put_le32(p, m->u.ack.vid);
		put_le32(p + 4, m->u.ack.seq);
		break;
	}
	*len = need;
	return MVX_OK;
}
