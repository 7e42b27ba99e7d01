/* results_store: a scenario result as a text file, one field a line in a
 * fixed order, each named ("KEY VALUE\n"), so that a person can read it
 * and the reader can say which field is wrong.  Strings are
 * length-prefixed ("KEY LEN:BYTES\n", NULL as "KEY -\n"): console output
 * keeps every byte.  The file ends with "end\n", so a cut one shows. */
#include "report.h"
#include "fmt.h"
#include "base/base.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STORE_MAGIC "duplex-result"
#define STORE_VERSION 2

static void put_str(struct strbuf *sb, const char *key, const char *s)
{
	if (!s) {
		strbuf_printf(sb, "%s -\n", key);
		return;
	}
	strbuf_printf(sb, "%s %zu:", key, strlen(s));
	strbuf_puts(sb, s);
	strbuf_puts(sb, "\n");
}

static void put_case(struct strbuf *sb, const struct test_case *tc, size_t i)
{
	unsigned k;

	strbuf_printf(sb, "case %zu\n", i);
	put_str(sb, "name", tc->name);
	strbuf_printf(sb, "verdict %s\n", fmt_verdict(tc->verdict));
	strbuf_printf(sb, "seconds %.17g\n", tc->seconds);
	put_str(sb, "message", tc->message);
	put_str(sb, "diff", tc->diff);
	put_str(sb, "syscall_divergence", tc->syscall_divergence);
	strbuf_printf(sb, "diverge %d\n", tc->diverge);
	strbuf_printf(sb, "consoles %u\n", tc->nconsoles);
	for (k = 0; k < tc->nconsoles; k++) {
		strbuf_printf(sb, "console %u\n", k);
		put_str(sb, "name", tc->con[k].name);
		put_str(sb, "output", tc->con[k].output);
		strbuf_printf(sb, "status %d\n", tc->con[k].status);
		strbuf_printf(sb, "from %" PRIu64 "\nto %" PRIu64 "\n",
			      tc->con[k].from, tc->con[k].to);
	}
}

int results_store_save(const struct scenario_result *s, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;
	int ret;

	strbuf_printf(&sb, "%s %d\n", STORE_MAGIC, STORE_VERSION);
	put_str(&sb, "name", s->name);
	put_str(&sb, "file", s->file);
	strbuf_printf(&sb, "line %u\n", s->line);
	put_str(&sb, "slug", s->slug);
	strbuf_printf(&sb, "verdict %s\n", fmt_verdict(s->verdict));
	put_str(&sb, "reason", s->reason);
	put_str(&sb, "excerpt", s->excerpt);
	strbuf_printf(&sb, "fail_console %d\nfail_at %" PRIu64 "\n",
		      s->fail_console, s->fail_at);
	strbuf_printf(&sb, "transcript_limit %" PRIu64 "\n",
		      s->transcript_limit);
	strbuf_printf(&sb, "seconds %.17g\n", s->seconds);
	strbuf_printf(&sb, "nconsoles %u\n", s->nconsoles);
	strbuf_printf(&sb, "cases %zu\n", s->ncases);
	for (i = 0; i < s->ncases; i++)
		put_case(&sb, &s->cases[i], i);
	strbuf_puts(&sb, "end\n");
	ret = write_file_atomic(path, sb.s, sb.len, 0644);
	strbuf_release(&sb);
	return ret;
}

/* A file being read.  The first problem is reported and sets FAILED; every
 * read after it does nothing, so a loader reads on and checks once. */
struct reader {
	const char *path;
	const char *buf;
	size_t len, pos;
	char where[64];		/* "case 2 console 1: ", or "" */
	bool failed;
};

