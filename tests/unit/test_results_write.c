/* Unit tests: test results — the four files of a run (summary.json,
 * results.tap, junit.xml, report.html) and the escaping they are written
 * with. The model and the store are test_results_store.c's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "capture.h"
#include "report/report.h"
#include "results_fixture.h"
#include "report/fmt.h"
#include "report/udiff.h"
#include "base/util.h"

#define FFFD "\xef\xbf\xbd"

/* Console bytes: markup, whitespace, escape sequences, UTF-8 good and bad
 * (cut, surrogate, overlong twice), a C1 control and a non-character. */
static const char console_bytes[] =
	"a<b>&\"'\t\n\r\n\x1b[0m\x7f caf\xc3\xa9 \xff \xe2\x82 "
	"\xf0\x9f\x98\x80 \xed\xa0\x80 \xc0\xaf \xe0\x80\xaf \xc2\x85 "
	"\xef\xbf\xbe";

static void test_escapes(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	char *s;

	(void)state;
	fmt_xml(&sb, console_bytes, strlen(console_bytes), false);
	s = strbuf_detach(&sb);
	assert_string_equal(s, "a&lt;b&gt;&amp;&quot;&#39;\t\n\n"
			    "\xe2\x90\x9b[0m\xe2\x90\xa1 caf\xc3\xa9 " FFFD " "
			    FFFD FFFD " \xf0\x9f\x98\x80 " FFFD FFFD FFFD " "
			    FFFD FFFD " " FFFD FFFD FFFD " " FFFD " " FFFD);
	free(s);
	fmt_xml(&sb, "a\tb\nc\x01", 6, true);
	s = strbuf_detach(&sb);
	assert_string_equal(s, "a&#9;b&#10;c\xe2\x90\x81");
	free(s);
	fmt_text(&sb, "<x>\r\n\x1b\0y", 8);
	s = strbuf_detach(&sb);
	assert_string_equal(s, "<x>\n\xe2\x90\x9b\xe2\x90\x80y");
	free(s);
	fmt_json(&sb, console_bytes);
	fmt_json(&sb, NULL);
	s = strbuf_detach(&sb);
	assert_string_equal(s, "\"a<b>&\\\"'\\t\\n\\r\\n\\u001b[0m\\u007f "
			    "caf\xc3\xa9 " FFFD " " FFFD FFFD
			    " \xf0\x9f\x98\x80 " FFFD FFFD FFFD " " FFFD FFFD
			    " " FFFD FFFD FFFD " \xc2\x85 \xef\xbf\xbe\"null");
	free(s);
}

/* A run of two finished scenarios out of three planned: one passing with
 * two cases, one failing on a diverging case, with a skipped case. */
static void build_run(struct test_run *r, const char *dir)
{
	struct scenario_result *s;
	struct test_case *tc;

	memset(r, 0, sizeof(*r));
	snprintf(r->run_id, sizeof(r->run_id), "20240101-120000-1");
	r->dir = xstrdup(dir);
	r->started = 1704110400;
	r->seconds = 42.5;
	r->planned = 3;
	r->scenarios = xcalloc(3, sizeof(*r->scenarios));
	r->nscenarios = 2;

	s = &r->scenarios[0];
	s->name = xstrdup("boot & list");
	s->file = xstrdup("scenarios/basic.exp");
	s->line = 3;
	s->slug = xstrdup("boot-and-list");
	s->seconds = 10.25;
	s->nconsoles = 2;
	tc = scenario_add_case(s, "busybox ls /");
	tc->nconsoles = 2;
	strcpy(tc->con[0].name, "serial0");
	strcpy(tc->con[1].name, "serial1");
	tc->con[0].output = xstrdup("bin\netc\n");
	tc->con[1].output = xstrdup("bin\netc\n");
	tc = scenario_add_case(s, "uname -r # kernel");
	tc->seconds = 0.5;
	tc->message = xstrdup("checked <6.1>");

	s = &r->scenarios[1];
	s->name = xstrdup("echo diverges");
	s->file = xstrdup("scenarios/div.exp");
	s->line = 12;
	s->slug = xstrdup("echo-diverges");
	s->verdict = VERDICT_FAIL;
	s->reason = xstrdup("the consoles' outputs differ in \"echo\"");
	s->excerpt = xstrdup("serial1: DIFF");
	s->nconsoles = 2;
	tc = scenario_add_case(s, "echo <b>");
	tc->verdict = VERDICT_FAIL;
	tc->message = xstrdup("the consoles' outputs differ");
	tc->nconsoles = 2;
	strcpy(tc->con[0].name, "serial0");
	strcpy(tc->con[1].name, "serial1");
	tc->con[0].output = xstrdup("a <b> & c\nsame\n\x1b[1mbold\n");
	tc->con[1].output = xstrdup("a <b> & c\nDIFF\n\x1b[1mbold\n");
	tc->con[0].status = 0;
	tc->con[1].status = 1;
	tc->diff = udiff("serial0", tc->con[0].output, "serial1",
			 tc->con[1].output);
	tc = scenario_add_case(s, "later");
	tc->verdict = VERDICT_SKIP;
	tc->message = xstrdup("needs \"two\" disks\x01");
}

