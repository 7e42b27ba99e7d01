#define _GNU_SOURCE
#include "layout.h"
#include "base/base.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A value quoted in an error message is cut here: console junk can be
 * long, and WHY has a fixed size. */
#define QUOTE_MAX 40
#define QUOTE(len, s) (int)((len) < QUOTE_MAX ? (len) : QUOTE_MAX), (s)

/* The keys of a layout line: the regions (enum layout_region), then
 * the replica. */
#define KEY_REPLICA LAYOUT_NREGIONS
#define NKEYS (LAYOUT_NREGIONS + 1)

static const char *const key_names[NKEYS] = {
	"text", "direct", "vmalloc", "vmemmap", "modules", "replica",
};

const char *layout_region_name(enum layout_region r)
{
	return key_names[r];
}

static int fail(char *why, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(char *why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, LAYOUT_WHY_SIZE, fmt, ap);
	va_end(ap);
	return -1;
}

static int key_index(const char *s, size_t len)
{
	int k;

	for (k = 0; k < NKEYS; k++)
		if (strlen(key_names[k]) == len && !memcmp(key_names[k], s, len))
			return k;
	return -1;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "0x" and 1..16 hex digits, the whole of S. */
static bool parse_hex(const char *s, size_t len, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;

	if (len < 3 || len > 18 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return false;
	for (i = 2; i < len; i++) {
		int d = hex_digit(s[i]);

		if (d < 0)
			return false;
		x = x << 4 | (uint64_t)d;
	}
	*v = x;
	return true;
}

/* KEY's value "0xSTART-0xEND" into *R. */
static int parse_range(const char *key, const char *s, size_t len,
		       struct layout_range *r, char *why)
{
	const char *dash = memchr(s, '-', len);
	size_t slen;

	if (!dash)
		return fail(why, "%s: '%.*s' is not a range 0xSTART-0xEND",
			    key, QUOTE(len, s));
	slen = (size_t)(dash - s);
	if (!parse_hex(s, slen, &r->start))
		return fail(why, "%s: bad hex number '%.*s' (start)", key,
			    QUOTE(slen, s));
	if (!parse_hex(dash + 1, len - slen - 1, &r->end))
		return fail(why, "%s: bad hex number '%.*s' (end)", key,
			    QUOTE(len - slen - 1, dash + 1));
	if (r->start > r->end)
		return fail(why, "%s: start 0x%016" PRIx64 " is after end 0x%016" PRIx64,
			    key, r->start, r->end);
	return 0;
}

/* A replica number: decimal, from 1. */
static int parse_replica(const char *s, size_t len, unsigned *replica,
			 char *why)
{
	unsigned v = 0;
	size_t i;

	for (i = 0; i < len && i < 9 && s[i] >= '0' && s[i] <= '9'; i++)
		v = v * 10 + (unsigned)(s[i] - '0');
	if (!len || i != len || !v)
		return fail(why, "replica: '%.*s' is not a replica number (1, 2, ...)",
			    QUOTE(len, s));
	*replica = v;
	return 0;
}

/* One "key=value" of LEN bytes at S; *SEEN has a bit per key given. */
static int parse_pair(const char *s, size_t len, struct layout *l,
		      unsigned *seen, char *why)
{
	const char *eq = memchr(s, '=', len), *val;
	size_t vlen;
	int k;

	if (!eq)
		return fail(why, "'%.*s' is not key=value", QUOTE(len, s));
	k = key_index(s, (size_t)(eq - s));
	if (k < 0)
		return fail(why, "unknown key '%.*s' (known: replica, text, direct, vmalloc, vmemmap, modules)",
			    QUOTE((size_t)(eq - s), s));
	if (*seen & 1u << k)
		return fail(why, "%s: given twice", key_names[k]);
	*seen |= 1u << k;
	val = eq + 1;
	vlen = len - (size_t)(val - s);
	if (k == KEY_REPLICA)
		return parse_replica(val, vlen, &l->replica, why);
	return parse_range(key_names[k], val, vlen, &l->region[k], why);
}

/* Every key given?  Names all the missing ones. */
static int check_complete(unsigned seen, char *why)
{
	const char *sep = " ";
	size_t off;
	int k;

	if (seen == (1u << NKEYS) - 1)
		return 0;
	off = (size_t)snprintf(why, LAYOUT_WHY_SIZE, "missing");
	for (k = 0; k < NKEYS; k++) {
		if (seen & 1u << k || off >= LAYOUT_WHY_SIZE)
			continue;
		off += (size_t)snprintf(why + off, LAYOUT_WHY_SIZE - off, "%s%s",
					sep, key_names[k]);
		sep = ", ";
	}
	return -1;
}

int layout_parse(const char *text, size_t len, struct layout *l, char *why)
{
	const char *p = text, *end = text + len, *tok;
	unsigned seen = 0;

	memset(l, 0, sizeof(*l));
	while (p < end) {
		if (*p == ' ') {
			p++;
			continue;
		}
		tok = p;
		while (p < end && *p != ' ')
			p++;
		if (parse_pair(tok, (size_t)(p - tok), l, &seen, why) < 0)
			return -1;
	}
	return check_complete(seen, why);
}

enum layout_found layout_find(const char *buf, size_t len, struct layout *l,
			      char *why)
{
	static const size_t mlen = sizeof(LAYOUT_MARKER) - 1;
	const char *p = buf, *end = buf + len, *hit, *nl, *text = NULL;
	const char *text_end = NULL;

	if (buf && (hit = memmem(p, (size_t)(end - p), LAYOUT_MARKER, mlen)) &&
	    (nl = memchr(hit, '\n', (size_t)(end - hit)))) {
		text = hit + mlen;
		text_end = nl;
	}
	if (!text)
		return LAYOUT_NONE;
	while (text_end > text && (text_end[-1] == '\r' || text_end[-1] == ' '))
		text_end--;
	if (layout_parse(text, (size_t)(text_end - text), l, why) < 0)
		return LAYOUT_BAD;
	return LAYOUT_FOUND;
}

int layout_read(const struct layout_source src[], unsigned n,
		const char *profile, struct layout_part parts[], char **why)
{
	struct strbuf sb = STRBUF_INIT;
	char bad[LAYOUT_WHY_SIZE];
	unsigned k;

	for (k = 0; k < n; k++) {
		snprintf(parts[k].name, sizeof(parts[k].name), "%s", src[k].name);
		switch (layout_find(src[k].text, src[k].len, &parts[k].l, bad)) {
		case LAYOUT_FOUND:
			/* A stale or misplaced image would pass the check
			 * while testing the wrong kernel. */
			if (parts[k].l.replica != src[k].replica)
				strbuf_printf(&sb, "%s%s: its kernel says replica=%u, but profile '%s' boots replica %u there: rebuild with 'duplex build --profile %s'",
					      sb.len ? "\n" : "", parts[k].name,
					      parts[k].l.replica, profile,
					      src[k].replica, profile);
			continue;
		case LAYOUT_NONE:
			strbuf_printf(&sb, "%s%s: no '" LAYOUT_MARKER "...' line at boot: its kernel lacks CONFIG_DUPLEX_LAYOUT (kernel/patches; 'duplex build' builds it in), or the profile's cmdline hides KERN_NOTICE (quiet, loglevel below 6)",
				      sb.len ? "\n" : "", parts[k].name);
			break;
		case LAYOUT_BAD:
			strbuf_printf(&sb, "%s%s: bad '" LAYOUT_MARKER "...' line: %s",
				      sb.len ? "\n" : "", parts[k].name, bad);
			break;
		}
	}
	*why = sb.len ? strbuf_detach(&sb) : NULL;
	return *why ? -1 : 0;
}

static bool ranges_overlap(const struct layout_range *a,
			   const struct layout_range *b)
{
	return a->start <= b->end && b->start <= a->end;
}

static void name_region(struct strbuf *sb, const struct layout_part *p,
			unsigned r)
{
	strbuf_printf(sb, "%s (replica %u) %s 0x%016" PRIx64 "-0x%016" PRIx64,
		  p->name, p->l.replica, key_names[r], p->l.region[r].start,
		  p->l.region[r].end);
}

/* The overlaps between A's regions and B's, named in SB while fewer
 * than LAYOUT_REPORT_MAX are (DONE before these). */
static unsigned pair_overlaps(const struct layout_part *a,
			      const struct layout_part *b, unsigned done,
			      struct strbuf *sb)
{
	unsigned ra, rb, count = 0;

	for (ra = 0; ra < LAYOUT_NREGIONS; ra++) {
		for (rb = 0; rb < LAYOUT_NREGIONS; rb++) {
			if (!ranges_overlap(&a->l.region[ra], &b->l.region[rb]))
				continue;
			if (done + count++ >= LAYOUT_REPORT_MAX)
				continue;
			name_region(sb, a, ra);
			strbuf_puts(sb, " overlaps ");
			name_region(sb, b, rb);
			strbuf_puts(sb, "\n");
		}
	}
	return count;
}

unsigned layout_overlaps(const struct layout_part parts[], unsigned n,
			 char **report)
{
	struct strbuf sb = STRBUF_INIT;
	unsigned i, j, count = 0, more;

	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			count += pair_overlaps(&parts[i], &parts[j], count, &sb);
	if (!count) {
		*report = NULL;
		return 0;
	}
	if (count > LAYOUT_REPORT_MAX) {
		more = count - LAYOUT_REPORT_MAX;
		strbuf_printf(&sb, "... and %u more overlap%s\n", more,
			  more == 1 ? "" : "s");
	}
	/* The lines but the last one's newline, under a heading. */
	*report = xasprintf("kernel layouts overlap (%u pair%s of regions):\n%.*s",
			    count, count == 1 ? "" : "s", (int)sb.len - 1, sb.s);
	strbuf_release(&sb);
	return count;
}

void layout_short(const struct layout_part *p, char *buf, size_t size)
{
	size_t off;
	unsigned r;

	off = (size_t)snprintf(buf, size, "%s: replica %u layout:", p->name,
			       p->l.replica);
	for (r = 0; r < LAYOUT_NREGIONS && off < size; r++)
		off += (size_t)snprintf(buf + off, size - off, "%s %s %" PRIx64,
					r ? "," : "", key_names[r],
					p->l.region[r].start);
}
