/* mvx_session: the OPEN and HELLO payloads (mvx_session.h has the byte
 * layout). */
#include <string.h>

#include "le.h"
#include "mvx_proto.h"
#include "mvx_session.h"

/* The length of S, at most MAX (builds without POSIX's strnlen). */
static size_t bounded_len(const char *s, size_t max)
{
	const char *nul = memchr(s, '\0', max);

	return nul ? (size_t)(nul - s) : max;
}

/* Append S with its NUL to O's strings: 0, or -1 if it does not fit. */
static int put_string(struct mvx_open *o, const char *s)
{
	size_t n = strlen(s) + 1;

	if (n > MVX_OPEN_STRINGS - o->slen)
		return -1;
	memcpy(o->strings + o->slen, s, n);
	o->slen += (uint32_t)n;
	return 0;
}

int mvx_open_build(struct mvx_open *o, uint32_t session, uint32_t flags,
		   const char *cwd, char *const argv[], char *const envp[])
{
	memset(o, 0, offsetof(struct mvx_open, strings));
	o->session = session;
	o->flags = flags;
	if (!session || cwd[0] != '/' || strlen(cwd) >= MVX_CWD_MAX ||
	    put_string(o, cwd))
		return MVX_ERANGE;
	for (; argv[o->argc]; o->argc++)
		if (o->argc >= MVX_OPEN_ARGS || put_string(o, argv[o->argc]))
			return MVX_ERANGE;
	for (; envp[o->envc]; o->envc++)
		if (o->envc >= MVX_OPEN_ARGS || put_string(o, envp[o->envc]))
			return MVX_ERANGE;
	return o->argc ? 0 : MVX_ERANGE;
}

void mvx_open_split(struct mvx_open *o, const char **cwd, char **argv,
		    char **envp)
{
	char *s = o->strings;

	*cwd = s;
	s += strlen(s) + 1;
	for (unsigned i = 0; i < o->argc; i++, s += strlen(s) + 1)
		argv[i] = s;
	argv[o->argc] = NULL;
	for (unsigned i = 0; i < o->envc; i++, s += strlen(s) + 1)
		envp[i] = s;
	envp[o->envc] = NULL;
}

/* Do O's strings hold exactly 1 + argc + envc NUL-terminated ones, the
 * first an absolute path short enough? */
static int strings_valid(const struct mvx_open *o)
{
	unsigned want = 1u + o->argc + o->envc, got = 0;
	size_t cwd_len = bounded_len(o->strings, o->slen);

	if (!o->slen || o->strings[o->slen - 1] || o->strings[0] != '/' ||
	    cwd_len >= MVX_CWD_MAX)
		return 0;
	for (uint32_t i = 0; i < o->slen; i++)
		got += !o->strings[i];
	return got == want;
}

static int open_valid(const struct mvx_open *o)
{
	return o->session &&
	       !(o->flags & ~(MVX_OPEN_STRICT | MVX_OPEN_CONTINUE)) &&
	       o->argc >= 1 && o->argc <= MVX_OPEN_ARGS &&
	       o->envc <= MVX_OPEN_ARGS && o->slen <= MVX_OPEN_STRINGS &&
	       strings_valid(o);
}

int mvx_open_encode(const struct mvx_open *o, void *buf, size_t size,
		    size_t *len)
{
	unsigned char *p = buf;

	*len = 0;
	if (!open_valid(o))
		return MVX_ERANGE;
	if (size < MVX_OPEN_FIXED + o->slen)
		return MVX_ESPACE;
	put_le32(p, o->session);
	put_le32(p + 4, o->flags);
	put_le16(p + 8, o->argc);
	put_le16(p + 10, o->envc);
	put_le32(p + 12, o->slen);
	memcpy(p + MVX_OPEN_FIXED, o->strings, o->slen);
	*len = MVX_OPEN_FIXED + o->slen;
	return 0;
}

int mvx_open_decode(const void *buf, size_t len, struct mvx_open *o)
{
	const unsigned char *p = buf;

	memset(o, 0, offsetof(struct mvx_open, strings));
	if (len < MVX_OPEN_FIXED)
		return MVX_ELEN;
	o->session = get_le32(p);
	o->flags = get_le32(p + 4);
	o->argc = get_le16(p + 8);
	o->envc = get_le16(p + 10);
	o->slen = get_le32(p + 12);
	if (o->slen > MVX_OPEN_STRINGS)
		return MVX_ERANGE;
	if (len != MVX_OPEN_FIXED + o->slen)
		return MVX_ELEN;
	memcpy(o->strings, p + MVX_OPEN_FIXED, o->slen);
	if (open_valid(o))
		return 0;
	memset(o, 0, offsetof(struct mvx_open, strings));
	return MVX_ERANGE;
}

static int reason_valid(const char *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)r[i] < 0x20 || (unsigned char)r[i] > 0x7e)
			return 0;
	return 1;
}

int mvx_hello_encode(const struct mvx_hello *h, void *buf, size_t size,
		     size_t *len)
{
	size_t n = bounded_len(h->reason, MVX_REASON_MAX);
	unsigned char *p = buf;

	*len = 0;
	if (!h->session || n == MVX_REASON_MAX || !reason_valid(h->reason, n))
		return MVX_ERANGE;
	if (size < 8 + n + 1)
		return MVX_ESPACE;
	put_le32(p, h->session);
	put_le32(p + 4, (uint32_t)h->status);
	memcpy(p + 8, h->reason, n + 1);
	*len = 8 + n + 1;
	return 0;
}

int mvx_hello_decode(const void *buf, size_t len, struct mvx_hello *h)
{
	const unsigned char *p = buf;
	size_t n;

	memset(h, 0, sizeof(*h));
	if (len < 9 || len > 8 + MVX_REASON_MAX)
		return MVX_ELEN;
	n = len - 9;
	if (p[len - 1] || memchr(p + 8, '\0', n) ||
	    !reason_valid((const char *)p + 8, n) || !get_le32(p)) {
		memset(h, 0, sizeof(*h));
		return MVX_ERANGE;
	}
	h->session = get_le32(p);
	h->status = (int32_t)get_le32(p + 4);
	memcpy(h->reason, p + 8, n + 1);
	return 0;
}
