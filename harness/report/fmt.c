#include "fmt.h"
#include "base/base.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REPLACEMENT "\xef\xbf\xbd"	/* U+FFFD in UTF-8 */

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
		strbuf_puts(sb, ent);
	} else if (cp == '\t' || cp == '\n') {
		strbuf_add(sb, s, len);
	} else if (cp < 0x20 || cp == 0x7f) {
		/* U+2400 + CP, or U+2421 for DEL */
		pic[0] = '\xe2';
		pic[1] = '\x90';
		pic[2] = (char)(cp == 0x7f ? 0xa1 : 0x80 + cp);
		strbuf_add(sb, pic, 3);
	} else if ((cp >= 0x80 && cp <= 0x9f) || cp == 0xfffe || cp == 0xffff) {
		/* C1 controls mean nothing on a UTF-8 console; U+FFFE and
		 * U+FFFF are not XML characters */
		strbuf_puts(sb, REPLACEMENT);
	} else {
		strbuf_add(sb, s, len);
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
			strbuf_puts(sb, REPLACEMENT);
			i++;
			continue;
		}
		if (!(cp == '\r' && i + 1 < n && s[i + 1] == '\n'))
			add_cp(sb, s + i, len, cp, xml, attr);
		i += len;
	}
}

void fmt_text(struct strbuf *sb, const char *s, size_t n)
{
	add_text(sb, s, n, false, false);
}

void fmt_xml(struct strbuf *sb, const char *s, size_t n, bool attr)
{
	add_text(sb, s, n, true, attr);
}

void fmt_xmls(struct strbuf *sb, const char *s, bool attr)
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

void fmt_json(struct strbuf *sb, const char *s)
{
	size_t i = 0, n, len;
	const char *esc;
	uint32_t cp;

	if (!s) {
		strbuf_puts(sb, "null");
		return;
	}
	n = strlen(s);
	strbuf_puts(sb, "\"");
	while (i < n) {
		len = utf8_seq((const unsigned char *)s + i, n - i, &cp);
		esc = len ? json_escape(cp) : NULL;
		if (!len)
			strbuf_puts(sb, REPLACEMENT);
		else if (esc)
			strbuf_puts(sb, esc);
		else if (cp < 0x20 || cp == 0x7f)
			strbuf_printf(sb, "\\u%04x", (unsigned)cp);
		else
			strbuf_add(sb, s + i, len);
		i += len ? len : 1;
	}
	strbuf_puts(sb, "\"");
}

void fmt_seconds(struct strbuf *sb, double s)
{
	strbuf_printf(sb, "%.3f", isfinite(s) ? s : 0.0);
}

const char *fmt_verdict(enum verdict v)
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
