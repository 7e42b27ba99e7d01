/* rep_proto: the payloads of the repd session messages (rep_proto.h has
 * the byte layout).  Integers are put and got byte by byte, little-endian.
 * The decoder takes every payload as hostile: it checks the length before
 * reading a field, looks for a text's NUL only within the payload and the
 * field, and copies nothing it has not checked.
 *
 * The encoder never sends what the decoder would refuse, so that one repd
 * never makes another end the session.  It refuses session 0 and counts,
 * lengths and line numbers out of bounds.  Texts too long for their field
 * are cut (rep_proto.h); a reason's or a line's text, only ever shown in
 * reports, also has every byte that is not printable replaced by '?' (a
 * line of a shell's output may well hold UTF-8); a cwd, which the members
 * act on, is refused instead (REP_ETEXT): another path would be wrong. */
#include <string.h>

#include "le.h"
#include "rep_proto.h"

static const char *const err_text[] = {
	[REP_OK] = "success",
	[REP_ETYPE] = "unknown session message type",
	[REP_ELEN] = "session message length disagrees with its fields",
	[REP_ERANGE] = "count or length out of bounds in a session message",
	[REP_ETEXT] = "text unterminated or not printable in a session message",
	[REP_ESESSION] = "session id 0 in a session message",
	[REP_ESPACE] = "buffer too small for the session message",
};

const char *rep_strerror(int err)
{
	if (err < 0 || (size_t)err >= sizeof(err_text) / sizeof(err_text[0]))
		return "unknown session message error";
	return err_text[err];
}

/* Bytes before TYPE's text or array (the whole payload for LINE_REQ and
 * CLOSE); 0: not a type of ours. */
static size_t fixed_len(uint16_t type)
{
	switch (type) {
	case REP_MSG_OPEN:
	case REP_MSG_DIGESTS:
		return 12;
	case REP_MSG_READY:
	case REP_MSG_LINE_REQ:
	case REP_MSG_LINE:
	case REP_MSG_CLOSE:
		return 8;
	case REP_MSG_INPUT:
		return 4;
	}
	return 0;
}

/* Printable ASCII; TAB as well if TAB is set (a reason, a line). */
static int printable(const char *s, size_t len, int tab)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 || c > 0x7e) && !(tab && c == '\t'))
			return 0;
	}
	return 1;
}

/* Lines count from 1: FIRST and the COUNT - 1 after it must be numbers
 * of lines, without wrapping around 2^32. */
static int lines_in_range(uint32_t first, uint32_t count)
{
	return first && first - 1 <= UINT32_MAX - count;
}

/* ----- decoding ----- */

/* The text at P, the last REST bytes of the payload, into DST, a field of
 * SIZE bytes: its NUL must be within the field and the payload's last
 * byte. */
static int get_text(char *dst, size_t size, const unsigned char *p,
		    size_t rest, int tab)
{
	const unsigned char *nul = memchr(p, '\0', rest < size ? rest : size);

	if (!nul)
		return REP_ETEXT;
	if ((size_t)(nul - p) + 1 != rest)
		return REP_ELEN;
	if (!printable((const char *)p, rest - 1, tab))
		return REP_ETEXT;
	memcpy(dst, p, rest);
	return REP_OK;
}

static int get_open(struct rep_msg *m, const unsigned char *p, size_t len)
{
	m->u.open.members = get_le32(p + 4);
	m->u.open.rows = get_le16(p + 8);
	m->u.open.cols = get_le16(p + 10);
	return get_text(m->u.open.cwd, sizeof(m->u.open.cwd), p + 12, len - 12,
			0);
}

static int get_ready(struct rep_msg *m, const unsigned char *p, size_t len)
{
	m->u.ready.status = (int32_t)get_le32(p + 4);
	return get_text(m->u.ready.reason, sizeof(m->u.ready.reason), p + 8,
			len - 8, 1);
}

static int get_input(struct rep_msg *m, const unsigned char *p, size_t len)
{
	if (len - 4 < 1 || len - 4 > REP_INPUT_MAX)
		return REP_ERANGE;
	m->u.input.len = (uint32_t)(len - 4);
	memcpy(m->u.input.data, p + 4, len - 4);
	return REP_OK;
}

static int get_digests(struct rep_msg *m, const unsigned char *p, size_t len)
{
	uint32_t first = get_le32(p + 4), count = get_le32(p + 8);

	if (count < 1 || count > REP_DIGESTS_MAX ||
	    !lines_in_range(first, count))
		return REP_ERANGE;
	if (len != 12 + 4 * (size_t)count)
		return REP_ELEN;
	m->u.digests.first = first;
	m->u.digests.count = count;
	for (uint32_t i = 0; i < count; i++)
		m->u.digests.hash[i] = get_le32(p + 12 + 4 * (size_t)i);
	return REP_OK;
}

static int get_line_req(struct rep_msg *m, const unsigned char *p, size_t len)
{
	if (len != 8)
		return REP_ELEN;
	m->u.line_req.line = get_le32(p + 4);
	return m->u.line_req.line ? REP_OK : REP_ERANGE;
}

static int get_line(struct rep_msg *m, const unsigned char *p, size_t len)
{
	m->u.line.line = get_le32(p + 4);
	if (!m->u.line.line)
		return REP_ERANGE;
	return get_text(m->u.line.text, sizeof(m->u.line.text), p + 8, len - 8,
			1);
}

static int get_close(struct rep_msg *m, const unsigned char *p, size_t len)
{
	if (len != 8)
		return REP_ELEN;
	m->u.close.status = (int32_t)get_le32(p + 4);
	return REP_OK;
}

