#define _GNU_SOURCE
#include "matcher.h"
#include "base/base.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void matcher_init(struct console_matcher *m)
{
	memset(m, 0, sizeof(*m));
	m->cap = 4096;
	m->buf = xmalloc(m->cap);
	m->buf[0] = '\0';
	m->watch_failures = true;
}

void matcher_free(struct console_matcher *m)
{
	if (m->re)
		regfree(&m->rx);
	free(m->re);
	free(m->buf);
	free(m->head);
	memset(m, 0, sizeof(*m));
}

size_t matcher_clamp(const struct console_matcher *m, size_t off)
{
	if (off < m->base)
		return m->base;
	return off < m->len ? off : m->len;
}

const char *matcher_at(const struct console_matcher *m, size_t off)
{
	return m->buf + (matcher_clamp(m, off) - m->base);
}

/* Whether offset OFF (held, or the oldest held) starts a line. */
static bool at_line_start(const struct console_matcher *m, size_t off)
{
	if (off == 0)
		return true;
	if (off > m->base)
		return m->buf[off - 1 - m->base] == '\n';
	return m->base_bol;
}

static void scan_failures(struct console_matcher *m);

/* Drop the text before the first offset worth holding (matcher.h): the
 * cursor or the last MATCHER_KEEP bytes, whichever is older, but no more
 * than MATCHER_MAX / 2 bytes back; moved back to the start of its line
 * when that is near, so that the line being matched there stays whole. */
static void trim(struct console_matcher *m)
{
	size_t from = m->len > MATCHER_KEEP ? m->len - MATCHER_KEEP : 0;
	size_t floor = m->len > MATCHER_MAX / 2 ? m->len - MATCHER_MAX / 2 : 0, nl;

	if (m->cursor < from)
		from = m->cursor;
	if (from < floor)
		from = floor;
	for (nl = from; nl > m->base && from - nl < MATCHER_KEEP; nl--)
		if (m->buf[nl - 1 - m->base] == '\n') {
			from = nl;
			break;
		}
	if (from <= m->base)
		return;
	/* Failure reports in what goes are found before it goes. */
	scan_failures(m);
	m->base_bol = m->buf[from - 1 - m->base] == '\n';
	memmove(m->buf, m->buf + (from - m->base), m->len - from + 1);
	m->base = from;
	m->cursor = matcher_clamp(m, m->cursor);
	m->scanned = matcher_clamp(m, m->scanned);
	m->searched = matcher_clamp(m, m->searched);
	m->search_cursor = matcher_clamp(m, m->search_cursor);
}

/* The first MATCHER_HEAD bytes, kept apart from the bound. */
static void keep_head(struct console_matcher *m, const char *text, size_t len)
{
	if (m->head_len >= MATCHER_HEAD)
		return;
	if (len > MATCHER_HEAD - m->head_len)
		len = MATCHER_HEAD - m->head_len;
	m->head = xrealloc(m->head, m->head_len + len + 1);
	memcpy(m->head + m->head_len, text, len);
	m->head_len += len;
	m->head[m->head_len] = '\0';
}

/* Append at most MATCHER_MAX / 4 bytes.  NULs are dropped: the buffer is
 * a C string for regexec. */
static void feed_some(struct console_matcher *m, const char *data, size_t len)
{
	size_t i, held, from = m->len;

	if (m->len - m->base + len > MATCHER_MAX)
		trim(m);
	held = m->len - m->base;
	if (held + len + 1 > m->cap) {
		while (held + len + 1 > m->cap)
			m->cap *= 2;
		if (m->cap > MATCHER_MAX + 1)
			m->cap = MATCHER_MAX + 1;
		m->buf = xrealloc(m->buf, m->cap);
	}
	for (i = 0; i < len; i++)
		if (data[i] != '\0')
			m->buf[m->len++ - m->base] = data[i];
	m->buf[m->len - m->base] = '\0';
	keep_head(m, m->buf + (from - m->base), m->len - from);
}

void matcher_feed(struct console_matcher *m, const char *data, size_t len)
{
	size_t n;

	for (; len; data += n, len -= n) {
		n = len < MATCHER_MAX / 4 ? len : MATCHER_MAX / 4;
		feed_some(m, data, n);
	}
}

/* The guest's tty ends lines with CR LF (CR CR LF where it wraps a long
 * line).  Matching runs on a copy of the text after the cursor without the
 * CRs that end a line, so that `42$` matches "42\r\n"; a CR elsewhere
 * stays.  view_step steps over buf[I] or the run of CRs there, and says
 * whether it is in that copy. */