/* The transcripts of the failing scenario: 300 numbered lines and an
 * escape sequence on serial0, CRLF lines on serial1. */
static void write_transcripts(const char *dir)
{
	char *sdir = xasprintf("%s/echo-diverges", dir), *path, *text;
	size_t len = 0;
	int i;

	assert_int_equal(mkdir_p(sdir, 0755), 0);
	text = xmalloc(300 * 8 + 32);
	for (i = 1; i <= 300; i++)
		len += (size_t)sprintf(text + len, "t%04d\n", i);
	strcpy(text + len, "\x1b[1mbold\n");
	path = xasprintf("%s/serial0.log", sdir);
	assert_int_equal(write_file_atomic(path, text, strlen(text), 0644), 0);
	free(path);
	path = xasprintf("%s/serial1.log", sdir);
	assert_int_equal(write_file_atomic(path, "boot <ok>\r\nlogin:\r\n",
					   19, 0644), 0);
	free(path);
	free(text);
	free(sdir);
}

/* Run shell command CMD (freed); its exit status. */
static int run_shell(char *cmd)
{
	int status = system(cmd);

	free(cmd);
	return status;
}

/* The attributes of the first element named TAG in XML. */
static char *attributes(const char *xml, const char *tag)
{
	const char *at = strstr(xml, tag);

	assert_non_null(at);
	return xasprintf("%.*s", (int)strcspn(at, ">"), at);
}

static void check_junit(const char *dir, const struct test_run *r)
{
	struct results_counts c = test_run_counts(r);
	char *xml = results_read_out(dir, "junit.xml"), *attrs, *want;

	assert_int_equal(run_shell(xasprintf("xmllint --noout %s/junit.xml",
					     dir)), 0);
	attrs = attributes(xml, "<testsuites ");
	want = xasprintf(" tests=\"%u\" failures=\"%u\" errors=\"0\" "
			 "skipped=\"%u\"", c.passed + c.failed + c.skipped,
			 c.failed, c.skipped);
	assert_says(attrs, want);
	assert_says(attrs, " tests=\"4\" failures=\"1\" errors=\"0\" "
		    "skipped=\"1\" time=\"42.500\"");
	free(attrs);
	free(want);
	attrs = attributes(xml, "<testsuite name=\"echo diverges\"");
	assert_says(attrs, " tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"1\"");
	free(attrs);
	assert_says(xml, "<testcase classname=\"boot-and-list\" "
		    "name=\"uname -r # kernel\" time=\"0.500\"/>");
	assert_says(xml, "<testcase classname=\"echo-diverges\" "
		    "name=\"echo &lt;b&gt;\"");
	assert_says(xml, "<failure message=\"the consoles&#39; outputs differ\">"
		    "the consoles&#39; outputs differ\n\n--- serial0\n");
	assert_says(xml, "-same\n+DIFF\n \xe2\x90\x9b[1mbold\n</failure>");
	assert_says(xml, "<skipped message=\"needs &quot;two&quot; "
		    "disks\xe2\x90\x81\"/>");
	want = xasprintf("console transcript: %s/echo-diverges/serial1.log\n",
			 dir);
	assert_says(xml, want);
	free(want);
	free(xml);
}