/* LEN is at least the type's fixed part. */
static int get_body(struct rep_msg *m, const unsigned char *p, size_t len)
{
	switch (m->type) {
	case REP_MSG_OPEN:
		return get_open(m, p, len);
	case REP_MSG_READY:
		return get_ready(m, p, len);
	case REP_MSG_INPUT:
		return get_input(m, p, len);
	case REP_MSG_DIGESTS:
		return get_digests(m, p, len);
	case REP_MSG_LINE_REQ:
		return get_line_req(m, p, len);
	case REP_MSG_LINE:
		return get_line(m, p, len);
	case REP_MSG_CLOSE:
		return get_close(m, p, len);
	}
	return REP_ETYPE;
}

/* A refused payload leaves *M all zero: nothing half-decoded survives. */
int rep_msg_decode(uint16_t type, const void *buf, size_t len,
		   struct rep_msg *m)
{
	const unsigned char *p = buf;
	size_t fixed = fixed_len(type);
	int err;

	memset(m, 0, sizeof(*m));
	if (!fixed)
		return REP_ETYPE;
	if (len < fixed)
		return REP_ELEN;
	m->type = type;
	m->session = get_le32(p);
	err = m->session ? get_body(m, p, len) : REP_ESESSION;
	if (err)
		memset(m, 0, sizeof(*m));
	return err;
}

/* ----- encoding ----- */

/* Length of the text in the SIZE-byte field S, cut to SIZE - 1 bytes. */
static size_t text_len(const char *s, size_t size)
{
	const char *nul = memchr(s, '\0', size - 1);

	return nul ? (size_t)(nul - s) : size - 1;
}

/* Checks *M and sets *NEED to its payload length.  Only a cwd must be
 * printable as it is; other texts are made so by put_text(). */
static int measure(const struct rep_msg *m, size_t *need)
{
	size_t fixed = fixed_len(m->type), n = 0;
	const char *text = NULL;

	switch (m->type) {
	case REP_MSG_OPEN:
		text = m->u.open.cwd;
		n = text_len(text, sizeof(m->u.open.cwd));
		if (!printable(text, n, 0))
			return REP_ETEXT;
		break;
	case REP_MSG_READY:
		text = m->u.ready.reason;
		n = text_len(text, sizeof(m->u.ready.reason));
		break;
	case REP_MSG_INPUT:
		if (m->u.input.len < 1 || m->u.input.len > REP_INPUT_MAX)
			return REP_ERANGE;
		n = m->u.input.len;
		break;
	case REP_MSG_DIGESTS:
		if (m->u.digests.count < 1 ||
		    m->u.digests.count > REP_DIGESTS_MAX ||
		    !lines_in_range(m->u.digests.first, m->u.digests.count))
			return REP_ERANGE;
		n = 4 * (size_t)m->u.digests.count;
		break;
	case REP_MSG_LINE_REQ:
		if (!m->u.line_req.line)
			return REP_ERANGE;
		break;
	case REP_MSG_LINE:
		if (!m->u.line.line)
			return REP_ERANGE;
		text = m->u.line.text;
		n = text_len(text, sizeof(m->u.line.text));
		break;
	case REP_MSG_CLOSE:
		break;
	default:
		return REP_ETYPE;
	}
	*need = fixed + n + (text ? 1 : 0);
	return REP_OK;
}

/* The text S, cut as text_len() says, its bytes that are not printable
 * (TAB is, with TAB set) as '?', then its NUL, at P. */
static void put_text(unsigned char *p, const char *s, size_t size, int tab)
{
	size_t n = text_len(s, size);

	for (size_t i = 0; i < n; i++)
		p[i] = printable(s + i, 1, tab) ? (unsigned char)s[i] : '?';
	p[n] = '\0';
}

static void put_digests(unsigned char *p, const struct rep_msg *m)
{
	put_le32(p + 4, m->u.digests.first);
	put_le32(p + 8, m->u.digests.count);
	for (uint32_t i = 0; i < m->u.digests.count; i++)
		put_le32(p + 12 + 4 * (size_t)i, m->u.digests.hash[i]);
}

/* *M has been measured: P has room for all of it. */
static void put_body(unsigned char *p, const struct rep_msg *m)
{
	put_le32(p, m->session);
	switch (m->type) {
	case REP_MSG_OPEN:
		put_le32(p + 4, m->u.open.members);
		put_le16(p + 8, m->u.open.rows);
		put_le16(p + 10, m->u.open.cols);
		put_text(p + 12, m->u.open.cwd, sizeof(m->u.open.cwd), 0);
		break;
	case REP_MSG_READY:
		put_le32(p + 4, (uint32_t)m->u.ready.status);
		put_text(p + 8, m->u.ready.reason, sizeof(m->u.ready.reason),
			 1);
		break;
	case REP_MSG_INPUT:
		memcpy(p + 4, m->u.input.data, m->u.input.len);
		break;
	case REP_MSG_DIGESTS:
		put_digests(p, m);
		break;
	case REP_MSG_LINE_REQ:
		put_le32(p + 4, m->u.line_req.line);
		break;
	case REP_MSG_LINE:
		put_le32(p + 4, m->u.line.line);
		put_text(p + 8, m->u.line.text, sizeof(m->u.line.text), 1);
		break;
	case REP_MSG_CLOSE:
		put_le32(p + 4, (uint32_t)m->u.close.status);
		break;
	}
}

int rep_msg_encode(const struct rep_msg *m, void *buf, size_t size,
		   size_t *len)
{
	size_t need = 0;
	int err;

	*len = 0;
	if (!fixed_len(m->type))
		return REP_ETYPE;
	if (!m->session)
		return REP_ESESSION;
	err = measure(m, &need);
	if (err)
		return err;
	if (!buf || size < need)
		return REP_ESPACE;
	put_body(buf, m);
	*len = need;
	return REP_OK;
}
