/* jsonread: a recursive descent over RFC 8259 text (jsonread.h). */
#include "jsonread.h"
#include "base/base.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct parser {
	const char *s;
	size_t len, pos;
	char *err;
	size_t errsize;
	bool failed;
};

static void fail(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The first problem only: what follows from it says nothing more. */
static void fail(struct parser *p, const char *fmt, ...)
{
	unsigned line = 1, col = 1;
	char what[96];
	va_list ap;
	size_t i;

	if (p->failed)
		return;
	p->failed = true;
	for (i = 0; i < p->pos && i < p->len; i++) {
		col++;
		if (p->s[i] == '\n') {
			line++;
			col = 1;
		}
	}
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errsize, "line %u, column %u: %s", line, col, what);
}

static void skip_space(struct parser *p)
{
	while (p->pos < p->len && strchr(" \t\r\n", p->s[p->pos]) && p->s[p->pos])
		p->pos++;
}

/* The next byte, or 0 at the end. */
static char peek(struct parser *p)
{
	skip_space(p);
	return p->pos < p->len ? p->s[p->pos] : '\0';
}

static bool accept(struct parser *p, char c)
{
	if (peek(p) != c)
		return false;
	p->pos++;
	return true;
}

static void expect(struct parser *p, char c, const char *what)
{
	if (!accept(p, c))
		fail(p, "expected %s", what);
}

static void put_utf8(struct strbuf *sb, unsigned cp)
{
	char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | cp >> 12);
		b[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | cp >> 18);
		b[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		b[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	strbuf_add(sb, b, n);
}

/* Four hex digits after "\u". */
static unsigned hex4(struct parser *p)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < 4; i++, p->pos++) {
		char c = p->pos < p->len ? p->s[p->pos] : '\0';

		if (c >= '0' && c <= '9')
			v = v * 16 + (unsigned)(c - '0');
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			v = v * 16 + (unsigned)((c | 0x20) - 'a' + 10);
		else
			fail(p, "expected 4 hex digits after \\u");
	}
	return v;
}

/* "\uXXXX", a surrogate pair as one code point; a lone surrogate is
 * U+FFFD, as fmt.c writes bad UTF-8. */
static void unicode_escape(struct parser *p, struct strbuf *sb)
{
	unsigned cp = hex4(p), lo;

	if (cp >= 0xd800 && cp < 0xdc00 && p->pos + 1 < p->len &&
	    p->s[p->pos] == '\\' && p->s[p->pos + 1] == 'u') {
		p->pos += 2;
		lo = hex4(p);
		cp = lo >= 0xdc00 && lo < 0xe000
			? 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00) : 0xfffd;
	} else if (cp >= 0xd800 && cp < 0xe000) {
		cp = 0xfffd;
	}
	if (!cp)
		fail(p, "a string holds \\u0000");
	put_utf8(sb, cp);
}

static void escape(struct parser *p, struct strbuf *sb)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	char c = p->pos < p->len ? p->s[p->pos++] : '\0';
	const char *e = c ? strchr(from, c) : NULL;

	if (c == 'u')
		unicode_escape(p, sb);
	else if (e)
		strbuf_add(sb, &to[e - from], 1);
	else
		fail(p, "unknown escape '\\%c' in a string", c ? c : '0');
}

/* After the opening quote: the string up to its closing one. */
static char *string(struct parser *p)
{
	struct strbuf sb = STRBUF_INIT;
	unsigned char c;

	strbuf_puts(&sb, "");
	while (!p->failed) {
		if (p->pos >= p->len) {
			fail(p, "the text ends inside a string");
			break;
		}
		c = (unsigned char)p->s[p->pos++];
		if (c == '"')
			return strbuf_detach(&sb);
		if (c == '\\')
			escape(p, &sb);
		else if (c < 0x20)
			fail(p, "control character 0x%02x in a string", c);
		else
			strbuf_add(&sb, &c, 1);
	}
	strbuf_release(&sb);
	return NULL;
}

