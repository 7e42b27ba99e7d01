/* junit.xml: the run for CI systems, one <testsuite> per scenario and one
 * <testcase> per case; the counts are test_run_counts'. */
#include "report.h"
#include "fmt.h"
#include "writers.h"

#include <inttypes.h>
#include <string.h>

/* The counts and time of a suite, or of the run. */
static void add_counts(struct strbuf *sb, struct results_counts c,
		       double seconds)
{
	strbuf_printf(sb, " tests=\"%u\" failures=\"%u\" errors=\"0\" "
		  "skipped=\"%u\" time=\"", c.passed + c.failed + c.skipped,
		  c.failed, c.skipped);
	fmt_seconds(sb, seconds);
	strbuf_puts(sb, "\"");
}

static void add_problem(struct strbuf *sb, const struct test_case *tc)
{
	if (tc->verdict == VERDICT_SKIP) {
		strbuf_puts(sb, "      <skipped message=\"");
		fmt_xmls(sb, tc->message, true);
		strbuf_puts(sb, "\"/>\n");
		return;
	}
	strbuf_puts(sb, "      <failure message=\"");
	fmt_xmls(sb, tc->message ? tc->message : "failed", true);
	strbuf_puts(sb, "\">");
	fmt_xmls(sb, tc->message, false);
	if (tc->syscall_divergence) {
		strbuf_puts(sb, "\n\nsyscall divergence:\n");
		fmt_xmls(sb, tc->syscall_divergence, false);
	}
	if (tc->message && tc->diff)
		strbuf_puts(sb, "\n\n");
	fmt_xmls(sb, tc->diff, false);
	strbuf_puts(sb, "</failure>\n");
}

static bool has_span(const struct test_case *tc)
{
	unsigned k;

	for (k = 0; k < tc->nconsoles; k++)
		if (tc->con[k].to)
			return true;
	return false;
}

/* Where the case's command is in each console's transcript. */
static void add_spans(struct strbuf *sb, const char *dir,
		      const struct scenario_result *s, const struct test_case *tc)
{
	unsigned k;

	strbuf_puts(sb, "      <system-out>");
	for (k = 0; k < tc->nconsoles; k++) {
		const struct case_console *cc = &tc->con[k];

		if (!cc->to)
			continue;
		fmt_xml(sb, cc->name, strnlen(cc->name, sizeof(cc->name)), false);
		strbuf_printf(sb, ": bytes %" PRIu64 " to %" PRIu64 " of ",
			      cc->from, cc->to);
		fmt_xmls(sb, dir, false);
		strbuf_puts(sb, "/");
		fmt_xmls(sb, s->slug, false);
		strbuf_puts(sb, "/");
		fmt_xml(sb, cc->name, strnlen(cc->name, sizeof(cc->name)), false);
		strbuf_puts(sb, ".log\n");
	}
	strbuf_puts(sb, "</system-out>\n");
}

static void add_case(struct strbuf *sb, const char *dir,
		     const struct scenario_result *s, const struct test_case *tc)
{
	strbuf_puts(sb, "    <testcase classname=\"");
	fmt_xmls(sb, s->slug, true);
	strbuf_puts(sb, "\" name=\"");
	fmt_xmls(sb, tc->name, true);
	strbuf_puts(sb, "\" time=\"");
	fmt_seconds(sb, tc->seconds);
	strbuf_puts(sb, "\"");
	if (tc->verdict == VERDICT_PASS && !has_span(tc)) {
		strbuf_puts(sb, "/>\n");
		return;
	}
	strbuf_puts(sb, ">\n");
	if (tc->verdict != VERDICT_PASS)
		add_problem(sb, tc);
	if (has_span(tc))
		add_spans(sb, dir, s, tc);
	strbuf_puts(sb, "    </testcase>\n");
}

/* Where the scenario's consoles and log are, and why it failed. */
static void add_system_out(struct strbuf *sb, const char *dir,
			   const struct scenario_result *s)
{
	unsigned k;

	strbuf_puts(sb, "    <system-out>");
	if (s->reason) {
		fmt_xmls(sb, s->reason, false);
		strbuf_puts(sb, "\n");
	}
	if (s->excerpt) {
		fmt_xmls(sb, s->excerpt, false);
		strbuf_puts(sb, "\n");
	}
	for (k = 0; k < s->nconsoles; k++) {
		strbuf_puts(sb, "console transcript: ");
		fmt_xmls(sb, dir, false);
		strbuf_puts(sb, "/");
		fmt_xmls(sb, s->slug, false);
		strbuf_printf(sb, "/serial%u.log\n", k);
	}
	strbuf_puts(sb, "harness log: ");
	fmt_xmls(sb, dir, false);
	strbuf_puts(sb, "/");
	fmt_xmls(sb, s->slug, false);
	strbuf_puts(sb, "/harness.log\n</system-out>\n");
}

static void add_suite(struct strbuf *sb, const char *dir,
		      const struct scenario_result *s)
{
	size_t i;

	strbuf_puts(sb, "  <testsuite name=\"");
	fmt_xmls(sb, s->name, true);
	strbuf_puts(sb, "\"");
	add_counts(sb, scenario_counts(s), s->seconds);
	strbuf_puts(sb, " file=\"");
	fmt_xmls(sb, s->file, true);
	strbuf_printf(sb, "\" line=\"%u\">\n", s->line);
	for (i = 0; i < s->ncases; i++)
		add_case(sb, dir, s, &s->cases[i]);
	add_system_out(sb, dir, s);
	strbuf_puts(sb, "  </testsuite>\n");
}

int results_write_junit(const struct test_run *r)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	strbuf_puts(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuites name=\"duplex test ");
	fmt_xmls(&sb, r->run_id, true);
	strbuf_puts(&sb, "\"");
	add_counts(&sb, test_run_counts(r), r->seconds);
	strbuf_puts(&sb, ">\n");
	for (i = 0; i < r->nscenarios; i++)
		add_suite(&sb, r->dir, &r->scenarios[i]);
	strbuf_puts(&sb, "</testsuites>\n");
	return strbuf_write(&sb, r->dir, "junit.xml");
}
