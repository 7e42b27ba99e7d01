/* junit.xml: the run for CI systems, one <testsuite> per scenario and one
 * <testcase> per case; the counts are test_run_counts'. */
#include "results.h"
#include "results_fmt.h"

#include <string.h>

/* The counts and time of a suite, or of the run. */
static void add_counts(struct strbuf *sb, struct results_counts c,
		       double seconds)
{
	sb_printf(sb, " tests=\"%u\" failures=\"%u\" errors=\"0\" "
		  "skipped=\"%u\" time=\"", c.passed + c.failed + c.skipped,
		  c.failed, c.skipped);
	sb_seconds(sb, seconds);
	sb_puts(sb, "\"");
}

static void add_problem(struct strbuf *sb, const struct test_case *tc)
{
	if (tc->verdict == VERDICT_SKIP) {
		sb_puts(sb, "      <skipped message=\"");
		sb_xmls(sb, tc->message, true);
		sb_puts(sb, "\"/>\n");
		return;
	}
	sb_puts(sb, "      <failure message=\"");
	sb_xmls(sb, tc->message ? tc->message : "failed", true);
	sb_puts(sb, "\">");
	sb_xmls(sb, tc->message, false);
	if (tc->message && tc->diff)
		sb_puts(sb, "\n\n");
	sb_xmls(sb, tc->diff, false);
	sb_puts(sb, "</failure>\n");
}

static void add_case(struct strbuf *sb, const struct scenario_result *s,
		     const struct test_case *tc)
{
	sb_puts(sb, "    <testcase classname=\"");
	sb_xmls(sb, s->slug, true);
	sb_puts(sb, "\" name=\"");
	sb_xmls(sb, tc->name, true);
	sb_puts(sb, "\" time=\"");
	sb_seconds(sb, tc->seconds);
	sb_puts(sb, "\"");
	if (tc->verdict == VERDICT_PASS) {
		sb_puts(sb, "/>\n");
		return;
	}
	sb_puts(sb, ">\n");
	add_problem(sb, tc);
	sb_puts(sb, "    </testcase>\n");
}

/* Where the scenario's consoles and log are, and why it failed. */
static void add_system_out(struct strbuf *sb, const char *dir,
			   const struct scenario_result *s)
{
	unsigned k;

	sb_puts(sb, "    <system-out>");
	if (s->reason) {
		sb_xmls(sb, s->reason, false);
		sb_puts(sb, "\n");
	}
	if (s->excerpt) {
		sb_xmls(sb, s->excerpt, false);
		sb_puts(sb, "\n");
	}
	for (k = 0; k < s->nconsoles; k++) {
		sb_puts(sb, "console transcript: ");
		sb_xmls(sb, dir, false);
		sb_puts(sb, "/");
		sb_xmls(sb, s->slug, false);
		sb_printf(sb, "/serial%u.log\n", k);
	}
	sb_puts(sb, "harness log: ");
	sb_xmls(sb, dir, false);
	sb_puts(sb, "/");
	sb_xmls(sb, s->slug, false);
	sb_puts(sb, "/harness.log\n</system-out>\n");
}

static void add_suite(struct strbuf *sb, const char *dir,
		      const struct scenario_result *s)
{
	size_t i;

	sb_puts(sb, "  <testsuite name=\"");
	sb_xmls(sb, s->name, true);
	sb_puts(sb, "\"");
	add_counts(sb, scenario_counts(s), s->seconds);
	sb_puts(sb, " file=\"");
	sb_xmls(sb, s->file, true);
	sb_printf(sb, "\" line=\"%u\">\n", s->line);
	for (i = 0; i < s->ncases; i++)
		add_case(sb, s, &s->cases[i]);
	add_system_out(sb, dir, s);
	sb_puts(sb, "  </testsuite>\n");
}

int results_write_junit(const struct test_run *r)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	sb_puts(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuites name=\"duplex test ");
	sb_xmls(&sb, r->run_id, true);
	sb_puts(&sb, "\"");
	add_counts(&sb, test_run_counts(r), r->seconds);
	sb_puts(&sb, ">\n");
	for (i = 0; i < r->nscenarios; i++)
		add_suite(&sb, r->dir, &r->scenarios[i]);
	sb_puts(&sb, "</testsuites>\n");
	return sb_write(&sb, r->dir, "junit.xml");
}