static double number(struct parser *p)
{
	const char *start = p->s + p->pos;
	char buf[64], *end;
	size_t n = 0;
	double v;

	while (p->pos + n < p->len && start[n] &&
	       strchr("-+0123456789.eE", start[n]))
		n++;
	if (!n || n >= sizeof(buf) || start[0] == '+') {
		fail(p, "expected a value");
		return 0;
	}
	memcpy(buf, start, n);
	buf[n] = '\0';
	v = strtod(buf, &end);
	if (*end || !isfinite(v)) {
		fail(p, "'%s' is not a number", buf);
		return 0;
	}
	p->pos += n;
	return v;
}

static bool word(struct parser *p, const char *w)
{
	size_t n = strlen(w);

	if (p->len - p->pos < n || memcmp(p->s + p->pos, w, n))
		return false;
	p->pos += n;
	return true;
}

static void value(struct parser *p, struct json *j, unsigned depth);

/* Add an element (an object's, with KEY) to J and return it. */
static struct json *add_item(struct json *j, char *key)
{
	j->items = xrealloc(j->items, (j->n + 1) * sizeof(*j->items));
	memset(&j->items[j->n], 0, sizeof(*j->items));
	if (j->type == JSON_OBJECT) {
		j->keys = xrealloc(j->keys, (j->n + 1) * sizeof(*j->keys));
		j->keys[j->n] = key;
	}
	return &j->items[j->n++];
}

/* After '[' or '{': the elements up to CLOSE. */
static void members(struct parser *p, struct json *j, char close,
		    unsigned depth)
{
	char *key = NULL;

	if (accept(p, close))
		return;
	do {
		if (j->type == JSON_OBJECT) {
			expect(p, '"', "a member's name in quotes");
			key = p->failed ? NULL : string(p);
			expect(p, ':', "':' after a member's name");
			if (p->failed) {
				free(key);
				return;
			}
		}
		value(p, add_item(j, key), depth + 1);
	} while (!p->failed && accept(p, ','));
	expect(p, close, close == ']' ? "',' or ']'" : "',' or '}'");
}

static void value(struct parser *p, struct json *j, unsigned depth)
{
	char c = peek(p);

	if (depth > JSON_MAX_DEPTH) {
		fail(p, "nested deeper than %d", JSON_MAX_DEPTH);
		return;
	}
	if (c == '{' || c == '[') {
		p->pos++;
		j->type = c == '{' ? JSON_OBJECT : JSON_ARRAY;
		members(p, j, c == '{' ? '}' : ']', depth);
	} else if (c == '"') {
		p->pos++;
		j->type = JSON_STRING;
		j->string = string(p);
	} else if (word(p, "true") || word(p, "false")) {
		j->type = JSON_BOOL;
		j->boolean = c == 't';
	} else if (word(p, "null")) {
		j->type = JSON_NULL;
	} else {
		j->type = JSON_NUMBER;
		j->number = number(p);
	}
}

int json_parse(const char *text, size_t len, struct json *j, char *err,
	       size_t errsize)
{
	struct parser p = { .s = text, .len = len, .err = err,
			    .errsize = errsize };

	memset(j, 0, sizeof(*j));
	if (memchr(text, '\0', len)) {
		p.pos = (size_t)((const char *)memchr(text, '\0', len) - text);
		fail(&p, "a NUL byte");
	}
	value(&p, j, 0);
	if (!p.failed && peek(&p))
		fail(&p, "text after the end of the value");
	if (!p.failed)
		return 0;
	json_free(j);
	return -1;
}

void json_free(struct json *j)
{
	size_t i;

	for (i = 0; i < j->n; i++) {
		json_free(&j->items[i]);
		if (j->keys)
			free(j->keys[i]);
	}
	free(j->items);
	free(j->keys);
	free(j->string);
	memset(j, 0, sizeof(*j));
}

const struct json *json_get(const struct json *j, const char *key,
			    enum json_type type)
{
	size_t i;

	if (j->type != JSON_OBJECT)
		return NULL;
	for (i = 0; i < j->n; i++)
		if (!strcmp(j->keys[i], key))
			return j->items[i].type == type ? &j->items[i] : NULL;
	return NULL;
}