static size_t view_step(const struct console_matcher *m, size_t i, bool *kept)
{
	size_t run = i;

	while (run < m->len && m->buf[run - m->base] == '\r')
		run++;
	*kept = !(run > i && run < m->len && m->buf[run - m->base] == '\n');
	return run > i ? run : i + 1;
}

static char *match_view(const struct console_matcher *m, size_t from)
{
	char *view = xmalloc(m->len - from + 1), *v = view;
	size_t i, next;
	bool kept;

	for (i = from; i < m->len; i = next) {
		next = view_step(m, i, &kept);
		if (kept) {
			memcpy(v, m->buf + (i - m->base), next - i);
			v += next - i;
		}
	}
	*v = '\0';
	return view;
}

/* The offset in buf of byte OFF of the view from FROM (the end of buf
 * for the end of the view). */
static size_t view_to_buf(const struct console_matcher *m, size_t from,
			  size_t off)
{
	size_t i, next, seen = 0;
	bool kept;

	for (i = from; i < m->len; i = next) {
		next = view_step(m, i, &kept);
		if (!kept)
			continue;
		if (off < seen + (next - i))
			return i + (off - seen);
		seen += next - i;
	}
	return m->len;
}

static int compile(regex_t *rx, const char *re, const char *who)
{
	char msg[128];
	int rc = regcomp(rx, re, REG_EXTENDED | REG_NEWLINE);

	if (rc) {
		regerror(rc, rx, msg, sizeof(msg));
		log_error("%s: invalid regular expression /%s/: %s", who, re, msg);
		return -1;
	}
	return 0;
}

/* Make RE the pattern looked for, compiled, its search from the cursor
 * starting afresh.  0 or -1 (reported). */
static int use_pattern(struct console_matcher *m, const char *re,
		       const char *who)
{
	regex_t rx;

	if (m->re && !strcmp(m->re, re))
		return 0;
	if (compile(&rx, re, who) < 0)
		return -1;
	if (m->re)
		regfree(&m->rx);
	free(m->re);
	m->re = xstrdup(re);
	m->rx = rx;
	/* With REG_NEWLINE only a newline in the pattern itself matches
	 * one: without it, a match lies within one line. */
	m->line_bound = !strchr(re, '\n');
	m->search_cursor = m->searched = m->cursor;
	return 0;
}

/* REG_NEWLINE: ^ and $ match at line starts and ends, and . and [^x]
 * never cross a line.  REG_NOTEOL: the end of what has arrived so far is
 * not the end of a line (the rest of it may come with the next read), and
 * REG_NOTBOL when the search starts in the middle of a line. */
int matcher_find_as(struct console_matcher *m, const char *re, const char *who,
		    size_t *start, size_t *end)
{
	int flags = REG_NOTEOL;
	regmatch_t match;
	size_t from, s, e;
	const char *nl;
	char *view;

	if (use_pattern(m, re, who) < 0)
		return -1;
	if (m->search_cursor != m->cursor)
		m->search_cursor = m->searched = m->cursor;
	from = m->line_bound ? m->searched : m->cursor;
	if (!at_line_start(m, from))
		flags |= REG_NOTBOL;
	view = match_view(m, from);
	m->examined += m->len - from;
	if (regexec(&m->rx, view, 1, &match, flags)) {
		free(view);
		/* Complete lines cannot match later: start at the last one
		 * still arriving. */
		nl = m->len > from ? memrchr(matcher_at(m, from), '\n', m->len - from) : NULL;
		if (nl)
			m->searched = (size_t)(nl - m->buf) + m->base + 1;
		return 0;
	}
	free(view);
	/* The end is just after the last byte matched, before any CR. */
	s = view_to_buf(m, from, (size_t)match.rm_so);
	e = match.rm_eo > match.rm_so ?
	    view_to_buf(m, from, (size_t)match.rm_eo - 1) + 1 : s;
	m->cursor = e;
	if (start)
		*start = s;
	if (end)
		*end = e;
	return 1;
}

int matcher_find(struct console_matcher *m, const char *re, size_t *start,
		 size_t *end)
{
	return matcher_find_as(m, re, "console", start, end);
}

/* The first lines of the kernel's reports of a failure (panic(), die(),
 * BUG(), the lockup detectors).  Later lines (Call Trace:, RIP:) also
 * appear in harmless warnings, so they are not failures alone. */
