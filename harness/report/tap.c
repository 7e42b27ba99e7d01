/* results.tap: the run in KTAP version 1, each scenario a subtest whose
 * tests are its cases (Documentation/dev-tools/ktap.rst in the kernel). */
#include "report.h"
#include "fmt.h"
#include "udiff.h"
#include "writers.h"

#include <stdlib.h>
#include <string.h>

#define INDENT "    "	/* one level of subtest */

/* S on one line: a description or a directive's reason.  A description
 * cannot hold '#', which would start a directive: it becomes U+FF03. */
static void add_oneline(struct strbuf *sb, const char *s, bool description)
{
	struct strbuf t = STRBUF_INIT;
	size_t i;

	fmt_text(&t, s, strlen(s));
	for (i = 0; i < t.len; i++) {
		if (t.s[i] == '\n' || t.s[i] == '\t')
			strbuf_puts(sb, " ");
		else if (t.s[i] == '#' && description)
			strbuf_puts(sb, "\xef\xbc\x83");
		else
			strbuf_add(sb, &t.s[i], 1);
	}
	strbuf_release(&t);
}

/* Every line of TEXT as a diagnostic line. */
static void add_diag(struct strbuf *sb, const char *indent, const char *text)
{
	struct text_line *l;
	size_t n, i;

	l = split_lines(text, &n);
	for (i = 0; i < n; i++) {
		strbuf_printf(sb, "%s#%s", indent, l[i].len ? " " : "");
		fmt_text(sb, l[i].s, l[i].len);
		strbuf_puts(sb, "\n");
	}
	free(l);
}

/* "ok 3 name", "not ok 3 name", "ok 3 name # SKIP why". */
static void add_result(struct strbuf *sb, const char *indent, enum verdict v,
		       size_t num, const char *name, const char *why)
{
	strbuf_printf(sb, "%s%s %zu ", indent, v == VERDICT_FAIL ? "not ok" : "ok",
		  num);
	add_oneline(sb, name, true);
	if (v == VERDICT_SKIP) {
		strbuf_puts(sb, " # SKIP");
		if (why && *why)
			strbuf_puts(sb, " ");
		if (why)
			add_oneline(sb, why, false);
	}
	strbuf_puts(sb, "\n");
}

static void add_case(struct strbuf *sb, const struct test_case *tc, size_t num)
{
	if (tc->verdict == VERDICT_FAIL) {
		add_diag(sb, INDENT, tc->message);
		add_diag(sb, INDENT, tc->syscall_divergence);
		add_diag(sb, INDENT, tc->diff);
	}
	add_result(sb, INDENT, tc->verdict, num, tc->name, tc->message);
}

/* Why a skipped scenario was skipped: its reason, or its first skipped
 * case's. */
static const char *skip_reason(const struct scenario_result *s)
{
	size_t i;

	if (s->reason)
		return s->reason;
	for (i = 0; i < s->ncases; i++)
		if (s->cases[i].verdict == VERDICT_SKIP)
			return s->cases[i].message;
	return NULL;
}

static void add_scenario(struct strbuf *sb, const struct scenario_result *s,
			 size_t num)
{
	size_t i;

	strbuf_printf(sb, INDENT "KTAP version 1\n" INDENT "1..%zu\n", s->ncases);
	for (i = 0; i < s->ncases; i++)
		add_case(sb, &s->cases[i], i + 1);
	if (s->verdict == VERDICT_FAIL) {
		add_diag(sb, "", s->reason);
		add_diag(sb, "", s->excerpt);
	}
	add_result(sb, "", s->verdict, num, s->name,
		   s->verdict == VERDICT_SKIP ? skip_reason(s) : NULL);
}

int results_write_tap(const struct test_run *r)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	strbuf_printf(&sb, "KTAP version 1\n1..%zu\n", r->planned);
	for (i = 0; i < r->nscenarios; i++)
		add_scenario(&sb, &r->scenarios[i], i + 1);
	return strbuf_write(&sb, r->dir, "results.tap");
}
