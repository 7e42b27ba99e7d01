#include "results_fmt.h"
#include "xmlutil.h"
#include "util.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REPLACEMENT "\xef\xbf\xbd"	/* U+FFFD in UTF-8 */

/* Room for N more bytes and the NUL. */
static void sb_grow(struct strbuf *sb, size_t n)
{
	if (sb->len + n + 1 > sb->cap) {
		sb->cap = (sb->len + n + 1) * 2;
		sb->s = xrealloc(sb->s, sb->cap);
	}
}

void sb_add(struct strbuf *sb, const void *data, size_t n)
{
	sb_grow(sb, n);
	memcpy(sb->s + sb->len, data, n);
	sb->len += n;
	sb->s[sb->len] = '\0';
}

void sb_puts(struct strbuf *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}

void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	sb_grow(sb, 64);
	va_start(ap, fmt);
	n = vsnprintf(sb->s + sb->len, sb->cap - sb->len, fmt, ap);
	va_end(ap);
	if (n < 0) {
		sb->s[sb->len] = '\0';
		return;
	}
	if ((size_t)n >= sb->cap - sb->len) {
		sb_grow(sb, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(sb->s + sb->len, sb->cap - sb->len, fmt, ap);
		va_end(ap);
	}
	sb->len += (size_t)n;
}

char *sb_detach(struct strbuf *sb)
{
	char *s;

	sb_add(sb, "", 0);
	s = sb->s;
	sb->s = NULL;
	sb->len = sb->cap = 0;
	return s;
}

void sb_release(struct strbuf *sb)
{
	free(sb->s);
	sb->s = NULL;
	sb->len = sb->cap = 0;
}

int sb_write(struct strbuf *sb, const char *dir, const char *name)
{
	char *path = xasprintf("%s/%s", dir, name);
	int ret = write_file_atomic(path, sb->s ? sb->s : "", sb->len, 0644);

	free(path);
	sb_release(sb);
	return ret;
}

/* Length of the valid UTF-8 sequence at S (N > 0 bytes left) and its code
 * point, or 0: overlong forms, surrogates, code points past U+10FFFF and
 * cut sequences are not UTF-8. */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t v, min;
	size_t len, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2, v = s[0] & 0x1f, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3, v = s[0] & 0x0f, min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4, v = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

/* What code point CP becomes in XML, or NULL when it stays as it is:
 * in an attribute value, also the white space a parser would normalise. */
static const char *xml_cp_entity(uint32_t cp, bool attr)
{
	if (attr && cp == '\n')
		return "&#10;";
	if (attr && cp == '\t')
		return "&#9;";
	return xml_entity(cp);
}

/* Add code point CP (bytes S, LEN) as text; XML entities if XML. */
static void add_cp(struct strbuf *sb, const char *s, size_t len, uint32_t cp,
		   bool xml, bool attr)
{
	const char *ent = xml ? xml_cp_entity(cp, attr) : NULL;
	char pic[3];

	if (ent) {
		sb_puts(sb, ent);
	} else if (cp == '\t' || cp == '\n') {
		sb_add(sb, s, len);
	} else if (cp < 0x20 || cp == 0x7f) {
		/* U+2400 + CP, or U+2421 for DEL */
		pic[0] = '\xe2';
		pic[1] = '\x90';
		pic[2] = (char)(cp == 0x7f ? 0xa1 : 0x80 + cp);
		sb_add(sb, pic, 3);
	} else if ((cp >= 0x80 && cp <= 0x9f) || cp == 0xfffe || cp == 0xffff) {
		/* C1 controls mean nothing on a UTF-8 console; U+FFFE and
		 * U+FFFF are not XML characters */
		sb_puts(sb, REPLACEMENT);
	} else {
		sb_add(sb, s, len);
	}
}

static void add_text(struct strbuf *sb, const char *s, size_t n, bool xml,
		     bool attr)
{
	size_t i = 0, len;
	uint32_t cp;

	while (i < n) {
		len = utf8_seq((const unsigned char *)s + i, n - i, &cp);
		if (!len) {
			sb_puts(sb, REPLACEMENT);
			i++;
			continue;
		}
		if (!(cp == '\r' && i + 1 < n && s[i + 1] == '\n'))
			add_cp(sb, s + i, len, cp, xml, attr);
		i += len;
	}
}

void sb_text(struct strbuf *sb, const char *s, size_t n)
{
	add_text(sb, s, n, false, false);
}

void sb_xml(struct strbuf *sb, const char *s, size_t n, bool attr)
{
	add_text(sb, s, n, true, attr);
}

void sb_xmls(struct strbuf *sb, const char *s, bool attr)
{
	if (s)
		add_text(sb, s, strlen(s), true, attr);
}

static const char *json_escape(uint32_t cp)
{
	switch (cp) {
	case '"':
		return "\\\"";
	case '\\':
		return "\\\\";
	case '\n':
		return "\\n";
	case '\t':
		return "\\t";
	case '\r':
		return "\\r";
	case '\b':
		return "\\b";
	case '\f':
		return "\\f";
	default:
		return NULL;
	}
}

void sb_json(struct strbuf *sb, const char *s)
{
	size_t i = 0, n, len;
	const char *esc;
	uint32_t cp;

	if (!s) {
		sb_puts(sb, "null");
		return;
	}
	n = strlen(s);
	sb_puts(sb, "\"");
	while (i < n) {
		len = utf8_seq((const unsigned char *)s + i, n - i, &cp);
		esc = len ? json_escape(cp) : NULL;
		if (!len)
			sb_puts(sb, REPLACEMENT);
		else if (esc)
			sb_puts(sb, esc);
		else if (cp < 0x20 || cp == 0x7f)
			sb_printf(sb, "\\u%04x", (unsigned)cp);
		else
			sb_add(sb, s + i, len);
		i += len ? len : 1;
	}
	sb_puts(sb, "\"");
}

void sb_seconds(struct strbuf *sb, double s)
{
	sb_printf(sb, "%.3f", isfinite(s) ? s : 0.0);
}

const char *verdict_word(enum verdict v)
{
	switch (v) {
	case VERDICT_PASS:
		return "pass";
	case VERDICT_FAIL:
		return "fail";
	case VERDICT_SKIP:
		return "skip";
	}
	return "unknown";
}

struct text_line *split_lines(const char *text, size_t *nlines)
{
	struct text_line *l = NULL;
	size_t n = 0, cap = 0;
	const char *p = text, *nl;

	while (p && *p) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			l = xrealloc(l, cap * sizeof(*l));
		}
		nl = strchr(p, '\n');
		l[n].s = p;
		l[n].len = nl ? (size_t)(nl - p) : strlen(p);
		n++;
		p = nl ? nl + 1 : NULL;
	}
	*nlines = n;
	return l;
}