static void rd_fail(struct reader *rd, bool truncated, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void rd_fail(struct reader *rd, bool truncated, const char *fmt, ...)
{
	char what[160];
	va_list ap;

	if (rd->failed)
		return;
	rd->failed = true;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	log_error("scenario result '%s' is %s at byte %zu: %s%s", rd->path,
		  truncated ? "truncated" : "corrupt", rd->pos, rd->where,
		  what);
}

/* How much of the text at P an error message quotes: its line, or the
 * start of it. */
static int quoted(const char *p, size_t n)
{
	size_t len = strcspn(p, "\n");

	if (len > n)
		len = n;
	return len < 24 ? (int)len : 24;
}

/* Expect "KEY " at the cursor and step over it. */
static bool rd_key(struct reader *rd, const char *key)
{
	size_t n = strlen(key), left = rd->len - rd->pos;
	const char *p = rd->buf + rd->pos;

	if (rd->failed)
		return false;
	if (left >= n + 1 && !memcmp(p, key, n) && p[n] == ' ') {
		rd->pos += n + 1;
		return true;
	}
	if (left < n + 1 && !memcmp(p, key, left))
		rd_fail(rd, true, "the file ends before field '%s'", key);
	else
		rd_fail(rd, false, "expected field '%s', found '%.*s'", key,
			quoted(p, left), p);
	return false;
}

/* The value of field KEY up to its newline, which is stepped over. */
static bool rd_token(struct reader *rd, const char *key, const char **tok,
		     size_t *n)
{
	const char *nl;

	if (!rd_key(rd, key))
		return false;
	nl = memchr(rd->buf + rd->pos, '\n', rd->len - rd->pos);
	if (!nl) {
		rd_fail(rd, true, "the file ends inside field '%s'", key);
		return false;
	}
	*tok = rd->buf + rd->pos;
	*n = (size_t)(nl - *tok);
	rd->pos += *n + 1;
	return true;
}

/* A decimal integer in [MIN, MAX] up to the end of TOK. */
static bool parse_decimal(const char *tok, size_t n, long long min,
			  long long max, long long *out)
{
	char num[24], *end;

	if (!n || n >= sizeof(num) || strspn(tok, "-0123456789") < n)
		return false;
	memcpy(num, tok, n);
	num[n] = '\0';
	errno = 0;
	*out = strtoll(num, &end, 10);
	return !errno && *end == '\0' && *out >= min && *out <= max;
}

static long long rd_int(struct reader *rd, const char *key, long long min,
			long long max)
{
	const char *tok;
	long long v;
	size_t n;

	if (!rd_token(rd, key, &tok, &n))
		return 0;
	if (parse_decimal(tok, n, min, max, &v))
		return v;
	rd->pos -= n + 1;
	rd_fail(rd, false, "field '%s' is '%.*s', not a number from %lld to %lld",
		key, quoted(tok, n), tok, min, max);
	return 0;
}

static double rd_double(struct reader *rd, const char *key)
{
	char num[40], *end;
	const char *tok;
	double v;
	size_t n;

	if (!rd_token(rd, key, &tok, &n))
		return 0;
	if (n && n < sizeof(num)) {
		memcpy(num, tok, n);
		num[n] = '\0';
		v = strtod(num, &end);
		if (*end == '\0')
			return v;
	}
	rd->pos -= n + 1;
	rd_fail(rd, false, "field '%s' is '%.*s', not a number", key,
		quoted(tok, n), tok);
	return 0;
}

static enum verdict rd_verdict(struct reader *rd)
{
	static const enum verdict all[] = { VERDICT_PASS, VERDICT_FAIL,
					    VERDICT_SKIP };
	const char *tok;
	size_t n, i;

	if (!rd_token(rd, "verdict", &tok, &n))
		return VERDICT_FAIL;
	for (i = 0; i < ARRAY_SIZE(all); i++)
		if (strlen(fmt_verdict(all[i])) == n &&
		    !memcmp(tok, fmt_verdict(all[i]), n))
			return all[i];
	rd->pos -= n + 1;
	rd_fail(rd, false, "field 'verdict' is '%.*s', not pass, fail or skip",
		quoted(tok, n), tok);
	return VERDICT_FAIL;
}

/* A string field: "-" or LEN ':' BYTES, then the newline.  malloc'd. */
static char *rd_str(struct reader *rd, const char *key)
{
	const char *p;
	size_t digits, left;
	long long n;
	char *s;

	if (!rd_key(rd, key))
		return NULL;
	p = rd->buf + rd->pos;
	left = rd->len - rd->pos;
	if (!memchr(p, '\n', left)) {
		rd_fail(rd, true, "the file ends inside field '%s'", key);
		return NULL;
	}
	if (!memcmp(p, "-\n", 2)) {
		rd->pos += 2;
		return NULL;
	}
	digits = strspn(p, "0123456789");
	if (p[digits] != ':' || !parse_decimal(p, digits, 0, LLONG_MAX, &n)) {
		rd_fail(rd, false, "field '%s' is neither '-' nor a length and ':'",
			key);
		return NULL;
	}
	p += digits + 1;
	left -= digits + 1;
	if ((unsigned long long)n >= left) {
		rd_fail(rd, true, "field '%s' holds %lld bytes, but only %zu follow",
			key, n, left);
		return NULL;
	}
	if (p[n] != '\n' || memchr(p, '\0', (size_t)n)) {
		rd_fail(rd, false, "field '%s' (%lld bytes) %s", key, n,
			p[n] != '\n' ? "is not followed by a newline"
				     : "holds a NUL byte");
		return NULL;
	}
	s = xmalloc((size_t)n + 1);
	memcpy(s, p, (size_t)n);
	s[n] = '\0';
	rd->pos += digits + 1 + (size_t)n + 1;
	return s;
}

/* A string field that a result always has. */
static char *rd_str_req(struct reader *rd, const char *key)
{
	size_t pos = rd->pos;
	char *s = rd_str(rd, key);

	if (!s && !rd->failed) {
		rd->pos = pos;
		rd_fail(rd, false, "field '%s' is '-', but it cannot be empty",
			key);
	}
	return s;
}

/* A section header "KEY N" whose N must be EXPECTED. */
static void rd_section(struct reader *rd, const char *key, long long expected)
{
	size_t pos = rd->pos;

	if (rd_int(rd, key, 0, LLONG_MAX) != expected && !rd->failed) {
		rd->pos = pos;
		rd_fail(rd, false, "expected '%s %lld'", key, expected);
	}
}

static void rd_console(struct reader *rd, struct case_console *cc, unsigned k)
{
	char *name;

	rd_section(rd, "console", k);
	name = rd_str_req(rd, "name");
	if (name && strlen(name) >= sizeof(cc->name))
		rd_fail(rd, false, "console name '%.20s' is longer than %zu bytes",
			name, sizeof(cc->name) - 1);
	else if (name)
		strcpy(cc->name, name);
	free(name);
	cc->output = rd_str(rd, "output");
	cc->status = (int)rd_int(rd, "status", INT_MIN, INT_MAX);
	cc->from = (uint64_t)rd_int(rd, "from", 0, LLONG_MAX);
	cc->to = (uint64_t)rd_int(rd, "to", 0, LLONG_MAX);
}

static void rd_case(struct reader *rd, struct scenario_result *s, size_t i)
{
	struct test_case *tc;
	unsigned k;
	char *name;

	rd_section(rd, "case", (long long)i);
	snprintf(rd->where, sizeof(rd->where), "case %zu: ", i);
	name = rd_str_req(rd, "name");
	tc = scenario_add_case(s, name ? name : "");
	free(name);
	tc->verdict = rd_verdict(rd);
	tc->seconds = rd_double(rd, "seconds");
	tc->message = rd_str(rd, "message");
	tc->diff = rd_str(rd, "diff");
	tc->syscall_divergence = rd_str(rd, "syscall_divergence");
	tc->diverge = rd_int(rd, "diverge", 0, 1);
	tc->nconsoles = (unsigned)rd_int(rd, "consoles", 0,
					 DUPLEX_MAX_PARTITIONS);
	for (k = 0; k < tc->nconsoles && !rd->failed; k++) {
		snprintf(rd->where, sizeof(rd->where), "case %zu console %u: ",
			 i, k);
		rd_console(rd, &tc->con[k], k);
	}
	rd->where[0] = '\0';
}

static void rd_header(struct reader *rd)
{
	size_t n = strlen(STORE_MAGIC " ");
	long long version;

	if (memcmp(rd->buf, STORE_MAGIC " ", rd->len < n ? rd->len : n)) {
		rd_fail(rd, false, "it does not start with '%s': not a scenario "
			"result", STORE_MAGIC);
		return;
	}
	version = rd_int(rd, STORE_MAGIC, 0, INT_MAX);
	if (!rd->failed && version != STORE_VERSION) {
		rd->pos = 0;
		rd_fail(rd, false, "format version %lld; this duplex reads "
			"version %d", version, STORE_VERSION);
	}
}

/* The "end" line, and nothing after it. */
static void rd_end(struct reader *rd)
{
	const char *p = rd->buf + rd->pos;
	size_t left = rd->len - rd->pos;

	if (left < 4 && !memcmp(p, "end\n", left))
		rd_fail(rd, true, "the file ends before its 'end' line");
	else if (left < 4 || memcmp(p, "end\n", 4))
		rd_fail(rd, false, "expected 'end' after the last case, found '%.*s'",
			quoted(p, left), p);
	else if (left > 4)
		rd_fail(rd, false, "data follows the 'end' line (%zu bytes)",
			left - 4);
}

static void rd_scenario(struct reader *rd, struct scenario_result *s)
{
	size_t ncases, i;

	rd_header(rd);
	s->name = rd_str_req(rd, "name");
	s->file = rd_str_req(rd, "file");
	s->line = (unsigned)rd_int(rd, "line", 0, UINT_MAX);
	s->slug = rd_str_req(rd, "slug");
	s->verdict = rd_verdict(rd);
	s->reason = rd_str(rd, "reason");
	s->excerpt = rd_str(rd, "excerpt");
	s->fail_console = (int)rd_int(rd, "fail_console", -1,
				      DUPLEX_MAX_PARTITIONS - 1);
	s->fail_at = (uint64_t)rd_int(rd, "fail_at", 0, LLONG_MAX);
	s->transcript_limit = (uint64_t)rd_int(rd, "transcript_limit", 0,
					       LLONG_MAX);
	s->seconds = rd_double(rd, "seconds");
	s->nconsoles = (unsigned)rd_int(rd, "nconsoles", 0,
					DUPLEX_MAX_PARTITIONS);
	/* each case takes more than a byte: a larger count is corrupt, and
	 * must not be trusted with an allocation */
	ncases = (size_t)rd_int(rd, "cases", 0, (long long)(rd->len - rd->pos));
	for (i = 0; i < ncases && !rd->failed; i++)
		rd_case(rd, s, i);
	if (rd->failed)
		return;
	rd_end(rd);
}

int results_store_load(struct scenario_result *s, const char *path)
{
	struct reader rd = { .path = path };
	size_t len;
	char *buf;

	memset(s, 0, sizeof(*s));
	buf = read_file(path, &len);
	if (!buf)
		return -1;
	rd.buf = buf;
	rd.len = len;
	rd_scenario(&rd, s);
	free(buf);
	if (rd.failed) {
		scenario_result_free(s);
		return -1;
	}
	return 0;
}