static void check_tap(const char *dir)
{
	char *tap = results_read_out(dir, "results.tap");

	assert_string_equal(tap,
		"KTAP version 1\n"
		"1..3\n"
		"    KTAP version 1\n"
		"    1..2\n"
		"    ok 1 busybox ls /\n"
		"    ok 2 uname -r \xef\xbc\x83 kernel\n"
		"ok 1 boot & list\n"
		"    KTAP version 1\n"
		"    1..2\n"
		"    # the consoles' outputs differ\n"
		"    # --- serial0\n"
		"    # +++ serial1\n"
		"    # @@ -1,3 +1,3 @@\n"
		"    #  a <b> & c\n"
		"    # -same\n"
		"    # +DIFF\n"
		"    #  \xe2\x90\x9b[1mbold\n"
		"    not ok 1 echo <b>\n"
		"    ok 2 later # SKIP needs \"two\" disks\xe2\x90\x81\n"
		"# the consoles' outputs differ in \"echo\"\n"
		"# serial1: DIFF\n"
		"not ok 2 echo diverges\n");
	free(tap);
}

static const char json_check[] =
	"import json, sys\n"
	"d = json.load(open(sys.argv[1]))\n"
	"assert d['counts'] == {'passed': 2, 'failed': 1, 'skipped': 1}\n"
	"assert d['planned'] == 3 and d['run_id'] == '20240101-120000-1'\n"
	"assert d['started_utc'] == '2024-01-01T12:00:00Z'\n"
	"s = d['scenarios'][1]\n"
	"assert s['verdict'] == 'fail' and s['line'] == 12\n"
	"assert s['reason'] == 'the consoles\\' outputs differ in \"echo\"'\n"
	"assert s['cases'][1]['message'] == 'needs \"two\" disks\\x01'\n"
	"assert s['counts'] == {'passed': 0, 'failed': 1, 'skipped': 1}\n"
	"assert d['scenarios'][0]['cases'][0]['message'] is None\n";

/* Without python: every bracket outside strings closes in order. */
static void assert_balanced(const char *json)
{
	char stack[64];
	size_t depth = 0;
	bool in_str = false;
	const char *p;

	for (p = json; *p; p++) {
		if (in_str) {
			if (*p == '\\')
				p++;
			else if (*p == '"')
				in_str = false;
		} else if (*p == '"') {
			in_str = true;
		} else if (*p == '{' || *p == '[') {
			assert_true(depth < sizeof(stack));
			stack[depth++] = *p == '{' ? '}' : ']';
		} else if (*p == '}' || *p == ']') {
			assert_true(depth > 0);
			assert_int_equal(*p, stack[--depth]);
		}
	}
	assert_false(in_str);
	assert_int_equal(depth, 0);
}

static void check_json(const char *dir)
{
	char *json = results_read_out(dir, "summary.json"), *script;

	assert_says(json, "\"counts\": {\"passed\": 2, \"failed\": 1, "
		    "\"skipped\": 1}");
	assert_says(json, "\"message\": \"needs \\\"two\\\" disks\\u0001\"");
	assert_balanced(json);
	if (run_shell(xstrdup("command -v python3 >/dev/null 2>&1")) == 0) {
		script = xasprintf("%s/check.py", dir);
		assert_int_equal(write_file_atomic(script, json_check,
						   strlen(json_check), 0644), 0);
		assert_int_equal(run_shell(xasprintf("python3 %s %s/summary.json",
						     script, dir)), 0);
		free(script);
	}
	free(json);
}

