#define _GNU_SOURCE
#include "xmlutil.h"
#include "log.h"
#include "strbuf.h"
#include "util.h"

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <stdlib.h>
#include <string.h>

const char *xml_entity(unsigned int c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&#39;";
	default:
		return NULL;
	}
}

/* Offset of the first byte XML 1.0 cannot carry at all, not even as a
 * character reference (control characters but tab, LF, CR), or -1. */
static long forbidden_byte(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
		    c == 0x7f)
			return (long)i;
	}
	return -1;
}

/* Escape S, known to hold no forbidden byte. */
static char *escape(const char *s)
{
	size_t len = 0, i;
	char *out, *p;

	for (i = 0; s[i]; i++) {
		const char *ent = xml_entity((unsigned char)s[i]);

		len += ent ? strlen(ent) : 1;
	}
	out = p = xmalloc(len + 1);
	for (i = 0; s[i]; i++) {
		const char *ent = xml_entity((unsigned char)s[i]);

		if (ent)
			p = stpcpy(p, ent);
		else
			*p++ = s[i];
	}
	*p = '\0';
	return out;
}

char *xml_escape(const char *s)
{
	long bad = forbidden_byte(s);

	if (bad >= 0) {
		log_error("cannot put byte 0x%02x (offset %ld of '%.40s') in XML: "
			  "control characters other than tab and newline are "
			  "not allowed", (unsigned char)s[bad], bad, s);
		return NULL;
	}
	return escape(s);
}

static const struct template_var *find_var(const struct template_var *vars,
					   size_t nvars, const char *key,
					   size_t keylen)
{
	size_t i;

	for (i = 0; i < nvars; i++)
		if (strlen(vars[i].key) == keylen &&
		    !memcmp(vars[i].key, key, keylen))
			return &vars[i];
	return NULL;
}

/* Line number of offset OFF in TMPL, for error messages. */
static unsigned line_of(const char *tmpl, size_t off)
{
	unsigned line = 1;
	size_t i;

	for (i = 0; i < off; i++)
		line += tmpl[i] == '\n';
	return line;
}

static bool key_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

/* Expand the placeholder whose key starts at KEY (just after its '@');
 * returns the key's length, or -1 on error. */
static long expand_one(struct strbuf *sb, const char *tmpl, const char *key,
		       const char *origin, const struct template_var *vars,
		       size_t nvars)
{
	unsigned line = line_of(tmpl, (size_t)(key - tmpl));
	const struct template_var *v;
	size_t n = 0;
	char *esc;
	long bad;

	while (key_char(key[n]))
		n++;
	if (key[n] != '@' || n == 0) {
		log_error("%s:%u: unterminated placeholder '@%.*s': "
			  "placeholders are @KEY@ with KEY made of letters, "
			  "digits and '_'", origin, line, (int)n, key);
		return -1;
	}
	v = find_var(vars, nvars, key, n);
	if (!v) {
		log_error("%s:%u: unknown placeholder '@%.*s@'", origin, line,
			  (int)n, key);
		return -1;
	}
	bad = forbidden_byte(v->value);
	if (bad >= 0) {
		log_error("%s:%u: cannot expand @%s@: its value has byte 0x%02x "
			  "at offset %ld; control characters other than tab and "
			  "newline cannot go in XML", origin, line, v->key,
			  (unsigned char)v->value[bad], bad);
		return -1;
	}
	esc = escape(v->value);
	strbuf_puts(sb, esc);
	free(esc);
	return (long)n;
}

char *template_expand(const char *tmpl, const char *origin,
		      const struct template_var *vars, size_t nvars)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = tmpl, *at;

	strbuf_add(&sb, "", 0);
	while ((at = strchr(p, '@'))) {
		long keylen;

		strbuf_add(&sb, p, (size_t)(at - p));
		keylen = expand_one(&sb, tmpl, at + 1, origin, vars, nvars);
		if (keylen < 0) {
			strbuf_release(&sb);
			return NULL;
		}
		p = at + 1 + keylen + 1;
	}
	strbuf_puts(&sb, p);
	return strbuf_detach(&sb);
}

int xml_xpath_string(const char *text, const char *expr, char **out)
{
	xmlXPathContextPtr ctx = NULL;
	xmlXPathObjectPtr res = NULL;
	xmlDocPtr doc;
	int ret = -1;

	*out = NULL;
	doc = xmlReadMemory(text, (int)strlen(text), "libvirt.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR |
			    XML_PARSE_NOWARNING);
	if (!doc)
		return -1;
	ctx = xmlXPathNewContext(doc);
	if (ctx)
		res = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
	if (res && res->type == XPATH_STRING) {
		*out = xstrdup(res->stringval ? (const char *)res->stringval : "");
		ret = 0;
	}
	xmlXPathFreeObject(res);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	return ret;
}