static const char *const failure_starts[] = {
	"Kernel panic - not syncing",
	"---[ end Kernel panic",
	"Oops:",
	"BUG:",
	"kernel BUG at",
	"general protection fault",
	"watchdog: BUG: soft lockup",
	"Watchdog detected hard LOCKUP",
	"NMI watchdog: Watchdog detected hard LOCKUP",
};

/* Skip a printk prefix tag "[    1.234567]" or "[    T1]" / "[  C0]"
 * (CONFIG_PRINTK_CALLER) and one space after it; P if there is none. */
static const char *skip_tag(const char *p, const char *end)
{
	const char *q = p;

	if (q >= end || *q++ != '[')
		return p;
	while (q < end && *q == ' ')
		q++;
	if (q < end && (*q == 'T' || *q == 'C'))
		q++;
	if (q >= end || *q < '0' || *q > '9')
		return p;
	while (q < end && ((*q >= '0' && *q <= '9') || *q == '.'))
		q++;
	if (q >= end || *q++ != ']')
		return p;
	if (q < end && *q == ' ')
		q++;
	return q;
}

static bool failure_at(const char *p, const char *end)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(failure_starts); i++) {
		size_t n = strlen(failure_starts[i]);

		if ((size_t)(end - p) >= n && !memcmp(p, failure_starts[i], n))
			return true;
	}
	return false;
}

/* A failure report starts a kernel line: at the start of the line, or
 * after a printk time stamp where the kernel broke into a line of user
 * output (without time stamps, the next lines of the report are at line
 * starts: "Oops:" after "BUG:", "---[ end Kernel panic" after a panic). */
static bool failure_line(const char *line, const char *end)
{
	const char *p = line, *q;

	while (p < end && *p == '\r')
		p++;
	for (q = p; q; q = memchr(q + 1, '[', (size_t)(end - q - 1))) {
		const char *s = q, *t;

		while ((t = skip_tag(s, end)) != s)
			s = t;
		if ((s != q || q == p) && failure_at(s, end))
			return true;
		if (q + 1 >= end)
			break;
	}
	return false;
}

static void record_failure(struct console_matcher *m, const char *line,
			   const char *end)
{
	size_t n = 0;

	for (; line < end && n + 1 < sizeof(m->failure); line++)
		if (*line != '\r')
			m->failure[n++] = *line;
	m->failure[n] = '\0';
}

/* Check the complete lines not checked yet, until a failure is found. */
static void scan_failures(struct console_matcher *m)
{
	char *nl;

	while (!m->failure[0] &&
	       (nl = memchr(matcher_at(m, m->scanned), '\n', m->len - m->scanned))) {
		const char *line = matcher_at(m, m->scanned);

		if (failure_line(line, nl))
			record_failure(m, line, nl);
		m->scanned = (size_t)(nl - m->buf) + m->base + 1;
	}
}

bool matcher_failed(struct console_matcher *m)
{
	if (!m->watch_failures)
		return false;
	scan_failures(m);
	return m->failure[0] != '\0';
}

/* The last LINES lines of M (a final newline ends the last line rather
 * than starting an empty one), each prefixed with INDENT, CRs dropped and
 * other control bytes shown as ^X so that a guest's terminal escapes do
 * not drive the user's terminal. */
char *matcher_tail(const struct console_matcher *m, unsigned lines,
		   const char *indent)
{
	size_t end = m->len - m->base, start, i, ilen = strlen(indent);
	unsigned n = 0;
	char *out, *o;

	/* Indexes into buf: the tail is what the matcher holds. */
	if (end > 0 && m->buf[end - 1] == '\n')
		end--;
	for (start = end; lines && start > 0; start--)
		if (m->buf[start - 1] == '\n' && ++n == lines)
			break;
	o = out = xmalloc(2 * (end - start) + (n + 1) * ilen + 1);
	for (i = start; i < end; i++) {
		unsigned char ch = (unsigned char)m->buf[i];

		if (i == start || m->buf[i - 1] == '\n')
			o = stpcpy(o, indent);
		if (ch == '\r')
			continue;
		if ((ch < 0x20 && ch != '\n' && ch != '\t') || ch == 0x7f) {
			*o++ = '^';
			ch ^= 0x40;
		}
		*o++ = (char)ch;
	}
	*o = '\0';
	return out;
}