static void check_html(const char *dir)
{
	char *html = results_read_out(dir, "report.html");

	/* the differing line, beside serial0's, marked */
	assert_says(html, "<tr><td>same</td><td class=\"diverge\">DIFF</td></tr>");
	assert_says(html, "<tr><td>a &lt;b&gt; &amp; c</td>"
		    "<td>a &lt;b&gt; &amp; c</td></tr>");
	assert_says(html, "<td>\xe2\x90\x9b[1mbold</td>");
	assert_says(html, "td.diverge,th.diverge{background:#");
	assert_says(html, "<tr><th>serial0 (exit 0)</th>"
		    "<th class=\"diverge\">serial1 (exit 1)</th></tr>");
	assert_null(strstr(html, "a <b>"));
	assert_null(strstr(html, "\x1b"));
	assert_null(strstr(html, "http"));
	assert_null(strstr(html, "<script"));
	/* a pass's message says what was checked, a failure's what is wrong */
	assert_says(html, "<pre class=\"note\">checked &lt;6.1&gt;</pre>");
	assert_says(html, "<pre class=\"msg\">the consoles&#39; outputs differ</pre>");
	assert_says(html, "<p class=\"reason\">the consoles&#39; outputs "
		    "differ in &quot;echo&quot;</p>");
	/* the transcripts' last 200 lines, CRs dropped */
	assert_says(html, "<pre>t0102\n");
	assert_says(html, "t0300\n\xe2\x90\x9b[1mbold\n</pre>");
	assert_null(strstr(html, "t0101"));
	assert_says(html, "<pre>boot &lt;ok&gt;\nlogin:\n</pre>");
	free(html);
}

static void test_writers(void **state)
{
	char *dir = results_tmpdir();
	struct test_run r;

	(void)state;
	build_run(&r, dir);
	write_transcripts(dir);
	assert_int_equal(results_write(&r), 0);
	check_junit(dir, &r);
	check_tap(dir);
	check_json(dir);
	check_html(dir);
	test_run_free(&r);
	assert_int_equal(remove_tree(dir), 0);
	free(dir);
}

/* Before any scenario finished, the files already describe the run. */
static void test_writers_empty_run(void **state)
{
	char *dir = results_tmpdir(), *tap, *json;
	struct test_run r;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.dir = xstrdup(dir);
	r.planned = 5;
	assert_int_equal(results_write(&r), 0);
	assert_int_equal(run_shell(xasprintf("xmllint --noout %s/junit.xml",
					     dir)), 0);
	tap = results_read_out(dir, "results.tap");
	assert_string_equal(tap, "KTAP version 1\n1..5\n");
	json = results_read_out(dir, "summary.json");
	assert_says(json, "\"scenarios\": []");
	assert_balanced(json);
	free(tap);
	free(json);
	test_run_free(&r);
	assert_int_equal(remove_tree(dir), 0);
	free(dir);
}

/* A transcript larger than what the report reads of it: its last lines,
 * and no line the read cut in the middle. */
static void test_html_tail_of_big_transcript(void **state)
{
	char *dir = results_tmpdir(), *sdir, *path, *text, *html;
	struct scenario_result *s;
	struct test_run r;
	size_t len = 0;
	int i;

	(void)state;
	s = results_one_scenario(&r, dir, "big");
	s->nconsoles = 2;
	scenario_add_case(s, "boots");
	sdir = xasprintf("%s/big", dir);
	assert_int_equal(mkdir_p(sdir, 0755), 0);
	text = xmalloc(512 * 1024);
	for (i = 0; i < 20000; i++)
		len += (size_t)sprintf(text + len, "line %05d ..........\n", i);
	path = xasprintf("%s/serial0.log", sdir);
	assert_int_equal(write_file_atomic(path, text, len, 0644), 0);
	free(path);
	memset(text, 'x', 300 * 1024);
	strcpy(text + 300 * 1024, "\nlast\n");
	path = xasprintf("%s/serial1.log", sdir);
	assert_int_equal(write_file_atomic(path, text, strlen(text), 0644), 0);
	free(path);
	assert_int_equal(results_write(&r), 0);
	html = results_read_out(dir, "report.html");
	assert_says(html, "<pre>line 19800 ..........\n");
	assert_says(html, "line 19999 ..........\n</pre>");
	assert_null(strstr(html, "line 19799"));
	assert_says(html, "<td><pre>last\n</pre></td>");
	assert_null(strstr(html, "xxx"));
	free(html);
	free(text);
	free(sdir);
	test_run_free(&r);
	assert_int_equal(remove_tree(dir), 0);
	free(dir);
}

/* Three consoles, each differing from serial0 its own way: every line
 * on one row with its match, insertions on rows of their own. */
static void test_html_three_consoles(void **state)
{
	static const char *const out[] = { "a\nb\nc\n", "a\nX\nb\nc\n",
					   "a\nb\nY\nZ\n" };
	char *dir = results_tmpdir(), *html;
	struct scenario_result *s;
	struct test_case *tc;
	struct test_run r;
	unsigned k;

	(void)state;
	s = results_one_scenario(&r, dir, "three");
	tc = scenario_add_case(s, "cat");
	tc->nconsoles = 3;
	for (k = 0; k < 3; k++) {
		snprintf(tc->con[k].name, sizeof(tc->con[k].name), "serial%u", k);
		tc->con[k].output = xstrdup(out[k]);
	}
	assert_int_equal(results_write(&r), 0);
	html = results_read_out(dir, "report.html");
	assert_says(html,
		"<tr><td>a</td><td>a</td><td>a</td></tr>\n"
		"<tr><td class=\"none\"></td><td class=\"diverge\">X</td>"
		"<td class=\"none\"></td></tr>\n"
		"<tr><td>b</td><td>b</td><td>b</td></tr>\n"
		"<tr><td>c</td><td>c</td><td class=\"diverge\">Y</td></tr>\n"
		"<tr><td class=\"none\"></td><td class=\"none\"></td>"
		"<td class=\"diverge\">Z</td></tr>\n</table>");
	free(html);
	test_run_free(&r);
	assert_int_equal(remove_tree(dir), 0);
	free(dir);
}

/* A duplex::mvx case's divergence record has its own section in
 * report.html and is in the junit failure and the TAP diagnostics. */
static void test_syscall_divergence(void **state)
{
	char *dir = results_tmpdir(), *html, *xml, *tap;
	struct scenario_result *s;
	struct test_case *tc;
	struct test_run r;

	(void)state;
	s = results_one_scenario(&r, dir, "mvx");
	tc = scenario_add_case(s, "mvx-probe slurp /proc/duplex_leak");
	tc->verdict = VERDICT_FAIL;
	tc->message = xstrdup("mvx found 1 syscall divergence");
	tc->syscall_divergence = xstrdup("on partition 1:\nmvx: DIVERGENCE "
		"in replica 1 <x>\n");
	tc->nconsoles = 1;
	snprintf(tc->con[0].name, sizeof(tc->con[0].name), "serial0");
	tc->con[0].output = xstrdup("");
	s->verdict = VERDICT_FAIL;
	assert_int_equal(results_write(&r), 0);
	html = results_read_out(dir, "report.html");
	assert_says(html, "<h4>syscall divergence</h4>\n<pre class=\"syscall\">"
		"on partition 1:\nmvx: DIVERGENCE in replica 1 &lt;x&gt;");
	xml = results_read_out(dir, "junit.xml");
	assert_says(xml, "syscall divergence:\non partition 1:\nmvx: DIVERGENCE "
		"in replica 1 &lt;x&gt;");
	tap = results_read_out(dir, "results.tap");
	assert_says(tap, "mvx: DIVERGENCE in replica 1 <x>");
	free(html);
	free(xml);
	free(tap);
	test_run_free(&r);
	assert_int_equal(remove_tree(dir), 0);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_writers),
		cmocka_unit_test(test_syscall_divergence),
		cmocka_unit_test(test_writers_empty_run),
		cmocka_unit_test(test_html_three_consoles),
		cmocka_unit_test(test_html_tail_of_big_transcript),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
